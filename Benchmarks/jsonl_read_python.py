"""Python baselines for JSONLReadBench: MB/s of the same tokenized JSONL read by `json.loads`
line by line (into lists of ints) and by pyarrow's `read_json` (if installed), best of N runs.

usage: python3 Benchmarks/jsonl_read_python.py WORKLOAD.jsonl [RUNS]
"""
import json
import os
import sys
import time

path = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
megabytes = os.path.getsize(path) / 1e6


def best(body):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return min(times)


def json_loads():
    with open(path, "rb") as f:
        return [json.loads(line) for line in f if line.strip()]


seconds = best(json_loads)
print(f"{'python json.loads (' + sys.version.split()[0] + ')':44s} {seconds:7.3f} s  {megabytes / seconds:7.1f} MB/s")
try:
    import pyarrow
    import pyarrow.json as pj

    seconds = best(lambda: pj.read_json(path, read_options=pj.ReadOptions(use_threads=False, block_size=1 << 26)))
    print(f"{'pyarrow ' + pyarrow.__version__ + ' read_json (1 thread)':44s} {seconds:7.3f} s  {megabytes / seconds:7.1f} MB/s")
    seconds = best(lambda: pj.read_json(path, read_options=pj.ReadOptions(use_threads=True, block_size=1 << 26)))
    print(f"{'pyarrow ' + pyarrow.__version__ + ' read_json (all threads)':44s} {seconds:7.3f} s  {megabytes / seconds:7.1f} MB/s")
except ImportError:
    print("pyarrow not installed: skipped")
