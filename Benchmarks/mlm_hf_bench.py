"""Times transformers' DataCollatorForLanguageModeling(mlm=True, seed=42) on a features JSONL,
batch 16, collation only, for comparison with
`collate bench --spec Benchmarks/specs/masked-language-modeling.json --input FEATURES.jsonl --batch-size 16`.

usage: mlm_hf_bench.py FEATURES.jsonl   (features from shared/bench/make_workload.py)
"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
from transformers import PreTrainedTokenizerFast, DataCollatorForLanguageModeling
from tokenizers import Tokenizer, models
feats = [json.loads(l) for l in open(sys.argv[1])]
feats = [{"input_ids": f["input_ids"]} for f in feats]
tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel({"<unk>": 0, "<s>": 1, "</s>": 2, "<mask>": 3}, unk_token="<unk>")),
                              bos_token="<s>", eos_token="</s>", unk_token="<unk>", mask_token="<mask>")
tok.pad_token_id = 0
c = DataCollatorForLanguageModeling(tok, mlm=True, seed=42)
bs = 16
batches = [feats[i:i+bs] for i in range(0, len(feats), bs)]
c(batches[0])
t0 = time.perf_counter()
for b in batches: c(b)
dt = time.perf_counter() - t0
tokens = sum(len(f["input_ids"]) for f in feats)
print(json.dumps({"tokens": tokens, "seconds": dt, "tokens_per_second": tokens / dt}))
