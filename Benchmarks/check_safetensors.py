#!/usr/bin/env python3
"""Cross-checks `collate export` shards with the reference `safetensors` package.

    pip install safetensors numpy
    collate export --spec SPEC.json --input DATA.jsonl --out OUT --world-size 2 --batch-size 4
    python3 Benchmarks/check_safetensors.py OUT SPEC.json DATA.jsonl [--collate .build/debug/collate]

For every shard in OUT/index.json it
  1. loads the file with safetensors.numpy.load_file and reads its __metadata__ with safe_open;
  2. checks dtypes: int32 for cu_seq_lens_*, max_length_* and seq_idx, int64 for the rest (HF's);
  3. runs `collate batch` on the shard's examples and compares every tensor value by value;
  4. recomputes num_items_in_batch (labels != -100 after the causal shift, sequence starts
     excluded) with numpy when the shard has it.
Example transforms that drop examples renumber the dataset, and batch transforms that reshape
(pad-to-multiple) make `collate batch` differ, so check with specs without those.
Exits 1 on the first mismatch; prints one JSON summary line otherwise.
"""
import argparse, json, os, subprocess, sys, tempfile

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

INT32 = ("cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k", "seq_idx")


def fail(message):
    print(f"check_safetensors: {message}", file=sys.stderr)
    sys.exit(1)


def num_items(tensors):
    labels = tensors["labels"]
    starts = np.zeros(labels.shape, dtype=bool)
    starts[:, 0] = True
    if "cu_seq_lens_q" in tensors:
        flat = starts.reshape(-1)
        for b in tensors["cu_seq_lens_q"][:-1]:
            flat[int(b)] = True
    elif "position_ids" in tensors and "attention_mask" not in tensors:
        starts |= tensors["position_ids"] == 0
    return int(((labels != -100) & ~starts).sum())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("spec")
    parser.add_argument("input")
    parser.add_argument("--collate", default=".build/debug/collate")
    args = parser.parse_args()

    index = json.load(open(os.path.join(args.out, "index.json")))
    spec = json.load(open(args.spec))
    spec.pop("transforms", None)
    lines = [line for line in open(args.input).read().split("\n") if line.strip()]
    checked_values = 0
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = os.path.join(tmp, "spec.json")
        json.dump(spec, open(spec_path, "w"))
        for shard in index["shards"]:
            path = os.path.join(args.out, shard["file"])
            tensors = load_file(path)
            with safe_open(path, framework="numpy") as handle:
                metadata = handle.metadata()
            if metadata.get("fingerprint") != index["fingerprint"]:
                fail(f"{shard['file']}: fingerprint {metadata.get('fingerprint')} != index {index['fingerprint']}")
            for name, array in tensors.items():
                want = np.int32 if name in INT32 else np.int64
                if array.dtype != want:
                    fail(f"{shard['file']}: {name} is {array.dtype}, expected {np.dtype(want)}")
            subset = os.path.join(tmp, "subset.jsonl")
            with open(subset, "w") as handle:
                handle.write("\n".join(lines[i] for i in shard["examples"]) + "\n")
            run = subprocess.run([args.collate, "batch", "--spec", spec_path, "--input", subset], capture_output=True, text=True)
            if run.returncode != 0:
                fail(f"collate batch failed: {run.stderr}")
            expected = json.loads(run.stdout)
            for name, value in expected.items():
                if name not in tensors:
                    fail(f"{shard['file']}: missing tensor {name}")
                if not np.array_equal(tensors[name], np.array(value)):
                    fail(f"{shard['file']}: {name} differs from collate batch")
                checked_values += int(np.array(value).size)
            if "num_items_in_batch" in tensors:
                if int(tensors["num_items_in_batch"]) != num_items(tensors):
                    fail(f"{shard['file']}: num_items_in_batch {int(tensors['num_items_in_batch'])} != {num_items(tensors)}")
    print(json.dumps({"shards": len(index["shards"]), "values_compared": checked_values, "ok": True}))


if __name__ == "__main__":
    main()
