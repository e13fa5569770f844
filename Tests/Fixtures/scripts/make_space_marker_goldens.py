"""Writes Tests/Fixtures/golden/space_marker.jsonl: HF `tokenizers` encodings (ids and
offsets, no special tokens) of long chat-like texts on the SentencePiece-style BPE
tokenizers, which Collate cuts at "▁" (U+2581) when the vocabulary allows it, and writes
Tests/Fixtures/tokenizers/synthetic-spm-bpe-marker-inside/tokenizer.json: a tiny
SentencePiece-style BPE whose vocabulary has "a▁b" (a merge across a "▁"), where Collate must
not cut, with its own goldens in the same file.

Texts: many words, single spaces, runs of spaces, tabs and newlines, accented and CJK text,
emoji (byte fallback on mistral-v1), and scalars missing from the vocabularies (unknown
tokens where there is no byte fallback). Seeded, so reruns give the same file.
Optional tooling: `swift test` only reads the files this script writes.

usage: /tmp/refenv/bin/python make_space_marker_goldens.py   (needs tokenizers==0.23.3)
"""
import json
import os
import random

import tokenizers
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)
GOLDEN = os.path.join(FIXTURES, "golden", "space_marker.jsonl")
TINY = "synthetic-spm-bpe-marker-inside"

WORDS = (
    "the a of to and in is it you that he was for on are with as I his they be at one have "
    "this from or had by hot word but what some we can out other were all there when up use "
    "your how said an each she which do their time if will way about many then them write "
    "def return self None import print class lambda yield async await [1, 2, 3] {x: y} (a+b)*c "
    "café naïve über façade résumé Ångström smörgåsbord "
    "日本語 中文 한국어 Ελληνικά русский עברית العربية "
    "😀 🚀 👩‍💻 🇫🇷 ∑ ≤ ∞ ⟨ψ⟩ ▁ ▁▁ a▁b"
).split(" ")
SEPARATORS = [" "] * 30 + ["  ", "   ", "    ", "        ", "\t", "\n", "\n\n", " \n ", "\u3000", ""]


def chat_text(rng, words):
    turn = [rng.choice(["User: ", "Assistant: ", "", "  ", " "])]
    for _ in range(words):
        turn.append(rng.choice(WORDS))
        turn.append(rng.choice(SEPARATORS))
    turn.append(rng.choice(["", " ", "  ", "\n"]))
    return "".join(turn)


def texts():
    rng = random.Random(20261129)
    result = [
        "a b", "a  b", " a b ", "a▁b", "x a b y", "ab ab a b", "▁", "▁▁a", "a▁", "  ", "",
        "zzz q a b", "Hello world, this is a test.",
    ]
    for words in [5, 20, 60, 200]:
        for _ in range(3):
            result.append(chat_text(rng, words))
    result.append(chat_text(rng, 700))
    return result


def tiny_tokenizer():
    vocab = {"<unk>": 0, "▁": 1, "a": 2, "b": 3, "c": 4, "x": 5, "y": 6,
             "a▁": 7, "a▁b": 8, "▁a": 9, "bc": 10, "▁x": 11, "▁▁": 12}
    merges = [["a", "▁"], ["a▁", "b"], ["▁", "a"], ["b", "c"], ["▁", "x"], ["▁", "▁"]]
    document = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": 0, "content": "<unk>", "single_word": False, "lstrip": False,
                          "rstrip": False, "normalized": False, "special": True}],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        "pre_tokenizer": None,
        "post_processor": None,
        "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>",
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": True, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }
    folder = os.path.join(FIXTURES, "tokenizers", TINY)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as file:
        json.dump(document, file, ensure_ascii=False, indent=1)
        file.write("\n")


def main():
    tiny_tokenizer()
    names = ["mistral-v1", "mistral-v1-chatml", "synthetic-spm-bpe-bom", "synthetic-metaspace", TINY]
    with open(GOLDEN, "w", encoding="utf-8") as out:
        for name in names:
            tokenizer = Tokenizer.from_file(os.path.join(FIXTURES, "tokenizers", name, "tokenizer.json"))
            for text in texts():
                encoding = tokenizer.encode(text, add_special_tokens=False)
                out.write(json.dumps({"tokenizer": name, "text": text, "ids": encoding.ids,
                                      "offsets": [list(pair) for pair in encoding.offsets]},
                                     ensure_ascii=False) + "\n")
    with open(os.path.join(FIXTURES, "golden", "VERSIONS-space-marker.json"), "w") as file:
        json.dump({"tokenizers": tokenizers.__version__, "texts": len(texts()), "tokenizers_covered": names},
                  file, indent=2)
        file.write("\n")
    print(f"wrote {GOLDEN} with tokenizers {tokenizers.__version__}")


if __name__ == "__main__":
    main()
