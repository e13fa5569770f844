"""The Python side of Benchmarks/e2e/run.sh: messages JSONL -> packed, assistant-masked batches
with HF datasets + TRL 1.16, the way `SFTTrainer` prepares them.

usage: hf_trl_baseline.py CONVERSATIONS.jsonl TOKENIZER_DIR CHAT_TEMPLATES.json TEMPLATE MAX_LENGTH BATCH_SIZE NUM_PROC

The preparation is TRL's own code: `SFTTrainer._prepare_dataset` (datasets.map of
`apply_chat_template(..., return_assistant_tokens_mask=True)` with `num_proc`, labels from the
assistant masks, then `pack_dataset(..., strategy="bfd")` into MAX_LENGTH rows), called on a
minimal stand-in for the trainer so no model is needed. The batches come from TRL's SFT collator
(`DataCollatorForLanguageModeling(pad_token_id, padding_free=True)`, what `SFTTrainer` uses with
packing), BATCH_SIZE packed rows each. The clock starts before `load_dataset` (the tokenizer is
loaded first, as on the Collate side) and stops after the last batch. The datasets cache is off,
so every run really maps. Also reported: the CPU seconds of this process and of the map/pack
worker processes (user + system) over the same span. Prints one JSON line.
"""
import json
import os
import resource
import sys
import tempfile
import time
import types
import warnings

warnings.filterwarnings("ignore")
path, tokenizer_dir, templates_path, template_name = sys.argv[1:5]
max_length, batch_size, num_proc = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])

import datasets
import transformers
import trl
from transformers import PreTrainedTokenizerFast
from trl import SFTConfig
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling, SFTTrainer

datasets.disable_caching()
datasets.disable_progress_bars()
transformers.logging.set_verbosity_error()
tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(tokenizer_dir, "tokenizer.json"),
                                    bos_token="<s>", eos_token="</s>", unk_token="<unk>")
tokenizer.chat_template = json.load(open(templates_path))[template_name]
tokenizer.pad_token = tokenizer.eos_token  # what SFTTrainer does for a tokenizer without one

with tempfile.TemporaryDirectory() as output_dir:
    args = SFTConfig(output_dir=output_dir, max_length=max_length, packing=True, packing_strategy="bfd",
                     assistant_only_loss=True, dataset_num_proc=num_proc, report_to=[], use_cpu=True, bf16=False)
trainer = types.SimpleNamespace(chat_template=None, completion_only_loss=False, _tokenizer=tokenizer)
collator = DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id, padding_free=True)

def cpu_seconds():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


cpu_start = cpu_seconds()
start = time.perf_counter()
dataset = datasets.load_dataset("json", data_files=path, split="train")
packed = SFTTrainer._prepare_dataset(trainer, dataset, tokenizer, args, True, None, "train")
rows = packed.to_list()
batches = tokens = trained = 0
for i in range(0, len(rows), batch_size):
    batch = collator(rows[i:i + batch_size])
    batches += 1
    tokens += int(batch["input_ids"].numel())
    trained += int((batch["labels"] != -100).sum())
elapsed = time.perf_counter() - start
cpu = cpu_seconds() - cpu_start
print(json.dumps({"impl": f"datasets {datasets.__version__} map(num_proc={num_proc}) + TRL {trl.__version__} pack_dataset(bfd) "
                          "+ DataCollatorForLanguageModeling(padding_free)",
                  "conversations": len(dataset), "rows": len(rows), "batches": batches, "tokens": tokens,
                  "trained_tokens": trained, "seconds": elapsed, "cpu_seconds": cpu, "tokens_per_second": tokens / elapsed}))
