#!/usr/bin/env python3
"""--attn varlen's edge cases on the device the worker picks (CUDA: torch's varlen_attn kernel in
bf16; elsewhere one causal SDPA per sequence), against --attn sdpa on the same weights and dtype.

    python3 Benchmarks/gpu/varlen_edge_check.py [--device cuda] [--dtype bfloat16] > results.jsonl

One JSON line per case: {"case", "sdpa": [loss, num_items], "varlen": [loss, num_items] or an
error, "diff"}, then {"summary": ...} with the largest difference and whether every case agreed
within the tolerance (0.02 nats in bf16, 1e-5 in float32) or was refused as expected. Exit 0 when
all did. Tests/Python/worker_varlen_tests.py runs the same cases on a CPU in float32; this script
exists for the kernel path, which only a GPU reaches. Run on an NVIDIA H200 (torch 2.11, bf16, the
varlen_attn kernel): every case within 1.0e-4 or refused (Benchmarks/results/varlen-edge-h200.jsonl).
"""
import argparse
import json
import os
import random
import sys
import time
import types

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Sources", "CollateBackends", "Worker"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Python"))

import collate_worker  # noqa: E402
from worker_varlen_tests import tensors  # noqa: E402  (the frames' tensors, as the CPU tests build them)

CONFIG = {"model_type": "llama", "hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2,
          "num_attention_heads": 8, "num_key_value_heads": 2, "vocab_size": 1000, "max_position_embeddings": 4096}


def build(attn, device, dtype):
    args = types.SimpleNamespace(model=None, config=json.dumps(CONFIG), tiny_llama=False, vocab_size=None, dtype=dtype,
                                 device=device, attn=attn, use_cache="false", seed=0, optimizer="sgd", weight_decay=None)
    return collate_worker.TorchCausalLM(args)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", default="bfloat16")
    args = parser.parse_args()
    tolerance = 1e-5 if args.dtype == "float32" else 0.02
    sdpa, varlen = build("sdpa", args.device, args.dtype), build("varlen", args.device, args.dtype)
    varlen.model.load_state_dict(sdpa.model.state_dict())
    generator = random.Random(0)
    seqs = [[generator.randrange(1, 1000) for _ in range(n)] for n in (300, 1, 177, 64, 2, 411)]
    ids = [t for s in seqs for t in s]
    pos = [i for s in seqs for i in range(len(s))]
    cu = [0]
    for s in seqs:
        cu.append(cu[-1] + len(s))
    half = len(seqs) // 2
    row1, row2 = seqs[:half], seqs[half:]
    width = max(sum(map(len, row1)), sum(map(len, row2)))
    # Two rows of equal width: pad each with one more sequence of filler tokens.
    row1 = row1 + [[5] * (width - sum(map(len, row1)))] if sum(map(len, row1)) < width else row1
    row2 = row2 + [[5] * (width - sum(map(len, row2)))] if sum(map(len, row2)) < width else row2
    r1 = [t for s in row1 for t in s]
    r2 = [t for s in row2 for t in s]
    p1 = [i for s in row1 for i in range(len(s))]
    p2 = [i for s in row2 for i in range(len(s))]
    cu2 = [0]
    for s in row1 + row2:
        cu2.append(cu2[-1] + len(s))
    cases = [
        ("B=1 position_ids", dict(input_ids=[ids], labels=[ids], position_ids=[pos]), None),
        ("B=1 cu_seq_lens_q only", dict(input_ids=[ids], labels=[ids], cu_seq_lens_q=cu, max_length_q=411),
         dict(input_ids=[ids], labels=[ids], position_ids=[pos])),
        ("B=1 cu with an empty sequence", dict(input_ids=[ids], labels=[ids], cu_seq_lens_q=cu[:2] + [cu[1]] + cu[2:]),
         dict(input_ids=[ids], labels=[ids], position_ids=[pos])),
        ("B=2 position_ids", dict(input_ids=[r1, r2], labels=[r1, r2], position_ids=[p1, p2]), None),
        ("B=2 cu_seq_lens_q", dict(input_ids=[r1, r2], labels=[r1, r2], cu_seq_lens_q=cu2),
         dict(input_ids=[r1, r2], labels=[r1, r2], position_ids=[p1, p2])),
        ("B=2 unpadded rows", dict(input_ids=[r1, r2], labels=[r1, r2]), None),
    ]
    worst, ok = 0.0, True
    for name, batch, reference in cases:
        started = time.monotonic()
        expected = sdpa.forward(tensors(**(reference or batch)), {})
        try:
            got = varlen.forward(tensors(**batch), {})
            diff = abs(got["loss"] - expected["loss"])
            agree = diff <= tolerance and got["num_items"] == expected["num_items"]
            worst = max(worst, diff)
            result = [got["loss"], got["num_items"]]
        except Exception as error:  # a case that should run but failed
            diff, agree, result = None, False, f"{type(error).__name__}: {error}"
        ok &= agree
        print(json.dumps({"case": name, "sdpa": [expected["loss"], expected["num_items"]], "varlen": result, "diff": diff,
                          "agree": agree, "seconds": round(time.monotonic() - started, 3)}), flush=True)
    for name, batch, words in [
        ("max_length_q below the longest sequence", dict(input_ids=[ids], labels=[ids], cu_seq_lens_q=cu, max_length_q=300),
         "max_length_q is 300"),
        ("cu_seq_lens_q crossing a row end", dict(input_ids=[r1, r2], labels=[r1, r2], cu_seq_lens_q=[0, width * 2]),
         "across the end of a row"),
    ]:
        try:
            varlen.forward(tensors(**batch), {})
            refused, message = False, "accepted"
        except ValueError as error:
            refused, message = words in str(error), str(error)
        ok &= refused
        print(json.dumps({"case": name, "refused": refused, "error": message[:200]}), flush=True)
    print(json.dumps({"summary": {"device": varlen.device, "dtype": args.dtype, "varlen_kernel": varlen.varlen_kernel,
                                  "torch": varlen.torch.__version__, "transformers": varlen.transformers_version,
                                  "max_diff": worst, "tolerance": tolerance, "all_ok": ok}}), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
