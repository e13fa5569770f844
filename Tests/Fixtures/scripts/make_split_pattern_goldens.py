#!/usr/bin/env python3
"""Goldens for Collate's hand-written split-pattern matchers: the matches HF tokenizers'
Oniguruma engine finds for the published split patterns (GPT-2, Llama 3 / cl100k, Qwen2,
Tekken, HF Whitespace's `\\w+|[^\\w\\s]+`, `.`, and the ` {2,}` of SentencePiece conversions'
`Replace` normalizer) on every text of the tokenizer goldens plus edge cases (apostrophes in
every case, line breaks, Unicode 17 scalars, vowel signs, marks).

Run with tokenizers 0.23.3:  python make_split_pattern_goldens.py
Writes Tests/Fixtures/golden/split_patterns.jsonl: one line per text,
{"text": ..., "matches": {pattern name: [[start, end], ...]}} in Unicode scalar offsets
(`dot` only for texts of at most 300 characters).
"""
import json
import pathlib

import tokenizers
from tokenizers import Regex, pre_tokenizers

ROOT = pathlib.Path(__file__).resolve().parent.parent
PATTERNS = {
    "gpt2": r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
    "llama3": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "qwen2": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "tekken": r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "words": r"\w+|[^\w\s]+",
    "dot": r".",
    # The `Replace` normalizer of SentencePiece conversions (T5, ALBERT, XLM-R): runs of spaces.
    "spaces": r" {2,}",
}
EDGE_CASES = [
    "", " ", "  ", "\n", "\r\n", " \r\n \n\t x", "a  \n\n  b  ", "x \t\u00a0\u3000y", "trailing   ",
    "it's IT'S It'Ll we'VE they'RE I'M he'D 'sx 'ſ 'ſt '' ' s", "don't you'll we've 're 'm 'd 't",
    "CamelCaseWord ABCdef abcDEF ǅungla ǈj Ǌ ʰʱ x\u0301y Ą\u0328b \u0301\u0301A",
    "12345678 ¹²³ ¼½¾ ٣٤٥ 𝟘𝟙 Ⅻ 1/2 3.14",
    "path/to/file.py\n//comment\n/\r\n!?/ \n", "a,b;c...d!!!e", " ,x  ,  y",
    "Tamil ொ ௌ Bengali ো Oriya ୋ ୈ Malayalam ൊ Sinhala ො Kannada ೀ", "क़्ष ऩ க்ஷ டொ ශ්රී",
    "ʕʔʕ \u0295a A\u0295", "\u1acf\u1ad0 \u088f \u0c5c \ua7ce\ua7cf \U00011de0\U00011de1 \U00016ff4",
    "zero\u200cwidth\u200djoiner \u00ad soft hyphen", "emoji 👍🏽 👨‍👩‍👧 🇫🇷!", "中文字符，日本語のテキスト。한국어 텍스트",
    "tabs\tand\nnewlines\r\n  indented\n\n", "\r\r\r a\rb", "ﬁ ﬀ Ǳ ǲ ǳ ᾈ ᾼ",
]


def main():
    texts = []
    seen = set()
    for name in ("tokenizers.jsonl", "components.jsonl"):
        for line in (ROOT / "golden" / name).read_text(encoding="utf-8").split("\n"):
            if not line:
                continue
            case = json.loads(line)
            for text in (case["text"], case.get("pair")):
                if text is not None and text not in seen:
                    seen.add(text)
                    texts.append(text)
    for text in EDGE_CASES:
        if text not in seen:
            seen.add(text)
            texts.append(text)
    splitters = {name: pre_tokenizers.Split(Regex(p), "isolated") for name, p in PATTERNS.items()}
    removers = {name: pre_tokenizers.Split(Regex(p), "removed") for name, p in PATTERNS.items()}
    out = ROOT / "golden" / "split_patterns.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for text in texts:
            matches = {}
            for name in PATTERNS:
                if name == "dot" and len(text) > 300:
                    continue  # one match per scalar: long texts only make the file big
                pieces = [o for _, o in splitters[name].pre_tokenize_str(text)]
                kept = {o for _, o in removers[name].pre_tokenize_str(text)}
                # Isolated gives every piece; the ones Removed drops are the matches.
                matches[name] = [list(o) for o in pieces if o not in kept]
            f.write(json.dumps({"text": text, "matches": matches}, ensure_ascii=False) + "\n")
    (ROOT / "golden" / "VERSIONS-split-patterns.json").write_text(
        json.dumps({"tokenizers": tokenizers.__version__, "texts": len(texts)}, indent=2) + "\n")
    print(f"{len(texts)} texts -> {out}")


if __name__ == "__main__":
    main()
