#!/usr/bin/env python3
"""Writes a chat-length, pre-tokenized JSONL dataset for the streaming export benchmark.

Each line is {"input_ids": [...], "labels": [...]}: 32..390 tokens (mean ~211), ids below
32000, labels -100 over a prompt prefix then the ids, about 2.75 KB a line, so 100,000 lines
make ~275 MB and 1,000,000 lines ~2.75 GB. Seeded, so the same arguments write the same bytes.

    python3 Benchmarks/streaming/make_data.py --lines 1000000 --out /tmp/stream-1m.jsonl
"""
import argparse
import random


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, "w") as out:
        for _ in range(args.lines):
            length = rng.randint(32, 390)
            ids = [rng.randrange(3, 32000) for _ in range(length)]
            prompt = rng.randint(1, length - 1)
            labels = [-100] * prompt + ids[prompt:]
            out.write('{"input_ids": [' + ", ".join(map(str, ids)) + '], "labels": ['
                      + ", ".join(map(str, labels)) + "]}\n")


if __name__ == "__main__":
    main()
