"""Regenerates the synthetic tokenizers in Tests/Fixtures/tokenizers/synthetic-* and their
golden outputs Tests/Fixtures/golden/components.jsonl with HF `tokenizers`.

The real tokenizers (mistral-v1, tekken) use only some components; these small ones cover
the rest (Metaspace, NFKC/NFC/Lowercase/Strip, every Split behaviour and invert, GPT-2
ByteLevel with offset trimming, Whitespace, continuing_subword_prefix, added-token options).
The later ones cover WordPiece (BERT-style, with every BertNormalizer option, Digits,
Punctuation behaviours, CharDelimiterSplit, WordPiece decoder, truncation and padding
sections), Unigram from real SentencePiece training (Precompiled charsmap, byte fallback,
Nmt), RoBERTa processing, CTC decoding and a SentencePiece BPE vocabulary holding U+FEFF;
with pairs (`encode(text, pair)`) where the post-processor has a pair form.
Optional tooling: `swift test` only reads the files this script writes.

It also writes Tests/Fixtures/golden/truncation.jsonl: committed tokenizers of every
post-processor kind (Bert, Roberta, Template, ByteLevel + Template, none) with `truncation`
(every strategy and direction, `stride`, `max_length` 0 or all special tokens) and `padding`
sections set in the document, as a file would set them; for single texts, pairs and batches,
the encoding with its `overflowing` pieces (recursively), or the error HF gives.

usage: python3 make_component_goldens.py [--retrain] [--truncation-only]
       (needs `pip install tokenizers==0.23.3 sentencepiece`)
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

# Texts added for the WordPiece / Unigram / BERT / Precompiled families (and run on every
# tokenizer): stacked combining marks that NFC/NFKC compose out of order, a byte order mark,
# digit and punctuation runs, white-space runs, very long words, control characters.
MORE_TEXTS = [
    "e\u0301\u0323 a\u0308\u0304x o\u0323\u0302 u\u031B\u0301 A\u030A\u0301 e\u0323\u0301",
    "\u1100\u1161\u11A8\u1100\u1161 \u1112\u1161\u11AB\u1100\u1173\u11AF \uAC00\u11A8",
    "\u0915\u093C\u094D\u0937 \u0928\u093C \u0B95\u0BCD\u0BB7 \u0B9F\u0BC6\u0BBE \u0DC1\u0DCA\u0DBB\u0DD3",
    "\ufeff\ufeffBOM start \ufeff mid\ufeffword end\ufeff",
    "1234567890 12,345.67 ٣٤٥ ½ Ⅻ x²³",
    "!!! ??? ... --- (([{<>}])) \"quoted\" 'single' ¿¡ «»",
    "a  b   c\t\td\n\n\ne \u00a0 f\u3000g\u2028h",
    "supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "ctrl\u0000chars\u0007and\u200bzero\u200dwidth\ufffdreplacement\u00adsoft",
    "中文字符和日本語の漢字 한국어 กขค العربية עברית",
    "I'm don't you're we've it's (CHAT) <|user|> Hello!! How are you?",
    "hello hello hello llama lllama",
    "  mixed: Latin日本語カタカナーひらがな한국어 Ελληνικά русский 123 e\u0301 ١٢٣ abc-def  ",
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。ｶﾀｶﾅ ＡＢＣ １２３",
]

# Pairs encoded with `encode(text, pair)` on the tokenizers whose post-processor has a pair form.
PAIRS = [
    ("Hello world", "How are you?"),
    ("", "second only"),
    ("first only", ""),
    ("The quick brown fox jumps over the lazy dog again and again", "short"),
    ("Café naïve e\u0301\u0323", "中文 1234"),
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


WORDPIECE_CORPUS = CORPUS + [t for t in MORE_TEXTS] * 2


def train_wordpiece(tok, vocab_size=500, **kwargs):
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"], show_progress=False, **kwargs)
    tok.train_from_iterator(WORDPIECE_CORPUS, trainer)


def bert_uncased():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=16))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    train_wordpiece(tok)
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    return tok


def bert_cased():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", continuing_subword_prefix="@@", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=None, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.Punctuation(behavior="contiguous")])
    tok.decoder = decoders.WordPiece(prefix="@@", cleanup=False)
    train_wordpiece(tok, continuing_subword_prefix="@@")
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return tok


def bert_strip_accents():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=8))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.CharDelimiterSplit(" "), pre_tokenizers.Digits(individual_digits=False),
        pre_tokenizers.Punctuation(behavior="merged_with_previous")])
    tok.decoder = decoders.WordPiece()
    train_wordpiece(tok)
    tok.enable_truncation(max_length=10, stride=0, strategy="longest_first", direction="right")
    tok.enable_padding(direction="right", pad_id=tok.token_to_id("[PAD]"), pad_type_id=3, pad_token="[PAD]", length=12)
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    return tok


def punctuation_behaviours():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKD(), normalizers.StripAccents(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Whitespace(), pre_tokenizers.Punctuation(behavior="merged_with_next"),
        pre_tokenizers.Punctuation(behavior="removed"), pre_tokenizers.Punctuation(behavior="isolated")])
    tok.decoder = decoders.WordPiece(cleanup=True)
    train_wordpiece(tok)
    tok.enable_truncation(max_length=10, strategy="only_first", direction="left")
    tok.enable_padding(direction="left", pad_id=tok.token_to_id("[PAD]"), pad_to_multiple_of=8)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A:1 [SEP]", pair="[CLS] $A [SEP] [SEP]:2 $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    return tok


def roberta():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=500, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(WORDPIECE_CORPUS, trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False, special=True)])
    tok.enable_truncation(max_length=12, strategy="longest_first")
    return tok


def ctc_chars():
    chars = sorted({c for text in WORDPIECE_CORPUS for c in text.lower() if not c.isspace()})
    vocab = {"<pad>": 0, "<unk>": 1, "|": 2}
    for c in chars:
        vocab.setdefault(c, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.Lowercase(), normalizers.Replace(" ", "|")])
    tok.pre_tokenizer = pre_tokenizers.Split(tokenizers.Regex("."), behavior="isolated")
    tok.decoder = decoders.CTC(pad_token="<pad>", word_delimiter_token="|", cleanup=True)
    return tok


def _spm_model(model_type, **kwargs):
    """Trains a SentencePiece model (the `sentencepiece` package) and reads its pieces and
    precompiled charsmap from the protobuf by hand (no protobuf package needed)."""
    import io
    import sentencepiece as spm

    stream = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(WORDPIECE_CORPUS * 4), model_writer=stream, model_type=model_type,
        vocab_size=kwargs.pop("vocab_size", 300), minloglevel=2, hard_vocab_limit=False, **kwargs)
    return _parse_model_proto(stream.getvalue())


def _varint(data, i):
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def _fields(data):
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 1:
            value, i = data[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(data, i)
            value, i = data[i:i + n], i + n
        elif wire == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield field, wire, value


def _parse_model_proto(data):
    import struct
    pieces, charsmap = [], b""
    for field, _, value in _fields(data):
        if field == 1:  # SentencePiece
            piece = {"score": 0.0, "type": 1}
            for f, _, v in _fields(value):
                if f == 1:
                    piece["piece"] = v.decode("utf-8")
                elif f == 2:
                    piece["score"] = struct.unpack("<f", v)[0]
                elif f == 3:
                    piece["type"] = v
            pieces.append(piece)
        elif field == 3:  # NormalizerSpec
            for f, _, v in _fields(value):
                if f == 2:
                    charsmap = bytes(v)
    return pieces, charsmap


def unigram_precompiled():
    # What transformers' SpmConverter builds for a T5 / ALBERT / XLM-R style model.
    pieces, charsmap = _spm_model("unigram", byte_fallback=False)
    vocab = [(p["piece"], p["score"]) for p in pieces]
    unk_id = next(i for i, p in enumerate(pieces) if p["type"] == 2)
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(charsmap), normalizers.Replace(tokenizers.Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    eos = next(i for i, p in enumerate(pieces) if p["piece"] == "</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)])
    return tok


def unigram_byte_fallback():
    # A Llama/Gemma-style Unigram: byte fallback, no charsmap (identity normalizer), Nmt.
    pieces, _ = _spm_model("unigram", byte_fallback=True, normalization_rule_name="identity", vocab_size=700)
    vocab = [(p["piece"], p["score"]) for p in pieces]
    unk_id = next(i for i, p in enumerate(pieces) if p["type"] == 2)
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=True))
    tok.normalizer = normalizers.Sequence([normalizers.Nmt(), normalizers.NFKC()])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tok.decoder = decoders.Sequence([
        decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    return tok


def spm_bpe_bom():
    # SentencePiece-style BPE with byte fallback whose vocabulary holds U+FEFF as one piece.
    pieces, _ = _spm_model("bpe", byte_fallback=True, normalization_rule_name="identity", vocab_size=700,
                           user_defined_symbols=["\ufeff"])
    vocab = {p["piece"]: i for i, p in enumerate(pieces)}
    merges = []
    tok = Tokenizer(models.BPE(vocab=vocab, merges=_bpe_merges(vocab, pieces), unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.decoder = decoders.Sequence([
        decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", vocab["<s>"])])
    return tok


def _bpe_merges(vocab, pieces):
    # transformers' SentencePieceExtractor: every split of a piece into two pieces, ordered by
    # the merged piece's score (then its id).
    merges = []
    for merged, merged_id in vocab.items():
        for k in range(1, len(merged)):
            left, right = merged[:k], merged[k:]
            if left in vocab and right in vocab:
                merges.append((pieces[merged_id]["score"], merged_id, vocab[left], vocab[right], left, right))
    merges.sort(key=lambda m: (-m[0], m[1], m[2], m[3]))
    return [(m[4], m[5]) for m in merges]


def unicode_scripts():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=50))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.UnicodeScripts(), pre_tokenizers.WhitespaceSplit()])
    tok.decoder = decoders.WordPiece()
    train_wordpiece(tok)
    return tok


def unicode_scripts_only():
    tok = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.UnicodeScripts()
    return tok


def _spm_real(file_name):
    """A real SentencePiece model shipped in the `sentencepiece` 0.2.0 source distribution
    (Apache-2.0; `pip download sentencepiece==0.2.0 --no-binary :all: --no-deps`, then set
    SPM_TESTS to its `test/` folder), converted as transformers' SpmConverter converts a
    Unigram model (T5, ALBERT, XLM-R): Unigram + Precompiled + Metaspace."""
    folder = os.environ.get("SPM_TESTS")
    if not folder:
        raise SystemExit("set SPM_TESTS to sentencepiece-0.2.0/test to rebuild the real SentencePiece tokenizers")
    with open(os.path.join(folder, file_name), "rb") as f:
        pieces, charsmap = _parse_model_proto(f.read())
    vocab = [(p["piece"], p["score"]) for p in pieces]
    unk_id = next(i for i, p in enumerate(pieces) if p["type"] == 2)
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(charsmap), normalizers.Replace(tokenizers.Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    eos = next((i for i, p in enumerate(pieces) if p["piece"] == "</s>"), None)
    if eos is not None:
        tok.post_processor = processors.TemplateProcessing(
            single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)])
    return tok


BUILDERS = {
    "synthetic-metaspace": metaspace,
    "synthetic-metaspace-first": metaspace_first,
    "synthetic-splits": splits,
    "synthetic-bytelevel": byte_level,
    "synthetic-whitespace": whitespace,
    "synthetic-bert-uncased": bert_uncased,
    "synthetic-bert-cased": bert_cased,
    "synthetic-bert-strip-accents": bert_strip_accents,
    "synthetic-punctuation": punctuation_behaviours,
    "synthetic-roberta": roberta,
    "synthetic-ctc": ctc_chars,
    "synthetic-unigram-precompiled": unigram_precompiled,
    "synthetic-unigram-byte-fallback": unigram_byte_fallback,
    "synthetic-spm-bpe-bom": spm_bpe_bom,
    "synthetic-unicode-scripts": unicode_scripts,
    "synthetic-unicode-scripts-only": unicode_scripts_only,
    "spm-test-model": lambda: _spm_real("test_model.model"),
    "spm-test-ja-model": lambda: _spm_real("test_ja_model.model"),
}

# The tokenizers that existed before MORE_TEXTS and pairs were added keep their case ids.
ORIGINAL = {"synthetic-metaspace", "synthetic-metaspace-first", "synthetic-splits", "synthetic-bytelevel", "synthetic-whitespace"}


# Tokenizers whose file gets truncation/padding sections for truncation.jsonl.
TRUNCATION_TOKENIZERS = ["synthetic-bert-uncased", "synthetic-punctuation", "synthetic-roberta", "synthetic-bytelevel",
                         "synthetic-metaspace-first", "synthetic-unigram-precompiled"]

# (name, truncation section, padding section): every strategy, direction and stride case.
TRUNCATION_VARIANTS = [
    ("longest-right-stride2", {"max_length": 8, "stride": 2, "strategy": "LongestFirst", "direction": "Right"}, None),
    ("longest-left-stride3", {"max_length": 9, "stride": 3, "strategy": "LongestFirst", "direction": "Left"}, None),
    ("only-first-right-stride1", {"max_length": 9, "stride": 1, "strategy": "OnlyFirst", "direction": "Right"}, None),
    ("only-first-left-stride0", {"max_length": 7, "stride": 0, "strategy": "OnlyFirst", "direction": "Left"}, None),
    ("only-second-right-stride2", {"max_length": 10, "stride": 2, "strategy": "OnlySecond", "direction": "Right"}, None),
    ("only-second-left-stride1", {"max_length": 8, "stride": 1, "strategy": "OnlySecond", "direction": "Left"}, None),
    ("max-length-zero", {"max_length": 0, "stride": 0, "strategy": "LongestFirst", "direction": "Right"}, None),
    ("max-length-specials", {"max_length": 2, "stride": 1, "strategy": "LongestFirst", "direction": "Right"}, None),
    ("stride-too-large", {"max_length": 6, "stride": 5, "strategy": "LongestFirst", "direction": "Right"}, None),
    ("fixed-padding", {"max_length": 10, "stride": 2, "strategy": "LongestFirst", "direction": "Right"},
     {"strategy": {"Fixed": 12}, "direction": "Left", "pad_to_multiple_of": None, "pad_id": 0, "pad_type_id": 5, "pad_token": "[PAD]"}),
    ("batch-longest-padding", {"max_length": 11, "stride": 4, "strategy": "OnlyFirst", "direction": "Left"},
     {"strategy": "BatchLongest", "direction": "Right", "pad_to_multiple_of": 4, "pad_id": 1, "pad_type_id": 0, "pad_token": "[PAD]"}),
]

TRUNCATION_SINGLES = [
    "short",
    "The quick brown fox jumps over the lazy dog 1234567890 times, and again.",
    "Café naïve e\u0301\u0323 résumé 中文 tokens one two three four five six seven eight nine ten",
]
TRUNCATION_PAIRS = [
    ("Hello world", "How are you?"),
    ("The quick brown fox jumps over the lazy dog again and again", "short"),
    ("a b", "The quick brown fox jumps over the lazy dog again and again and again"),
    ("one two three four", "alpha beta gamma"),
    ("", "second only here"),
]


def _encoding_json(enc):
    return {"ids": enc.ids, "offsets": [list(o) for o in enc.offsets], "type_ids": enc.type_ids,
            "attention_mask": enc.attention_mask, "overflowing": [_encoding_json(o) for o in enc.overflowing]}


def _error_kind(error):
    message = str(error)
    if "Second sequence not provided" in message:
        return "second_sequence_not_provided"
    if "too short" in message:
        return "sequence_too_short"
    if "stride" in message:
        return "stride_too_large"
    raise error


def truncation_goldens():
    """truncation.jsonl: the committed tokenizer files with the sections of each variant set."""
    rows = []
    for name in TRUNCATION_TOKENIZERS:
        with open(os.path.join(FIXTURES, "tokenizers", name, "tokenizer.json"), encoding="utf-8") as f:
            document = json.load(f)
        for variant, truncation, padding in TRUNCATION_VARIANTS:
            document["truncation"] = truncation
            document["padding"] = padding
            tok = Tokenizer.from_str(json.dumps(document))  # as a file with these sections loads
            requests = [("single", i, text, None) for i, text in enumerate(TRUNCATION_SINGLES)]
            requests += [("pair", i, a, b) for i, (a, b) in enumerate(TRUNCATION_PAIRS)]
            for kind, index, text, pair in requests:
                for add in (False, True):
                    row = {"id": f"{name}-{variant}-{kind}{index}-{int(add)}", "tokenizer": name,
                           "truncation": truncation, "padding": padding, "text": text, "add_special_tokens": add}
                    if pair is not None:
                        row["pair"] = pair
                    try:
                        enc = tok.encode(text, pair, add_special_tokens=add) if pair is not None else tok.encode(text, add_special_tokens=add)
                        row["expected"] = _encoding_json(enc)
                    except BaseException as error:  # HF raises, or panics (stride)
                        row["error"] = _error_kind(error)
                    rows.append(row)
            for add in (False, True):
                row = {"id": f"{name}-{variant}-batch-{int(add)}", "tokenizer": name,
                       "truncation": truncation, "padding": padding, "batch": TRUNCATION_SINGLES, "add_special_tokens": add}
                try:
                    row["expected_batch"] = [_encoding_json(e) for e in tok.encode_batch(TRUNCATION_SINGLES, add_special_tokens=add)]
                except BaseException as error:
                    row["error"] = _error_kind(error)
                rows.append(row)
    with open(os.path.join(FIXTURES, "golden", "truncation.jsonl"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{len(rows)} truncation cases, tokenizers {tokenizers.__version__}")


def main():
    truncation_goldens()
    if "--truncation-only" in sys.argv[1:]:
        return
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
        cases = [(f"{name}-{i}", text, None) for i, text in enumerate(TEXTS)]
        cases += [(f"{name}-more{i}", text, None) for i, text in enumerate(MORE_TEXTS)]
        if name not in ORIGINAL and tok.post_processor is not None:
            cases += [(f"{name}-pair{i}", a, b) for i, (a, b) in enumerate(PAIRS)]
        for case_id, text, pair in cases:
            for add in (False, True):
                try:
                    enc = tok.encode(text, pair, add_special_tokens=add) if pair is not None else tok.encode(text, add_special_tokens=add)
                except BaseException as error:  # HF refuses (e.g. a stride too large for the truncated length)
                    print(f"skipped {case_id}-{int(add)}: {str(error)[:80]}")
                    continue
                row = {
                    "id": f"{case_id}-{int(add)}", "tokenizer": name, "text": text, "add_special_tokens": add,
                    "expected": {"ids": enc.ids, "offsets": [list(o) for o in enc.offsets],
                                 "type_ids": enc.type_ids, "attention_mask": enc.attention_mask},
                    "decoded": tok.decode(enc.ids, skip_special_tokens=False),
                    "decoded_skip_special": tok.decode(enc.ids, skip_special_tokens=True),
                }
                if pair is not None:
                    row["pair"] = pair
                rows.append(row)
    with open(os.path.join(FIXTURES, "golden", "components.jsonl"), "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(os.path.join(FIXTURES, "golden", "VERSIONS-components.json"), "w") as f:
        json.dump({"tokenizers": tokenizers.__version__}, f)
    print(f"{len(rows)} cases, tokenizers {tokenizers.__version__}")


if __name__ == "__main__":
    main()
