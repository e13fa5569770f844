"""Load time of HF `Tokenizer.from_file` (compare with `TokenizerBench load`).

usage: python3 hf_load_bench.py TOKENIZER.json [REPEATS]
One JSON line per load: wall and CPU seconds of the calling process.
"""
import json
import sys
import time

from tokenizers import Tokenizer

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 10
for run in range(1, repeats + 1):
    start, cpu_start = time.perf_counter(), time.process_time()
    Tokenizer.from_file(path)
    print(json.dumps({"impl": "hf", "mode": "load", "run": run,
                      "seconds": round(time.perf_counter() - start, 4), "cpu_s": round(time.process_time() - cpu_start, 4)}))
