"""The TRL-parity benchmark workload: N tokenized SFT examples (`input_ids`).

Lengths follow a chat-SFT-like log-normal distribution (median ~300 tokens, capped at 4096),
as the collator benchmark's workload does. Seeded, so every run measures the same data.

usage: python3 make_workload.py N SEED OUT.jsonl
"""
import json
import random
import sys

n, seed, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)
with open(out, "w") as f:
    for _ in range(n):
        length = max(8, min(4096, int(rng.lognormvariate(5.7, 0.8))))
        ids = [rng.randrange(3, 32000) for _ in range(length)]
        ids[-1] = 2
        f.write(json.dumps({"input_ids": ids}) + "\n")
