"""Regenerates Tests/Fixtures/golden/llama-tokenizer-class.jsonl: for the repository's Llama-class
SentencePiece tokenizers (`tokenizer_class: "LlamaTokenizer"`, `legacy: false`), the ids of

- `tokenizers` 0.23.3 reading tokenizer.json (`Tokenizer.from_file`, = `PreTrainedTokenizerFast(tokenizer_file=...)`),
  which is what Collate reproduces;
- transformers 5.23 `AutoTokenizer.from_pretrained(folder)`: `LlamaTokenizer.__init__`
  (models/llama/tokenization_llama.py) drops tokenizer.json's normalizer (`Prepend("▁")` +
  `Replace(" ", "▁")`) and installs `Metaspace(prepend_scheme=...)`, "first" with `legacy=False`;
- the same with `legacy=True` ("always").

Each line: {"tokenizer", "text", "tokenizer_json", "auto_tokenizer", "legacy_true"}, all ids
without special tokens added. Used by Guides/Masking.md's "Token ids and AutoTokenizer" section.

usage: python3 make_llama_tokenizer_class_goldens.py   (needs transformers==5.23.*, tokenizers==0.23.3)
"""
import json
import os

import tokenizers
import transformers
from transformers import AutoTokenizer, LlamaTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)
OUT = os.path.join(FIXTURES, "golden", "llama-tokenizer-class.jsonl")

TEXTS = [
    "Hello world",
    " Hello",
    "  two spaces",
    "<s>Hello",
    "Hello</s> world",
    "Hi</s>\nthere",
    "[INST] Hi [/INST] Hello</s>[INST] Bye [/INST]",
    "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nCafé, 東京?<|im_end|>\n",
]


def main():
    assert transformers.__version__.startswith("5.23"), transformers.__version__
    lines = []
    for name in ["mistral-v1", "mistral-v1-chatml"]:
        folder = os.path.join(FIXTURES, "tokenizers", name)
        raw = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        auto = AutoTokenizer.from_pretrained(folder)
        assert type(auto).__name__ == "LlamaTokenizer" and auto.legacy is False
        legacy = LlamaTokenizer.from_pretrained(folder, legacy=True)
        for text in TEXTS:
            if "<|im_start|>" in text and name == "mistral-v1":
                continue
            lines.append({
                "tokenizer": name,
                "text": text,
                "tokenizer_json": raw.encode(text, add_special_tokens=False).ids,
                "auto_tokenizer": auto(text, add_special_tokens=False)["input_ids"],
                "legacy_true": legacy(text, add_special_tokens=False)["input_ids"],
            })
    with open(OUT, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"wrote {len(lines)} lines to {OUT}")


if __name__ == "__main__":
    main()
