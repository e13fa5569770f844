"""Regenerates Tests/Fixtures/trl/sft_chat_preparation.jsonl: TRL 1.16.0 `SFTTrainer` preparing
conversational data (transformers 5.23 `apply_chat_template`).

Every case is a real `trl.SFTTrainer` (tiny random Llama, never trained) built over `rows` with a
tokenizer read from Tests/Fixtures/tokenizers/mistral-v1-chatml/tokenizer.json
(`PreTrainedTokenizerFast(tokenizer_file=...)`, `bos_token`/`eos_token` set) whose `chat_template`
is one of TRL's ORIGINAL templates (`trl/chat_templates/<template>.jinja`). With
`assistant_only_loss=True` the trainer swaps in the generation-tagged copy
(`<template>_training.jinja`, recorded as `training_template`) itself, as it does for users.

One JSON object per line:
{"id", "format" ("messages" | "prompt-completion"), "template", "training_template", "bos_token",
 "eos_token", "config" (SFTConfig keys), "rows", "tokenized", "prepared", "batch"}
- `tokenized`: what `apply_chat_template` returned for each row as TRL asked for it (with the
  template TRL used): `input_ids` (+ `assistant_masks`) for messages; `prompt_ids` (prompt with
  `add_generation_prompt=True`) and `prompt_completion_ids` (+ `assistant_masks`) for
  prompt-completion rows;
- `prepared`: the dataset's `input_ids` / `labels` after `SFTTrainer._prepare_dataset` (labels,
  truncation, fully masked rows dropped);
- `batch`: the trainer's `DataCollatorForLanguageModeling` over all prepared rows, each key as
  {"dtype", "shape", "value"}.

A last record {"id": "untagged-template-error", ...} holds the error TRL raises when
`assistant_only_loss=True` meets a template that has no `{% generation %}` blocks and no known
training copy.

usage: python make_trl_chat_goldens.py   (needs trl==1.16.0, transformers==5.23.*, torch, datasets)
"""

import json
import os
import tempfile
import warnings

import datasets
import torch
import transformers
import trl
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
from trl import SFTConfig, SFTTrainer

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "trl", "sft_chat_preparation.jsonl")
TOKENIZER = os.path.join(HERE, "..", "tokenizers", "mistral-v1-chatml", "tokenizer.json")
TEMPLATES = os.path.join(os.path.dirname(trl.__file__), "chat_templates")

# template name -> (bos, eos) the tokenizer is given (a model of that family would use its own
# end-of-turn token as EOS; mistral-v1-chatml has `<|im_end|>`, the others fall back on `</s>`).
TEMPLATE_TOKENS = {
    "qwen2_5": ("<s>", "<|im_end|>"),
    "llama3": ("<s>", "</s>"),
    "phi3": ("<s>", "</s>"),
}

MESSAGES = [
    {"messages": [{"role": "system", "content": "You are a terse assistant."},
                  {"role": "user", "content": "What is 2+2?"},
                  {"role": "assistant", "content": "4"}]},
    {"messages": [{"role": "system", "content": "Answer in French."},
                  {"role": "user", "content": "Hello"},
                  {"role": "assistant", "content": "Bonjour !"},
                  {"role": "user", "content": "How are you?"},
                  {"role": "assistant", "content": "Très bien, merci."}]},
    {"messages": [{"role": "user", "content": "Name a colour."},
                  {"role": "assistant", "content": "Blue."}]},
    {"messages": [{"role": "system", "content": "A long system prompt that takes up most of the token budget before anyone speaks."},
                  {"role": "user", "content": "Summarise the plot of a long novel in one sentence please."},
                  {"role": "assistant", "content": "A whale, a captain, and an obsession."}]},
]

PAIRS = [
    {"prompt": [{"role": "system", "content": "You are a terse assistant."}, {"role": "user", "content": "What is 2+2?"}],
     "completion": [{"role": "assistant", "content": "4"}]},
    {"prompt": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Bonjour !"},
                {"role": "user", "content": "How are you?"}],
     "completion": [{"role": "assistant", "content": "Très bien, merci."}]},
    {"prompt": [{"role": "user", "content": "Name a colour."}], "completion": [{"role": "assistant", "content": "Blue."}]},
    {"prompt": [{"role": "system", "content": "A long system prompt that takes up most of the token budget before anyone speaks."},
                {"role": "user", "content": "Summarise the plot of a long novel in one sentence please."}],
     "completion": [{"role": "assistant", "content": "A whale, a captain, and an obsession."}]},
]

TOOLS = json.dumps([{"type": "function", "function": {"name": "multiply", "description": "Multiply two numbers.",
                                                      "parameters": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                                                                     "required": ["a", "b"]}}}])
TOOL_ROWS = [
    {"tools": TOOLS,
     "messages": [{"role": "user", "content": "What is 6 times 7?"},
                  {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "multiply", "arguments": {"a": 6, "b": 7}}}]},
                  {"role": "tool", "content": "42"},
                  {"role": "assistant", "content": "6 times 7 is 42."}]},
    {"tools": TOOLS,
     "messages": [{"role": "system", "content": "Use tools when needed."},
                  {"role": "user", "content": "Hi"},
                  {"role": "assistant", "content": "Hello! How can I help?"}]},
]

CONFIGS = [
    ("messages", MESSAGES, {"assistant_only_loss": True, "max_length": 1024}),
    ("messages", MESSAGES, {"assistant_only_loss": True, "max_length": 40}),
    ("messages", MESSAGES, {"assistant_only_loss": True, "max_length": 30, "truncation_mode": "keep_end"}),
    ("messages", MESSAGES, {"assistant_only_loss": False, "max_length": None}),
    ("prompt-completion", PAIRS, {"max_length": 1024}),
    ("prompt-completion", PAIRS, {"max_length": 1024, "assistant_only_loss": True}),
    ("prompt-completion", PAIRS, {"max_length": 30}),
    ("prompt-completion", PAIRS, {"max_length": 1024, "completion_only_loss": False}),
    ("messages", TOOL_ROWS, {"assistant_only_loss": True, "max_length": 1024}),
    ("messages", TOOL_ROWS, {"assistant_only_loss": False, "max_length": 1024}),
]


def encode(value):
    if isinstance(value, torch.Tensor):
        return {"dtype": str(value.dtype).removeprefix("torch."), "shape": list(value.shape), "value": value.tolist()}
    if isinstance(value, int):
        return {"dtype": "int", "shape": [], "value": value}
    raise TypeError(type(value))


def read(name):
    with open(os.path.join(TEMPLATES, name + ".jinja")) as f:
        return f.read()


def tokenizer_for(template):
    bos, eos = TEMPLATE_TOKENS.get(template, ("<s>", "</s>"))
    tok = PreTrainedTokenizerFast(tokenizer_file=TOKENIZER, bos_token=bos, eos_token=eos, unk_token="<unk>")
    tok.chat_template = read(template) if template in TEMPLATE_TOKENS else template
    return tok


def model_for(tok):
    return LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=8, num_hidden_layers=1, num_attention_heads=1,
                                         num_key_value_heads=1, intermediate_size=8))


def trainer_for(tok, rows, config):
    args = SFTConfig(output_dir=tempfile.mkdtemp(), report_to="none", use_cpu=True, **config)
    return SFTTrainer(model=model_for(tok), args=args, train_dataset=datasets.Dataset.from_list(rows), processing_class=tok)


def tokenized_rows(tok, fmt, rows, config, chat_template):
    mask = bool(config.get("assistant_only_loss"))
    out = []
    for row in rows:
        if fmt == "messages":
            tools = json.loads(row["tools"]) if "tools" in row else None
            result = tok.apply_chat_template(row["messages"], tokenize=True, return_dict=True, chat_template=chat_template,
                                             tools=tools, return_assistant_tokens_mask=mask)
            out.append({k: list(result[k]) for k in ("input_ids", "assistant_masks") if k in result})
        else:
            prompt = tok.apply_chat_template(row["prompt"], tokenize=True, return_dict=True, chat_template=chat_template,
                                             add_generation_prompt=True)
            full = tok.apply_chat_template(row["prompt"] + row["completion"], tokenize=True, return_dict=True,
                                           chat_template=chat_template, return_assistant_tokens_mask=mask)
            entry = {"prompt_ids": list(prompt["input_ids"]), "prompt_completion_ids": list(full["input_ids"])}
            if "assistant_masks" in full:
                entry["assistant_masks"] = list(full["assistant_masks"])
            out.append(entry)
    return out


def main():
    assert trl.__version__ == "1.16.0", trl.__version__
    assert transformers.__version__.startswith("5.23"), transformers.__version__
    datasets.disable_progress_bars()
    warnings.filterwarnings("ignore")
    transformers.logging.set_verbosity_error()
    cases = []
    for template in TEMPLATE_TOKENS:
        for index, (fmt, rows, config) in enumerate(CONFIGS):
            if rows is TOOL_ROWS and template != "qwen2_5":
                continue  # tool calls: the Qwen2.5 template renders them
            tok = tokenizer_for(template)
            trainer = trainer_for(tok, rows, config)
            used = trainer.chat_template  # the training copy TRL swapped in, or None (the tokenizer's own)
            training = None
            if used is not None:
                training = next(name[:-6] for name in sorted(os.listdir(TEMPLATES))
                                if name.endswith("_training.jinja") and read(name[:-6]) == used)
            prepared = [{"input_ids": r["input_ids"], "labels": r["labels"]} for r in trainer.train_dataset]
            batch = trainer.data_collator([dict(r) for r in prepared]) if prepared else {}
            print(template, index, fmt, config, "kept", len(prepared), "of", len(rows), "template", training)
            cases.append({
                "id": f"sft-chat/{template}/{index}-{fmt}-" + "-".join(f"{k}={v}" for k, v in config.items()),
                "format": fmt, "template": template, "training_template": training,
                "bos_token": tok.bos_token, "eos_token": tok.eos_token, "pad_token_id": trainer.data_collator.pad_token_id,
                "config": config, "rows": rows, "tokenized": tokenized_rows(tok, fmt, rows, config, used),
                "prepared": prepared, "batch": {k: encode(v) for k, v in batch.items()},
            })
    # An untagged template TRL has no training copy of: assistant_only_loss=True is refused.
    chatml = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
              "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
    tok = tokenizer_for(chatml)
    try:
        trainer_for(tok, MESSAGES, {"assistant_only_loss": True})
        error = None
    except Exception as exc:  # noqa: BLE001 - recorded as the reference's behaviour
        error = f"{type(exc).__name__}: {exc}"
    plain = trainer_for(tokenizer_for(chatml), MESSAGES, {"assistant_only_loss": False})
    cases.append({"id": "untagged-template-error", "template_source": chatml, "config": {"assistant_only_loss": True},
                  "error": error, "rows": MESSAGES,
                  "prepared_without_assistant_only_loss": [{"input_ids": r["input_ids"], "labels": r["labels"]}
                                                           for r in plain.train_dataset]})
    with open(OUT, "w") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(cases)} cases -> {OUT}")


if __name__ == "__main__":
    main()
