"""Encode throughput of HF tokenizers (Rust) on one text, single thread, one call.

usage: RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false python3 hf_bench.py TOKENIZER_JSON TEXT_FILE [REPEATS]
"""
import json
import os
import sys
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from tokenizers import Tokenizer  # noqa: E402

path, text_file = sys.argv[1], sys.argv[2]
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
text = open(text_file, encoding="utf-8").read()
mb = len(text.encode("utf-8")) / 1e6
for run in range(repeats):
    t0 = time.perf_counter()
    tok = Tokenizer.from_file(path)  # fresh tokenizer: cold word cache, like the Swift side
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    enc = tok.encode(text, add_special_tokens=False)
    dt = time.perf_counter() - t0
    print(json.dumps({"impl": "hf", "run": run, "load_s": round(load, 3), "encode_s": round(dt, 3),
                      "mb_per_s": round(mb / dt, 2), "tokens": len(enc.ids)}))
    dump = os.environ.get("TOKENIZER_BENCH_DUMP")
    if dump and run == repeats - 1:  # "id start end" per token, to diff with the Swift side
        with open(dump, "w") as f:
            f.writelines(f"{i} {s} {e}\n" for i, (s, e) in zip(enc.ids, enc.offsets))
