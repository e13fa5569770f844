"""Outside-check attack on Collate's tokenizer.json parity claim (ids AND offsets vs HF
`tokenizers` 0.23.3) with vocabularies and texts the repository does not otherwise hold.

It builds tokenizers into a work folder (default /tmp/collate_tokattack), encodes every text
with HF `tokenizers`, runs `collate tokenize` on the same file and texts, and prints every
case whose ids or offsets differ. It also feeds malformed tokenizer.json files to
`collate tokenize` and prints what each one answers (a crash, a hang or a silent success is
reported as a finding).

Vocabularies (all from PyPI packages, none downloaded from the HF hub):
  * CLIP BPE: `open_clip/bpe_simple_vocab_16e6.txt.gz` from the `open_clip_torch` wheel,
    converted as transformers' CLIPConverter does (set OPEN_CLIP_VOCAB to the .gz file);
  * Whisper gpt2 / multilingual tiktoken files from the `openai-whisper` sdist
    (`whisper/assets/*.tiktoken`), converted as transformers' TikTokenConverter does
    (set WHISPER_ASSETS to that folder);
  * SentencePiece models trained on `sentencepiece-0.2.0/test/botchan.txt` with every
    normalization rule (nfkc, nmt_nfkc, nfkc_cf, nmt_nfkc_cf, identity), converted as
    transformers' SpmConverter / LlamaConverter do (set SPM_TESTS to that folder);
  * small `tokenizers`-trained models with unusual component settings.
Any family whose source is not set is skipped.

With --golden NAME[,NAME...] it also writes the named (small) tokenizers to
Tests/Fixtures/tokenizers/attack-NAME/ and all their cases to
Tests/Fixtures/golden/attack.jsonl, which `AttackParityTests` checks in full.

usage: python3 attack_tokenizers.py [--collate PATH] [--work DIR] [--only NAME,...] [--golden NAME,...] [--retrain]
       python3 attack_tokenizers.py --bad      (malformed tokenizer.json files only)
       (needs `pip install tokenizers==0.23.3 sentencepiece`)
"""
import base64
import gzip
import io
import json
import os
import subprocess
import sys

import tokenizers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)
sys.path.insert(0, HERE)

TEXTS = [
    "",
    " ",
    "   ",
    "\n",
    "\t \n \r\n",
    "Hello, world!",
    "<|user|>\nWhat is 2+2?<|end|>\n<|assistant|>\nIt's 4.<|end|>",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>",
    "[INST] Summarize: the cat sat on the mat. [/INST] A cat sat.</s>",
    "def f(x):\n    return x ** 2  # square\n\n\nclass A:\n\tpass\n",
    "for (int i = 0; i < n; ++i) { s += a[i]; }  // sum\r\n",
    "if x != y && y >= 0 || z <= -1: print(f\"{x!r:>10}\")",
    "我爱北京天安门。今天天气很好，我们去公园散步吧！",
    "東京都渋谷区で会議があります。カタカナ・ひらがなー、ｶﾀｶﾅ",
    "서울특별시 종로구 세종대로 175 안녕하세요",
    "ภาษาไทยเป็นภาษาที่ไม่มีการเว้นวรรคระหว่างคำ สวัสดีครับ",
    "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ والعربية ١٢٣٤",
    "עִבְרִית שָׁלוֹם",
    "हिन्दी में लिखा गया पाठ क्षत्रिय",
    "👨‍👩‍👧‍👦 👩🏽‍💻 🏳️‍🌈 🇯🇵🇺🇸 ❤️‍🔥 1️⃣ 🫠",
    "e\u0301 e\u0301\u0301\u0301 a\u0300\u0316\u0317\u0318 Z\u0351\u0352\u0353\u0354\u0355\u0356",
    "o\u0308\u0331 \u1e9b\u0323 \u0041\u030a \u212b \u2126 \ufb01 \u2460 \u00bd \u33a1",
    "ctrl \x00 nul \x01\x02\x1b[31mred\x1b[0m \x7f \x85 \u200b\u200c\u200d \ufeff \ufffe",
    "line\u2028sep\u2029para \u00a0nbsp\u3000ideo\u2003em\u205fmath",
    "a" * 120,
    "Pneumonoultramicroscopicsilicovolcanoconiosis " * 3,
    "x" * 1000,
    "word " * 60,
    "  leading  and   trailing  ",
    "MiXeD CaSe İSTANBUL ß ẞ ǅ ΣΑΣ ς Ω",
    "12345678901234567890 3.14159 1,000,000 ١٢٣ ๑๒๓ ½⅓",
    "https://example.com/path?q=1&r=two#frag user@example.org",
    "the <mask> is<mask>here <mask>",
    "[CLS] fake [SEP] [MASK] <s> </s> <unk> <pad>",
    "don't can't won't I'm you'll they've he'd IT'S",
    "\U0001d54f\U0001d552\U0001d565\U0001d560 \U00010348 \U0001F600\U0001F601",
    "\u0000",
    "日本語English混合テキストmixed123漢字",
    "!!!???...,,,;;;:::---___===+++***&&&%%%$$$###@@@",
    "tab\tseparated\tvalues\tand\u000bvertical\u000cform",
    "ﬀ ﬃ ﬅ ﾊﾟ ㍻ ㈱ ℡ ™ ㋀",
    "\u0e01\u0e34\u0e4a\u0e01 \u0e40\u0e01\u0e47\u0e48",
    "Ā̈ ǖ ḗ ṏ \u1e14\u0304",
    "\U000E0041\U000E0042 tag chars \U000F0000 private \ue000",
    # Scalars whose class differs between the toolchain's Unicode and the `unicode_categories`
    # crate HF takes BERT's control / mark / punctuation tests from: unassigned, newer Cf,
    # newer P*, newer Mn, and old ones the crate classes differently.
    "un\u0378assigned no\ufffech\uffffar \U0010ffff cf\u08e2x\u0890y\U000110cdz\U00013430w",
    "punct a\u061db a\u166db a\u2e43b a\U000111c9b a\u1b7db \u0f0d\u0f0e",
    "marks e\u0897 e\u1734 e\U0001171e e\u1ab0 e\u0301 e\u302a \u0e48",
    "ab xxc xx yy x yyxxyy  x y \U0001d518x\U0001F600y",
    # A composed two-part vowel followed by the length mark that composes with it again
    # (Foundation's NFC leaves "\u0CCA\u0CD5" alone; it is U+0CCB).
    "Kannada \u0CCB \u0CCA\u0CD5 \u0CC6\u0CC2\u0CD5 \u0C95\u0CCA\u0CD5 \u0CC6\u0CD5 \u0CCA\u0CD5\u0CD5",
    # Scalars newer than HF's normalization data (Unicode 9.0): no decomposition, class 0.
    "<|a|>b <|a|>  b a|>b x<|a|><|a|>bb <TURN>  hi  <turn> \uff26\uff35\uff2c\uff2c full FULL \u5929\u5929 \u5929 a\u5929 e\u0301 \u00e9 xe\u0301 Hello  HELLO",
    "new a\u0345\U0001E4EC b\u0345\u1DFA\u0316 \U00011938 \U00011935\U00011930 \u32FF \uA7F2 \U00010781 \U0001E030 x\u0301\U0001E4EC\u0316",
]

# Pairs (`encode(text, pair)`), on tokenizers with a post-processor: checked by the Swift
# tests only (`collate tokenize` encodes single texts).
PAIRS = [
    ("What is 2+2?", "It's 4."),
    ("", "only the second"),
    ("only the first", ""),
    ("我爱北京天安门", "ภาษาไทย \u0e01\u0e34\u0e4a"),
    ("def f(x):\n    return x", "e\u0301\u0323 \U0001F468\u200d\U0001F469 \x00"),
]


# ---------------------------------------------------------------------------------------------
# Real vocabularies

def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def clip():
    path = os.environ.get("OPEN_CLIP_VOCAB")
    if not path:
        return None
    merges = gzip.open(path).read().decode("utf-8").split("\n")
    merges = [tuple(m.split()) for m in merges[1:49152 - 256 - 2 + 1]]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    encoder = {v: i for i, v in enumerate(vocab)}
    # transformers' CLIPConverter
    tok = Tokenizer(models.BPE(vocab=encoder, merges=merges, dropout=None, continuing_subword_prefix="",
                               end_of_word_suffix="</w>", fuse_unk=False, unk_token="<|endoftext|>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.RobertaProcessing(
        ("<|endoftext|>", encoder["<|endoftext|>"]), ("<|startoftext|>", encoder["<|startoftext|>"]), False, False)
    tok.add_special_tokens([AddedToken("<|startoftext|>", normalized=True, special=True),
                            AddedToken("<|endoftext|>", normalized=True, special=True)])
    return tok


def _tiktoken(file_name, specials):
    folder = os.environ.get("WHISPER_ASSETS")
    if not folder:
        return None
    ranks = {}
    with open(os.path.join(folder, file_name)) as f:
        for line in f:
            if line.strip():
                token, rank = line.split()
                ranks[base64.b64decode(token)] = int(rank)
    byte_encoder = bytes_to_unicode()

    def to_str(b):
        return "".join(byte_encoder[x] for x in b)

    # transformers' TikTokenConverter.extract_vocab_merges_from_model
    vocab, merges = {}, []
    for token, rank in ranks.items():
        vocab[to_str(token)] = rank
        if len(token) == 1:
            continue
        local = []
        for i in range(1, len(token)):
            left, right = token[:i], token[i:]
            if left in ranks and right in ranks and (left + right) in ranks:
                local.append((left, right, rank))
        local.sort(key=lambda x: (ranks[x[0]], ranks[x[1]]))
        merges.extend(local)
    merges.sort(key=lambda x: x[2])
    merges = [(to_str(a), to_str(b)) for a, b, _ in merges]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, fuse_unk=False))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def whisper_gpt2():
    return _tiktoken("gpt2.tiktoken", ["<|endoftext|>", "<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|notimestamps|>"])


def whisper_multilingual():
    tok = _tiktoken("multilingual.tiktoken", ["<|endoftext|>", "<|startoftranscript|>", "<|ja|>", "<|translate|>", "<|0.00|>"])
    if tok is not None:
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, trim_offsets=True)
        tok.post_processor = processors.TemplateProcessing(
            single="<|startoftranscript|> <|ja|> $A <|endoftext|>",
            special_tokens=[("<|startoftranscript|>", tok.token_to_id("<|startoftranscript|>")),
                            ("<|ja|>", tok.token_to_id("<|ja|>")), ("<|endoftext|>", tok.token_to_id("<|endoftext|>"))])
    return tok


def _botchan():
    folder = os.environ.get("SPM_TESTS")
    if not folder:
        return None
    with open(os.path.join(folder, "botchan.txt"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip()]


def _spm(model_type, **kwargs):
    import sentencepiece as spm
    from make_component_goldens import _parse_model_proto
    lines = _botchan()
    if lines is None:
        return None
    stream = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines + TEXTS * 3), model_writer=stream, model_type=model_type,
        vocab_size=kwargs.pop("vocab_size", 2000), minloglevel=2, hard_vocab_limit=False, **kwargs)
    return _parse_model_proto(stream.getvalue())


def _spm_unigram(rule, prepend="always", byte_fallback=False, **kwargs):
    got = _spm("unigram", normalization_rule_name=rule, byte_fallback=byte_fallback, **kwargs)
    if got is None:
        return None
    pieces, charsmap = got
    vocab = [(p["piece"], p["score"]) for p in pieces]
    unk_id = next(i for i, p in enumerate(pieces) if p["type"] == 2)
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=byte_fallback))
    norms = [normalizers.Replace(Regex(" {2,}"), "▁")] if not charsmap else [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(norms)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme=prepend, split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme=prepend, split=True)
    eos = next(i for i, p in enumerate(pieces) if p["piece"] == "</s>")
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)])
    return tok


def spm_nmt_nfkc_cf():
    return _spm_unigram("nmt_nfkc_cf")


def spm_nfkc_cf_never():
    return _spm_unigram("nfkc_cf", prepend="never", add_dummy_prefix=False)


def spm_nfkc_bytefallback():
    return _spm_unigram("nfkc", byte_fallback=True, split_digits=True)


def spm_nmt_nfkc_first():
    return _spm_unigram("nmt_nfkc", prepend="first")


def spm_bpe_llama():
    from make_component_goldens import _bpe_merges
    got = _spm("bpe", normalization_rule_name="identity", byte_fallback=True, split_digits=True, vocab_size=1500)
    if got is None:
        return None
    pieces, _ = got
    vocab = {p["piece"]: i for i, p in enumerate(pieces)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=_bpe_merges(vocab, pieces), unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    # transformers' LlamaConverter, non-legacy: Metaspace first, no split
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", vocab["<s>"])])
    tok.add_special_tokens([AddedToken("<|user|>", special=True, normalized=False),
                            AddedToken("<|assistant|>", special=True, normalized=False, rstrip=True),
                            AddedToken("<|end|>", special=True, normalized=False, lstrip=True)])
    return tok


# ---------------------------------------------------------------------------------------------
# Trained tokenizers with unusual settings

CORPUS = TEXTS * 4


def _bpe_train(tok, vocab_size=600, **kwargs):
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<unk>", "<s>", "</s>"], show_progress=False, **kwargs))


def bpe_prefix_suffix():
    # continuing_subword_prefix AND end_of_word_suffix, fuse_unk False, nested Sequences.
    tok = Tokenizer(models.BPE(unk_token="<unk>", continuing_subword_prefix="##", end_of_word_suffix="</w>", fuse_unk=False))
    tok.normalizer = normalizers.Sequence([normalizers.Sequence([normalizers.NFKD(), normalizers.StripAccents()]),
                                           normalizers.Strip(left=True, right=False), normalizers.Replace("  ", " _ ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Digits(individual_digits=False)]),
        pre_tokenizers.Punctuation()])
    tok.decoder = decoders.BPEDecoder(suffix="</w>")
    _bpe_train(tok, continuing_subword_prefix="##", end_of_word_suffix="</w>")
    return tok


def bpe_byte_fallback_partial():
    # byte_fallback with only some <0xXX> tokens in the vocabulary, unk fused.
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    _bpe_train(tok, initial_alphabet=["<0x0A>", "<0xE6>", "<0xF0>"])
    tok.add_tokens([AddedToken("<0x0A>", normalized=False), AddedToken("<0x9F>", normalized=False)])
    return tok


def bytelevel_noregex():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=700, special_tokens=["<|endoftext|>"], show_progress=False,
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.post_processor = processors.ByteLevel(trim_offsets=True)
    tok.add_special_tokens([AddedToken("<|user|>", special=True, normalized=False, single_word=True),
                            AddedToken("<|end|>", special=True, normalized=True, rstrip=True, lstrip=True)])
    tok.add_tokens([AddedToken("Hello", normalized=True), AddedToken(" world", normalized=False)])
    return tok


def split_behaviours():
    tok = Tokenizer(models.BPE(unk_token="<unk>", ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split("  ", behavior="merged_with_previous", invert=False),
        pre_tokenizers.Split(Regex(r"\p{Han}+|\p{Hiragana}+"), behavior="isolated", invert=False),
        pre_tokenizers.Split(Regex(r"[aeiou]"), behavior="merged_with_next", invert=True),
        pre_tokenizers.Split(Regex(r"\s"), behavior="contiguous"),
        pre_tokenizers.Split(Regex(r"(?i)hello|x+"), behavior="removed", invert=False),
        pre_tokenizers.CharDelimiterSplit("o"),
    ])
    tok.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Replace(Regex(r"\d+"), "#")])
    _bpe_train(tok)
    return tok


def metaspace_never():
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="_", prepend_scheme="never", split=True), pre_tokenizers.Digits(individual_digits=True)])
    tok.decoder = decoders.Metaspace(replacement="_", prepend_scheme="never", split=True)
    _bpe_train(tok)
    tok.add_special_tokens([AddedToken("<mask>", special=True, normalized=True, lstrip=True, rstrip=True)])
    return tok


def wordpiece_odd():
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", continuing_subword_prefix="", max_input_chars_per_word=6))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.UnicodeScripts(), pre_tokenizers.BertPreTokenizer()])
    tok.decoder = decoders.WordPiece(prefix="", cleanup=False)
    tok.train_from_iterator(CORPUS, trainers.WordPieceTrainer(
        vocab_size=500, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[MASK]"], show_progress=False, continuing_subword_prefix=""))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS]:1 [CLS] $A:3 [SEP]:2", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tok.add_special_tokens([AddedToken("[MASK]", special=True, normalized=False, single_word=True, lstrip=True)])
    return tok


def wordlevel_ws():
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.normalizer = normalizers.Sequence([normalizers.Lowercase(), normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(CORPUS, trainers.WordLevelTrainer(vocab_size=300, special_tokens=["<unk>", "<pad>"], show_progress=False))
    tok.add_tokens([AddedToken("can't", normalized=True), AddedToken("<pad>", normalized=False, special=True)])
    return tok


def unigram_hf():
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence([normalizers.Nmt(), normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    tok.train_from_iterator(CORPUS, trainers.UnigramTrainer(vocab_size=400, special_tokens=["<unk>", "<s>", "</s>"], unk_token="<unk>",
                                                           show_progress=False))
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 1), ("</s>", 2)])
    tok.add_tokens([AddedToken("▁the", normalized=False), AddedToken("ing", normalized=True, single_word=True)])
    return tok


def unigram_bytefallback_hf():
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first", split=False)
    tok.train_from_iterator(CORPUS, trainers.UnigramTrainer(vocab_size=400, special_tokens=["<unk>"], unk_token="<unk>",
                                                           show_progress=False, initial_alphabet=["<0xF0>", "<0x9F>"]))
    data = json.loads(tok.to_str())
    data["model"]["byte_fallback"] = True
    return Tokenizer.from_str(json.dumps(data))


def split_empty_matches():
    # Patterns that match the empty string: Oniguruma's find_iter skips an empty match right
    # after the previous match (ICU does not), and accepts the empty pattern.
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\s*"), behavior="merged_with_next"),
        pre_tokenizers.Split(Regex(r"x*"), behavior="merged_with_previous", invert=True),
        pre_tokenizers.Split(Regex(r"y?|\b"), behavior="merged_with_next", invert=False)])
    tok.train_from_iterator(CORPUS, trainers.WordLevelTrainer(vocab_size=300, special_tokens=["<unk>"], show_progress=False))
    return tok


def split_empty_pattern():
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(""), behavior="isolated")
    tok.train_from_iterator(CORPUS, trainers.WordLevelTrainer(vocab_size=300, special_tokens=["<unk>"], show_progress=False))
    return tok


def added_tokens_mix():
    # Added tokens: overlapping contents (leftmost-longest), normalized ones that the
    # normalizer changes (decoded as normalized), single_word next to CJK / marks, lstrip and
    # rstrip around white-space runs, one that is also a vocabulary piece.
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Replace(Regex(r"\s+"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    _bpe_train(tok)
    tok.add_special_tokens([AddedToken("<|a|>", special=True, normalized=False),
                            AddedToken("<|a|>b", special=True, normalized=False, rstrip=True),
                            AddedToken("<TURN>", special=True, normalized=True, lstrip=True, rstrip=True)])
    tok.add_tokens([AddedToken("ＦＵＬＬ", normalized=True), AddedToken("a|>b", normalized=False),
                    AddedToken("天", normalized=False, single_word=True), AddedToken("e\u0301", normalized=True, single_word=True),
                    AddedToken("hello", normalized=True), AddedToken("  ", normalized=False)])
    return tok


def roberta_prefix():
    # RoBERTa/BART as published: ByteLevel add_prefix_space, RobertaProcessing trimming offsets
    # with add_prefix_space, pairs (</s></s> between).
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=600, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], show_progress=False,
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=True)
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, normalized=False, special=True)])
    return tok


def bytelevel_template_pairs():
    # Sequence post-processor: ByteLevel offset trimming, then a template with pairs.
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\p{N}{1,3}"), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=600, special_tokens=["<|begin|>", "<|sep|>"], show_progress=False,
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=True),
        processors.TemplateProcessing(single="<|begin|> $A", pair="<|begin|> $A <|sep|>:1 $B:1",
                                      special_tokens=[("<|begin|>", 0), ("<|sep|>", 1)])])
    return tok


BUILDERS = {
    "clip": clip,
    "whisper-gpt2": whisper_gpt2,
    "whisper-multilingual": whisper_multilingual,
    "spm-nmt-nfkc-cf": spm_nmt_nfkc_cf,
    "spm-nfkc-cf-never": spm_nfkc_cf_never,
    "spm-nfkc-bytefallback": spm_nfkc_bytefallback,
    "spm-nmt-nfkc-first": spm_nmt_nfkc_first,
    "spm-bpe-llama": spm_bpe_llama,
    "bpe-prefix-suffix": bpe_prefix_suffix,
    "bpe-byte-fallback-partial": bpe_byte_fallback_partial,
    "bytelevel-noregex": bytelevel_noregex,
    "split-behaviours": split_behaviours,
    "metaspace-never": metaspace_never,
    "wordpiece-odd": wordpiece_odd,
    "wordlevel-ws": wordlevel_ws,
    "unigram-hf": unigram_hf,
    "unigram-bytefallback-hf": unigram_bytefallback_hf,
    "split-empty-matches": split_empty_matches,
    "split-empty-pattern": split_empty_pattern,
    "added-tokens-mix": added_tokens_mix,
    "roberta-prefix": roberta_prefix,
    "bytelevel-template-pairs": bytelevel_template_pairs,
}


def extra_texts():
    lines = _botchan() or []
    return lines[:: max(1, len(lines) // 40)][:40]


def random_decodes(name, tok, count=25):
    """`decode` of seeded random id sequences: byte-fallback pieces in any order (broken
    UTF-8), special and added tokens, unknown-free ids anywhere in the vocabulary."""
    import random
    rng = random.Random(name)
    size = tok.get_vocab_size(with_added_tokens=True)
    vocab = tok.get_vocab(with_added_tokens=True)
    bytes_ids = [i for t, i in vocab.items() if t.startswith("<0x") and t.endswith(">") and len(t) == 6]
    added = [t.id if hasattr(t, "id") else i for i, t in tok.get_added_tokens_decoder().items()]
    rows = []
    for k in range(count):
        ids = []
        for _ in range(rng.randint(1, 24)):
            r = rng.random()
            pool = bytes_ids if r < 0.3 and bytes_ids else added if r < 0.45 and added else None
            ids.append(rng.choice(pool) if pool else rng.randrange(size))
        rows.append({"id": f"{name}-decode{k}", "tokenizer": f"attack-{name}", "ids": ids,
                     "decoded": tok.decode(ids, skip_special_tokens=False),
                     "decoded_skip_special": tok.decode(ids, skip_special_tokens=True)})
    return rows


def run_collate(collate, tok_path, rows, work):
    inp = os.path.join(work, "input.jsonl")
    with open(inp, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"text": r["text"], "add_special_tokens": r["add_special_tokens"]}) + "\n")
    p = subprocess.run([collate, "tokenize", "--tokenizer", tok_path, "--input", inp], capture_output=True, timeout=600)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace")
    out = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
    return out, None


# Files HF loads that Collate refuses at load time, by design (the error names the path).
REFUSED_ON_PURPOSE = {
    "vocab-id-2^31": "ids are stored as Int32",
    "dropout-0.5": "BPE dropout is random; Guides/Tokenizers.md",
    "unk-not-in-vocab": "HF fails later, at the first unknown word; encode cannot throw",
    "wordpiece-unk-missing": "HF fails later, at the first unknown word; encode cannot throw",
    "pretok-split-regex-backtrack": "nested unbounded repetition would hang encode",
    "pretok-split-regex-backtrack2": "catastrophic backtracking found by the load-time probe",
    "normalizer-replace-regex-backtrack": "nested unbounded repetition would hang encode",
    "postproc-template-unknown-special": "HF loads it, then panics applying the template (no entry found for key)",
    "postproc-template-ids-tokens-mismatch": "HF fails later, when the template is applied",
}


def bad_inputs(collate, work):
    """Malformed tokenizer.json files: each must fail with an error naming the file, the JSON
    path and the value (exit status 1), load as HF loads it, never crash or hang. Prints one
    line per case; FINDING marks a crash, a hang, or a load HF refuses / a refusal HF loads."""
    import copy
    work = os.path.join(work, "bad")
    os.makedirs(work, exist_ok=True)
    base = {k: json.load(open(os.path.join(FIXTURES, "tokenizers", f"attack-{n}", "tokenizer.json")))
            for k, n in (("bpe", "bpe-prefix-suffix"), ("unigram", "unigram-hf"), ("wordpiece", "wordpiece-odd"))}
    inp = os.path.join(work, "in.jsonl")
    with open(inp, "w") as f:
        f.write(json.dumps({"text": "Hello world, aaaa xxxx 123"}) + "\n")
    cases = []
    def mut(name, base, f):
        d = copy.deepcopy(base); r = f(d)
        cases.append((name, r if isinstance(r, (str, bytes)) else d))
    def setp(d, path, v):
        x = d
        for k in path[:-1]: x = x[k]
        x[path[-1]] = v
    mut("vocab-id-string", base["bpe"], lambda d: setp(d, ["model", "vocab", "a"], "1"))
    mut("vocab-id-float", base["bpe"], lambda d: setp(d, ["model", "vocab", "a"], 1.5))
    mut("vocab-id-huge", base["bpe"], lambda d: setp(d, ["model", "vocab", "a"], 10**30))
    mut("vocab-id-negative", base["bpe"], lambda d: setp(d, ["model", "vocab", "a"], -5))
    mut("vocab-id-2^31", base["bpe"], lambda d: setp(d, ["model", "vocab", "a"], 2**31))
    mut("vocab-dup-ids", base["bpe"], lambda d: setp(d, ["model", "vocab", "a"], d["model"]["vocab"]["b"]))
    mut("vocab-gap", base["bpe"], lambda d: setp(d, ["model", "vocab", "zzzgap"], 5000000))
    mut("vocab-missing", base["bpe"], lambda d: d["model"].pop("vocab"))
    mut("vocab-null", base["bpe"], lambda d: setp(d, ["model", "vocab"], None))
    mut("vocab-array", base["bpe"], lambda d: setp(d, ["model", "vocab"], [1, 2]))
    mut("merges-unknown-token", base["bpe"], lambda d: d["model"]["merges"].insert(0, ["nope", "nada"]))
    mut("merges-result-missing", base["bpe"], lambda d: d["model"]["merges"].insert(0, ["a", "a"]) if "aa" not in d["model"]["vocab"] else d["model"]["merges"].insert(0, ["a", "zz"]))
    mut("merges-bad-shape", base["bpe"], lambda d: d["model"]["merges"].insert(0, ["a"]))
    mut("merges-string-nospace", base["bpe"], lambda d: d["model"]["merges"].insert(0, "ab"))
    mut("merges-number", base["bpe"], lambda d: d["model"]["merges"].insert(0, 7))
    mut("merges-cyclic", base["bpe"], lambda d: d["model"]["merges"].extend([[d["model"]["merges"][0][0] + d["model"]["merges"][0][1], "x"]]))
    mut("merges-dup", base["bpe"], lambda d: d["model"]["merges"].append(d["model"]["merges"][0]))
    mut("dropout-0.5", base["bpe"], lambda d: setp(d, ["model", "dropout"], 0.5))
    mut("model-type-unknown", base["bpe"], lambda d: setp(d, ["model", "type"], "CharLevel"))
    mut("model-missing", base["bpe"], lambda d: d.pop("model"))
    mut("unk-not-in-vocab", base["bpe"], lambda d: setp(d, ["model", "unk_token"], "<nope>"))
    mut("normalizer-unknown", base["bpe"], lambda d: setp(d, ["normalizer"], {"type": "Frobnicate"}))
    mut("normalizer-seq-not-list", base["bpe"], lambda d: setp(d, ["normalizer"], {"type": "Sequence", "normalizers": {"type": "NFC"}}))
    mut("pretok-split-regex-backtrack", base["bpe"], lambda d: setp(d, ["pre_tokenizer"], {"type": "Split", "pattern": {"Regex": "(a+)+$"}, "behavior": "Isolated", "invert": False}))
    mut("pretok-split-regex-backtrack2", base["bpe"], lambda d: setp(d, ["pre_tokenizer"], {"type": "Split", "pattern": {"Regex": "(a|aa)*b"}, "behavior": "Isolated", "invert": False}))
    mut("pretok-split-regex-invalid", base["bpe"], lambda d: setp(d, ["pre_tokenizer"], {"type": "Split", "pattern": {"Regex": "([a-"}, "behavior": "Isolated", "invert": False}))
    mut("pretok-split-regex-empty", base["bpe"], lambda d: setp(d, ["pre_tokenizer"], {"type": "Split", "pattern": {"Regex": ""}, "behavior": "Isolated", "invert": False}))
    mut("pretok-split-behavior-bad", base["bpe"], lambda d: setp(d, ["pre_tokenizer"], {"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways", "invert": False}))
    mut("pretok-chardelim-long", base["bpe"], lambda d: setp(d, ["pre_tokenizer"], {"type": "CharDelimiterSplit", "delimiter": "ab"}))
    mut("pretok-metaspace-scheme-bad", base["bpe"], lambda d: setp(d, ["pre_tokenizer"], {"type": "Metaspace", "replacement": "_", "prepend_scheme": "sometimes", "split": True}))
    mut("normalizer-replace-regex-backtrack", base["bpe"], lambda d: setp(d, ["normalizer"], {"type": "Replace", "pattern": {"Regex": "(x+x+)+y"}, "content": "z"}))
    mut("normalizer-precompiled-garbage", base["bpe"], lambda d: setp(d, ["normalizer"], {"type": "Precompiled", "precompiled_charsmap": "AAAA"}))
    mut("normalizer-precompiled-notbase64", base["bpe"], lambda d: setp(d, ["normalizer"], {"type": "Precompiled", "precompiled_charsmap": "!!!not base64"}))
    mut("normalizer-precompiled-truncated", base["bpe"], lambda d: setp(d, ["normalizer"], {"type": "Precompiled", "precompiled_charsmap": "/////wAAAAA="}))
    mut("postproc-template-unknown-special", base["bpe"], lambda d: setp(d, ["post_processor"], {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<x>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {}}))
    mut("postproc-template-ids-tokens-mismatch", base["bpe"], lambda d: setp(d, ["post_processor"], {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<x>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {"<x>": {"id": "<x>", "ids": [1, 2], "tokens": ["<x>"]}}}))
    mut("postproc-template-huge-id", base["bpe"], lambda d: setp(d, ["post_processor"], {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<x>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [], "special_tokens": {"<x>": {"id": "<x>", "ids": [99999999999], "tokens": ["<x>"]}}}))
    mut("postproc-bert-bad", base["bpe"], lambda d: setp(d, ["post_processor"], {"type": "BertProcessing", "sep": ["[SEP]"], "cls": ["[CLS]", 1]}))
    mut("added-token-missing-content", base["bpe"], lambda d: d["added_tokens"].append({"id": 9999, "special": True}))
    mut("added-token-empty-content", base["bpe"], lambda d: d["added_tokens"].append({"id": 9999, "content": "", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}))
    mut("added-token-id-negative", base["bpe"], lambda d: d["added_tokens"].append({"id": -1, "content": "<q>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}))
    mut("added-token-id-huge", base["bpe"], lambda d: d["added_tokens"].append({"id": 2**40, "content": "<q>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}))
    mut("truncation-bad", base["bpe"], lambda d: setp(d, ["truncation"], {"max_length": -3, "strategy": "LongestFirst", "stride": 0, "direction": "Right"}))
    mut("padding-bad", base["bpe"], lambda d: setp(d, ["padding"], {"strategy": {"Fixed": "x"}, "direction": "Right", "pad_to_multiple_of": None, "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}))
    mut("unigram-score-string", base["unigram"], lambda d: setp(d, ["model", "vocab", 5], [d["model"]["vocab"][5][0], "x"]))
    mut("unigram-score-nan-ish", base["unigram"], lambda d: setp(d, ["model", "vocab", 5], [d["model"]["vocab"][5][0], 1e309]))
    mut("unigram-unk-id-out", base["unigram"], lambda d: setp(d, ["model", "unk_id"], 100000))
    mut("unigram-empty-vocab", base["unigram"], lambda d: setp(d, ["model", "vocab"], []))
    mut("unigram-dup-piece", base["unigram"], lambda d: d["model"]["vocab"].append(d["model"]["vocab"][5]))
    mut("unigram-empty-piece", base["unigram"], lambda d: d["model"]["vocab"].append(["", -1.0]))
    mut("wordpiece-maxchars-negative", base["wordpiece"], lambda d: setp(d, ["model", "max_input_chars_per_word"], -1))
    mut("wordpiece-maxchars-huge", base["wordpiece"], lambda d: setp(d, ["model", "max_input_chars_per_word"], 10**20))
    mut("wordpiece-unk-missing", base["wordpiece"], lambda d: setp(d, ["model", "unk_token"], "[NOPE]"))
    mut("not-json", base["bpe"], lambda d: "{ this is not json")
    mut("empty-file", base["bpe"], lambda d: "")
    mut("json-array-root", base["bpe"], lambda d: "[]")
    mut("deep-nesting", base["bpe"], lambda d: "[" * 100000 + "]" * 100000)
    mut("deep-nesting-normalizer", base["bpe"], lambda d: json.dumps(d)[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}")
    mut("invalid-utf8", base["bpe"], lambda d: json.dumps(d).encode()[:50] + b"\xff\xfe" + json.dumps(d).encode()[50:])
    mut("lone-surrogate-key", base["bpe"], lambda d: json.dumps(d).replace('"model": {', '"model": {"\\ud800": 1, ', 1))
    mut("trailing-garbage", base["bpe"], lambda d: json.dumps(d) + " garbage")
    findings = 0
    for name, d in cases:
        folder = os.path.join(work, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "tokenizer.json")
        with open(path, "wb") as f:
            f.write(d if isinstance(d, bytes) else (d if isinstance(d, str) else json.dumps(d)).encode("utf-8", "surrogatepass"))
        try:
            Tokenizer.from_file(path)
            hf_loads = True
        except BaseException:
            hf_loads = False
        try:
            p = subprocess.run([collate, "tokenize", "--tokenizer", path, "--input", inp], capture_output=True, timeout=60)
            rc, err = p.returncode, p.stderr.decode("utf-8", "replace").strip()
        except subprocess.TimeoutExpired:
            rc, err = "timeout", ""
        bad = rc not in (0, 1) or (rc == 0) != hf_loads or (rc == 1 and path not in err)
        if bad and rc == 1 and name in REFUSED_ON_PURPOSE:
            print(f"{name}: refused on purpose ({REFUSED_ON_PURPOSE[name]}): {err[:200]}")
            continue
        findings += bad
        print(f"{'FINDING ' if bad else ''}{name}: rc={rc} hf_loads={hf_loads} {err[:300]}")
    print(f"bad inputs: {len(cases)} cases, {findings} findings")


def main():
    args = sys.argv[1:]

    def opt(name, default=None):
        return args[args.index(name) + 1] if name in args else default

    collate = opt("--collate", os.path.join(FIXTURES, "..", "..", ".build", "debug", "collate"))
    work = opt("--work", "/tmp/collate_tokattack")
    only = set(opt("--only", "").split(",")) - {""}
    golden = set(opt("--golden", "").split(",")) - {""}
    os.makedirs(work, exist_ok=True)
    if "--bad" in args:
        bad_inputs(collate, work)
        return
    texts = TEXTS + extra_texts()
    total = matched = 0
    golden_rows = []
    golden_decodes = []
    for name, build in BUILDERS.items():
        if only and name not in only:
            continue
        committed = os.path.join(FIXTURES, "tokenizers", f"attack-{name}", "tokenizer.json")
        # Training is not reproducible run to run (Unigram, BPE ties): a committed tokenizer
        # is kept unless --retrain is given, and only its goldens are rewritten.
        tok = Tokenizer.from_file(committed) if name in golden and os.path.exists(committed) and "--retrain" not in args else build()
        if tok is None:
            print(f"{name}: skipped (source not set)")
            continue
        folder = os.path.join(work, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "tokenizer.json")
        tok.save(path)
        tok = Tokenizer.from_file(path)
        rows = []
        for i, text in enumerate(texts):
            for add in (False, True):
                enc = tok.encode(text, add_special_tokens=add)
                rows.append({"id": f"{name}-{i}-{int(add)}", "tokenizer": f"attack-{name}", "text": text, "add_special_tokens": add,
                             "expected": {"ids": enc.ids, "offsets": [list(o) for o in enc.offsets],
                                          "type_ids": enc.type_ids, "attention_mask": enc.attention_mask},
                             "decoded": tok.decode(enc.ids, skip_special_tokens=False),
                             "decoded_skip_special": tok.decode(enc.ids, skip_special_tokens=True)})
        if tok.post_processor is not None:
            for i, (a, b) in enumerate(PAIRS):
                for add in (False, True):
                    enc = tok.encode(a, b, add_special_tokens=add)
                    rows.append({"id": f"{name}-pair{i}-{int(add)}", "tokenizer": f"attack-{name}", "text": a, "pair": b,
                                 "add_special_tokens": add,
                                 "expected": {"ids": enc.ids, "offsets": [list(o) for o in enc.offsets],
                                              "type_ids": enc.type_ids, "attention_mask": enc.attention_mask},
                                 "decoded": tok.decode(enc.ids, skip_special_tokens=False),
                                 "decoded_skip_special": tok.decode(enc.ids, skip_special_tokens=True)})
        decode_rows = random_decodes(name, tok)
        with open(os.path.join(folder, "decodes.jsonl"), "w", encoding="utf-8") as f:
            for r in decode_rows:
                f.write(json.dumps(r) + "\n")
        with open(os.path.join(folder, "rows.jsonl"), "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        pair_rows = [r for r in rows if "pair" in r]
        rows = [r for r in rows if "pair" not in r]
        out, err = run_collate(collate, path, rows, folder)
        if out is None:
            print(f"{name}: collate failed: {err[:500]}")
            total += len(rows)
            continue
        bad = 0
        for r, o in zip(rows, out):
            e = r["expected"]
            if o.get("ids") != e["ids"] or o.get("offsets") != e["offsets"]:
                bad += 1
                if bad <= 5:
                    print(f"MISMATCH {r['id']} text={r['text'][:80]!r}\n  hf   ids={e['ids'][:40]}\n  swift ids={o.get('ids', [])[:40]}"
                          f"\n  hf   off={e['offsets'][:20]}\n  swift off={o.get('offsets', [])[:20]}")
        if len(out) != len(rows):
            print(f"{name}: {len(out)} output lines for {len(rows)} inputs")
            bad = max(bad, len(rows) - len(out))
        total += len(rows)
        matched += len(rows) - bad
        print(f"{name}: {len(rows) - bad}/{len(rows)} match")
        if name in golden:
            dest = os.path.join(FIXTURES, "tokenizers", f"attack-{name}")
            os.makedirs(dest, exist_ok=True)
            tok.save(os.path.join(dest, "tokenizer.json"))
            golden_rows += [r for r in rows if r["text"] in TEXTS] + pair_rows  # not the botchan lines: keeps the file small
            golden_decodes += decode_rows
    print(f"TOTAL {matched}/{total} cases match (tokenizers {tokenizers.__version__})")
    if golden_rows:
        with open(os.path.join(FIXTURES, "golden", "attack.jsonl"), "w", encoding="utf-8") as f:
            for r in golden_rows:
                f.write(json.dumps(r) + "\n")
        print(f"wrote {len(golden_rows)} golden cases")
        with open(os.path.join(FIXTURES, "golden", "attack_decode.jsonl"), "w", encoding="utf-8") as f:
            for r in golden_decodes:
                f.write(json.dumps(r) + "\n")
        print(f"wrote {len(golden_decodes)} decode cases")


if __name__ == "__main__":
    main()
