"""Regenerates the synthetic tokenizers in Tests/Fixtures/tokenizers/synthetic-* and their
golden outputs Tests/Fixtures/golden/components.jsonl with HF `tokenizers`.

The real tokenizers (mistral-v1, tekken) use only some components; these small ones cover
the rest (Metaspace, NFKC/NFC/Lowercase/Strip, every Split behaviour and invert, GPT-2
ByteLevel with offset trimming, Whitespace, continuing_subword_prefix, added-token options).
Optional tooling: `swift test` only reads the files this script writes.

usage: python3 make_component_goldens.py [--retrain]   (needs `pip install tokenizers`)
"""
import json
import os
import sys

import tokenizers
from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)

CORPUS = [
    "Hello world, this is a small corpus for training tiny BPE models.",
    "The quick brown fox jumps over the lazy dog 1234567890 times.",
    "def tokenize(text): return [t for t in text.split(' ') if t]",
    "Café naïve résumé über straße façade — “quoted” ‘text’ …",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ ① ② ﬁle ﬂow ½ x² İstanbul ΣΑΣ",
    "日本語のテキスト 中文 한국어 текст на русском языке",
    "emoji 😀🎉 family 👨‍👩‍👧 flags 🇫🇷 tabs\tand\nnewlines\r\n  indented",
    "pony ony phony ony. hello world Hello World <mask> a-b-c 3.14,2.71",
] * 3

TEXTS = [
    "",
    " ",
    "Hello world",
    "  Hello   world  ",
    "hello world, Hello World and HELLO WORLD",
    "a <mask> b",
    "a<mask>b",
    "x  <mask>  y <mask>",
    "<mask>",
    "pony ony ony. ony,ony",
    "Café naïve résumé e\u0301 ﬁle ①②③ x²",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ",
    "İstanbul ΣΑΣ straße",
    "日本語のテキスト 中文 한국어",
    "emoji 😀🎉 family 👨‍👩‍👧 flags 🇫🇷",
    "tabs\tand\nnewlines\r\n  indented\n\n",
    "a-b-c 3.14,2.71 x1y22z333",
    "def tokenize(text): return [t for t in text.split(' ') if t]",
    "The QUICK Brown fox jumps over the lazy dog.",
    "unknown chars: ☃ ✈ ♞ 𝔘𝔫𝔦",
    "   leading and trailing   ",
    "end with mask <mask>",
    # Two-part vowel signs whose second part (combining class 0) composes with the first under
    # NFC/NFKC: Tamil, Bengali, Oriya, Malayalam, Sinhala, Kannada, Myanmar, Balinese.
    "Tamil \u0BC6\u0BBE \u0BC6\u0BD7 Bengali \u09C7\u09BE Oriya \u0B47\u0B3E \u0B47\u0B56 Malayalam \u0D46\u0D3E "
    "Sinhala \u0DD9\u0DCF Kannada \u0CBF\u0CD5 Myanmar \u1025\u102E Balinese \u1B05\u1B35",
    # Hangul jamo, halfwidth katakana with a voicing mark (NFKC), Tibetan vowels that decompose
    # into non-starters.
    "Hangul \u1100\u1161\u11A8 kana \uFF76\uFF9E\uFF8A\uFF9F Tibetan \u0F40\u0F73 \u0F40\u0F75\u0F71",
]


def train(tok, vocab_size=400, **kwargs):
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>"], show_progress=False, **kwargs)
    tok.train_from_iterator(CORPUS, trainer)


def metaspace():
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    train(tok)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=True, normalized=False, special=True)])
    tok.add_tokens([AddedToken("hello world", normalized=True), AddedToken("ony", single_word=True, normalized=True)])
    tok.post_processor = processors.TemplateProcessing(
        single="<unk> $A <mask>", special_tokens=[("<unk>", tok.token_to_id("<unk>")), ("<mask>", tok.token_to_id("<mask>"))])
    return tok


def metaspace_first():
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.Strip(left=True, right=True), normalizers.NFC()])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    train(tok)
    tok.add_special_tokens([AddedToken("<mask>", normalized=False, special=True)])
    return tok


def splits():
    tok = Tokenizer(models.BPE(unk_token="<unk>", continuing_subword_prefix="##"))
    tok.normalizer = normalizers.Sequence([
        normalizers.NFD(), normalizers.Replace(tokenizers.Regex(r"\p{Mn}"), ""), normalizers.Lowercase(),
        normalizers.Replace("hello", "hi"), normalizers.Strip(left=False, right=True)])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(tokenizers.Regex(r"\s+"), behavior="removed"),
        pre_tokenizers.Split(tokenizers.Regex(r"\d"), behavior="merged_with_previous"),
        pre_tokenizers.Split("-", behavior="merged_with_next"),
        pre_tokenizers.Split(tokenizers.Regex(r"[.,]"), behavior="contiguous"),
        pre_tokenizers.Split(tokenizers.Regex(r"[a-z]+"), behavior="isolated", invert=True),
    ])
    tok.decoder = decoders.Sequence([decoders.Replace("##", ""), decoders.Fuse(), decoders.Strip(" ", 1, 0)])  # stop > 0 panics in HF on an empty token
    train(tok, continuing_subword_prefix="##")
    tok.add_special_tokens([AddedToken("<mask>", normalized=False, special=True, single_word=True)])
    return tok


def byte_level():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    train(tok, vocab_size=500, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False, special=True)])
    tok.add_tokens([AddedToken(" world", normalized=False, rstrip=True)])
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=True, add_prefix_space=True),
        processors.TemplateProcessing(single="<unk> $A", special_tokens=[("<unk>", tok.token_to_id("<unk>"))]),
    ])
    return tok


def whitespace():
    tok = Tokenizer(models.BPE(unk_token="<unk>", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Whitespace()])
    train(tok, end_of_word_suffix="</w>")
    tok.add_special_tokens([AddedToken("<mask>", normalized=True, special=True)])
    return tok


BUILDERS = {
    "synthetic-metaspace": metaspace,
    "synthetic-metaspace-first": metaspace_first,
    "synthetic-splits": splits,
    "synthetic-bytelevel": byte_level,
    "synthetic-whitespace": whitespace,
}


def main():
    # BPE training is not reproducible across `tokenizers` versions (ties break differently), so
    # the committed tokenizers are kept unless --retrain is given; goldens are always rewritten.
    retrain = "--retrain" in sys.argv[1:]
    rows = []
    for name, build in BUILDERS.items():
        folder = os.path.join(FIXTURES, "tokenizers", name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "tokenizer.json")
        if retrain or not os.path.exists(path):
            build().save(path)
        tok = Tokenizer.from_file(path)  # goldens come from the saved file, as Swift reads it
        for index, text in enumerate(TEXTS):
            for add in (False, True):
                enc = tok.encode(text, add_special_tokens=add)
                rows.append({
                    "id": f"{name}-{index}-{int(add)}", "tokenizer": name, "text": text, "add_special_tokens": add,
                    "expected": {"ids": enc.ids, "offsets": [list(o) for o in enc.offsets]},
                    "decoded": tok.decode(enc.ids, skip_special_tokens=False),
                    "decoded_skip_special": tok.decode(enc.ids, skip_special_tokens=True),
                })
    with open(os.path.join(FIXTURES, "golden", "components.jsonl"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(os.path.join(FIXTURES, "golden", "VERSIONS-components.json"), "w") as f:
        json.dump({"tokenizers": tokenizers.__version__}, f)
    print(f"{len(rows)} cases, tokenizers {tokenizers.__version__}")


if __name__ == "__main__":
    main()
