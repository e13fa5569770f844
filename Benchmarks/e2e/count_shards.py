"""Counts what `collate export` wrote: packed rows, batches, tokens and trained tokens (labels
other than -100) over every shard listed in OUT/index.json. Prints one JSON line.

usage: count_shards.py OUT_DIR
"""
import glob
import json
import os
import sys

from safetensors.numpy import load_file

out = sys.argv[1]
rows = batches = tokens = trained = 0
for path in sorted(glob.glob(os.path.join(out, "**", "*.safetensors"), recursive=True)):
    tensors = load_file(path)
    ids = [k for k in tensors if k.endswith("input_ids")]
    for key in ids:
        prefix = key[: -len("input_ids")]
        batches += 1
        tokens += int(tensors[key].size)
        trained += int((tensors[prefix + "labels"] != -100).sum())
        if prefix + "position_ids" in tensors:
            rows += int((tensors[prefix + "position_ids"] == 0).sum())
print(json.dumps({"batches": batches, "tokens": tokens, "trained_tokens": trained, "sequences": rows}))
