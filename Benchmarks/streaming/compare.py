#!/usr/bin/env python3
"""Compares two folders written by parity.sh with different builds, byte for byte, except the
export fingerprint's value (a new fingerprint hash changes it, nothing else may change).

    python3 Benchmarks/streaming/compare.py /tmp/parity-old /tmp/parity-new

`.safetensors` files: the header JSON (with `__metadata__.fingerprint` removed) and the data
bytes must be equal; `index.json`: the JSON without its `fingerprint`; every other file: its
bytes. Exits 1 naming each difference. Standard library only.
"""
import json
import os
import struct
import sys


def safetensors_parts(path):
    with open(path, "rb") as handle:
        raw = handle.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    header.get("__metadata__", {}).pop("fingerprint", None)
    return header, raw[8 + length:]


def index_parts(path):
    with open(path, "rb") as handle:
        index = json.load(handle)
    index.pop("fingerprint", None)
    return index


def main():
    old, new = sys.argv[1], sys.argv[2]
    files = set()
    for root in (old, new):
        for folder, _, names in os.walk(root):
            for name in names:
                files.add(os.path.relpath(os.path.join(folder, name), root))
    differences = 0
    for name in sorted(files):
        a, b = os.path.join(old, name), os.path.join(new, name)
        if not (os.path.exists(a) and os.path.exists(b)):
            print(f"only in one folder: {name}")
            differences += 1
            continue
        if name.endswith(".safetensors"):
            same = safetensors_parts(a) == safetensors_parts(b)
        elif os.path.basename(name) == "index.json":
            same = index_parts(a) == index_parts(b)
        else:
            with open(a, "rb") as left, open(b, "rb") as right:
                same = left.read() == right.read()
        if not same:
            print(f"differs: {name}")
            differences += 1
    print(f"{len(files)} files compared, {differences} differ")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
