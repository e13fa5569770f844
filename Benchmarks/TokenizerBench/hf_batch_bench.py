"""HF tokenizers `encode_batch` over many short texts (the texts users encode: chat turns).

usage: python3 hf_batch_bench.py TOKENIZER_JSON TEXTS.jsonl [REPEATS] [threads]
Single thread unless "threads" is given (then HF's own Rayon pool on every core). The first
run is a warm-up (fills HF's word cache), as on the Swift side.
"""
import json
import os
import sys
import time

threads = len(sys.argv) > 4 and sys.argv[4] == "threads"
if not threads:
    os.environ["RAYON_NUM_THREADS"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"

from tokenizers import Tokenizer  # noqa: E402

tok = Tokenizer.from_file(sys.argv[1])
texts = [json.loads(line)["text"] for line in open(sys.argv[2], encoding="utf-8")]
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
for run in range(repeats + 1):
    t0 = time.perf_counter()
    c0 = time.process_time()  # CPU time of the process (HF encodes on its Rayon worker thread)
    encodings = tok.encode_batch(texts, add_special_tokens=True)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if run == 0:
        continue
    print(json.dumps({"impl": "hf", "mode": "batch", "run": run, "seconds": round(dt, 4), "cpu_s": round(cpu, 4), "texts_per_s": round(len(texts) / dt),
                      "mb_per_s": round(mb / dt, 2), "tokens": sum(len(e.ids) for e in encodings)}))
    dump = os.environ.get("TOKENIZER_BENCH_DUMP")
    if dump and run == repeats:
        with open(dump, "w") as f:
            for e in encodings:
                f.write(" ".join(f"{i} {s} {t}" for i, (s, t) in zip(e.ids, e.offsets)) + "\n")
