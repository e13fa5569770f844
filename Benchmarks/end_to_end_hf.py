"""The reference for EndToEndBench: HF datasets.map(apply_chat_template with the assistant
mask) + DataCollatorWithFlattening on the same messages JSONL, in one process.

usage: end_to_end_hf.py CONVERSATIONS.jsonl TOKENIZER_DIR TEMPLATE_NAME CHAT_TEMPLATES.json [BATCH_SIZE]
Prints {"impl", "examples", "tokens", "batches", "seconds", "tokens_per_second"}.
The clock covers loading the JSONL into a Dataset, map (render, tokenize, mask) and collation;
the tokenizer is loaded before it, as in EndToEndBench. The datasets cache is disabled so the
map really runs.
"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
path, tokenizer_dir, template_name, templates_path = sys.argv[1:5]
batch_size = int(sys.argv[5]) if len(sys.argv) > 5 else 16

import datasets
from transformers import PreTrainedTokenizerFast, DataCollatorWithFlattening
datasets.disable_caching()
datasets.disable_progress_bars()
tok = PreTrainedTokenizerFast(tokenizer_file=f"{tokenizer_dir}/tokenizer.json", bos_token="<s>", eos_token="</s>", unk_token="<unk>")
tok.chat_template = json.load(open(templates_path))[template_name]
collator = DataCollatorWithFlattening()

def encode(example):
    out = tok.apply_chat_template(example["messages"], tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    ids = out["input_ids"]
    return {"input_ids": ids, "labels": [t if m else -100 for t, m in zip(ids, out["assistant_masks"])]}

start = time.perf_counter()
ds = datasets.load_dataset("json", data_files=path, split="train")
ds = ds.map(encode, remove_columns=ds.column_names)
rows = ds.to_list()
batches = 0
for i in range(0, len(rows), batch_size):
    collator(rows[i:i + batch_size])
    batches += 1
elapsed = time.perf_counter() - start
tokens = sum(len(r["input_ids"]) for r in rows)
print(json.dumps({"impl": "datasets.map + DataCollatorWithFlattening", "examples": len(rows), "tokens": tokens,
                  "batches": batches, "seconds": elapsed, "tokens_per_second": tokens / elapsed}))
