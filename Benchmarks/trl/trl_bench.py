"""Times TRL 1.16 on the benchmark workload: the SFT collator and `pack_dataset`.

usage: python trl_bench.py WORKLOAD.jsonl BATCH_SIZE MAX_TOKENS
Prints JSON lines:
  {"what": "sft", "padding_free": ..., "tokens", "batches", "seconds"}: collation only, examples
      parsed first, batches of BATCH_SIZE (as `collate bench` times them);
  {"what": "pack", "strategy", "group_size", "rows", "tokens", "seconds", "efficiency"}: `pack_dataset`
      on a `datasets.Dataset` already in memory (`Dataset.from_list`, not timed).
"""
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import datasets  # noqa: E402
import trl  # noqa: E402
from trl import pack_dataset  # noqa: E402
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling  # noqa: E402

assert trl.__version__ == "1.16.0", trl.__version__
datasets.disable_progress_bars()
path, batch_size, max_tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
features = [json.loads(line) for line in open(path)]
tokens = sum(len(f["input_ids"]) for f in features)
batches = [features[i:i + batch_size] for i in range(0, len(features), batch_size)]

for padding_free in (False, True):
    collator = DataCollatorForLanguageModeling(pad_token_id=0, padding_free=padding_free)
    collator(batches[0])
    best = None
    for _ in range(3):
        start = time.perf_counter()
        for batch in batches:
            collator(batch)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(json.dumps({"what": "sft", "padding_free": padding_free, "tokens": tokens, "batches": len(batches), "seconds": best}), flush=True)

dataset = datasets.Dataset.from_list(features)
for strategy, group_size in (("bfd", 1000), ("bfd", len(features)), ("bfd_split", 1000), ("wrapped", 1000)):
    best, packed = None, None
    for _ in range(3):
        start = time.perf_counter()
        packed = pack_dataset(dataset, max_tokens, strategy, map_kwargs={"batch_size": group_size})
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    lengths = [len(ids) for ids in packed["input_ids"]]
    print(json.dumps({"what": "pack", "strategy": strategy, "group_size": group_size, "rows": len(lengths), "tokens": sum(lengths),
                      "seconds": best, "efficiency": sum(lengths) / (len(lengths) * max_tokens)}), flush=True)
