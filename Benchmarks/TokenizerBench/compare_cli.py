"""Compares two JSON-lines outputs of `collate tokenize` / hf_tokenize_cli.py line by line
(parsed, so spacing does not matter). Prints "output identical to HF" or the first difference.

usage: python3 compare_cli.py COLLATE.jsonl HF.jsonl
"""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as a, open(sys.argv[2], encoding="utf-8") as b:
    left, right = a.read().splitlines(), b.read().splitlines()
if len(left) != len(right):
    print(f"OUTPUT DIFFERS from HF: {len(left)} lines vs {len(right)}")
    sys.exit(1)
for number, (x, y) in enumerate(zip(left, right), 1):
    if json.loads(x) != json.loads(y):
        print(f"OUTPUT DIFFERS from HF at line {number}")
        sys.exit(1)
print("output identical to HF")
