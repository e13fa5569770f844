"""Seeded differential fuzzer: `collate tokenize` vs HF `tokenizers` 0.23.3 (ids AND offsets).

The texts stress the encoder's fast paths: long words (past the 256-scalar word-cache limit),
the same word thousands of times, words that differ only in their last scalar, more than
100,000 distinct words (word-cache capacity), whitespace runs of every kind, U+FEFF, NUL, lone
combining marks, CRLF, emoji ZWJ sequences, Hangul / CJK / Thai, RTL scripts, ASCII/non-ASCII
boundaries (the Precompiled ASCII table), added tokens glued inside words, and texts of 0 or
1 scalars. Every tokenizer folder under Tests/Fixtures/tokenizers and Samples/Data is run.

It prints one line per tokenizer (cases, mismatches) and the first mismatches in full; exit
status 1 when any case differs or `collate tokenize` fails.

With --write-goldens it writes Tests/Fixtures/golden/tokenizer_fuzz_regressions.jsonl instead:
the minimized findings (REGRESSIONS) and a few short seeded cases per tokenizer, with HF's ids
and offsets; `TokenizerFuzzParityTests` checks every line, also with every tokenizer encoding
at once on all cores (more tokenizers than a thread keeps word tables for).

usage: /tmp/refenv/bin/python fuzz_tokenizer_parity.py [--collate PATH] [--seed N] [--count N]
       [--only NAME,...] [--big]     (--big adds one file of > 100,000 distinct words per tokenizer)
       /tmp/refenv/bin/python fuzz_tokenizer_parity.py --write-goldens
       /tmp/refenv/bin/python fuzz_tokenizer_parity.py --every-scalar --only NAME,...
           (each of the 1,112,064 scalars c as the text "a " + c + "b" + c, through collate tokenize)
       /tmp/refenv/bin/python fuzz_tokenizer_parity.py --threads [--big] ...
           (all cores: Benchmarks/TokenizerBench's `batch ... threads` after a warm-up run, so the
           second pass reads every thread's word tables, vs HF encode_batch; needs
           `swift build -c release` in Benchmarks/TokenizerBench)
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(FIXTURES))

WHITESPACE = [" ", "\t", "\n", "\r", "\r\n", "\u000b", "\u000c", "\u0085", "\u00a0", "\u1680",
              "\u2000", "\u2002", "\u2003", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f",
              "\u205f", "\u3000", "\u200b", "\u180e"]
PIECES = [
    "hello", "world", "Hello", "WORLD", "the", "cat", "sat", "mat", "don't", "I'm", "they're",
    "123", "4567", "3.14", "1,000", "x", "a", "ab", "abc",
    "\ufeff", "\u0000", "\u0301", "\u0308\u0301", "e\u0301", "a\u0308\u0323\u0301", "\u0323",
    "\r\n", "\r", "\n\n",
    "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "👍🏽", "😀", "🤖", "\U0001F9D1\u200d\U0001F4BB",
    "안녕하세요", "한국어", "\u1100\u1161\u11a8", "我爱北京", "天安门", "東京", "カタカナ", "ｶﾀｶﾅ",
    "ภาษาไทย", "สวัสดี", "مرحبا", "שלום", "العربية", "\u200f", "\u200e", "\u202b",
    "Ａ", "ﬁ", "①", "²", "ℌ", "Ⅻ", "㍿", "ｱ", "ß", "İ", "ǅ", "ﷺ",
    "é", "ñ", "ü", "Ω", "Жизнь", "▁", "▁▁", "_", "Ġ", "##", "<unk>", "</s>", "<s>",
    "[CLS]", "[SEP]", "[MASK]", "<|endoftext|>", "<|im_start|>", "<|im_end|>",
    "def", "(", ")", "{", "}", ";", "->", "==", "!=", "...", "…", "—", "«", "»", "¿", "¡",
    "\U00010348", "\U0001D11E", "\uffff", "\ufffd", "\u00ad", "\u034f", "\u2060",
]


def added_contents(tok):
    return [t.content for t in tok.get_added_tokens_decoder().values()]


def random_word(rng, alphabet_kind):
    n = rng.choice([1, 1, 2, 3, 5, 8, 13])
    if alphabet_kind == 0:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
    if alphabet_kind == 1:
        return "".join(chr(rng.randint(0x20, 0x7e)) for _ in range(n))
    if alphabet_kind == 2:
        return "".join(chr(rng.choice([rng.randint(0xa0, 0x24f), rng.randint(0x370, 0x52f),
                                       rng.randint(0x3040, 0x30ff), rng.randint(0xac00, 0xd7a3),
                                       rng.randint(0x4e00, 0x9fff), rng.randint(0xe00, 0xe7f),
                                       rng.randint(0x590, 0x6ff), rng.randint(0xff00, 0xffef),
                                       rng.randint(0x300, 0x36f), rng.randint(0x2000, 0x206f),
                                       rng.randint(0x1f300, 0x1faff)]))
                       for _ in range(n))
    # any scalar (no surrogates)
    out = []
    for _ in range(n):
        c = rng.randint(0, 0x10ffff)
        while 0xd800 <= c <= 0xdfff:
            c = rng.randint(0, 0x10ffff)
        out.append(chr(c))
    return "".join(out)


def gen_text(rng, added):
    kind = rng.randrange(14)
    if kind == 0:  # 0 or 1 scalar
        return rng.choice(["", " ", "a", "\n", "\ufeff", "\u0000", "\u0301", "▁", "é", "😀", "\u3000",
                           random_word(rng, 3)[:1]])
    if kind == 1:  # long word past the cache limit
        base = rng.choice(["a", "ab", "xyz", "é", "▁", "🙂", "한", "1", "\u0301", "a\u0301"])
        n = rng.choice([255, 256, 257, 300, 511, 512, 1000, 3000])
        word = (base * n)[: n + rng.randint(0, 3)]
        return rng.choice(["", " ", "x"]) + word + rng.choice(["", " ", " end", "!"])
    if kind == 2:  # same word many times
        w = rng.choice(PIECES + [random_word(rng, rng.randrange(4))])
        sep = rng.choice([" ", "", "\n", "  ", "\t"])
        return sep.join([w] * rng.choice([100, 1000, 3000]))
    if kind == 3:  # words differing only in the last scalar
        stem = random_word(rng, rng.randrange(3)) * rng.randint(1, 4)
        return " ".join(stem + chr(c) for c in range(0x61, 0x61 + rng.randint(2, 26))) + " " + \
            " ".join(stem + chr(rng.randint(0x80, 0x2fff)) for _ in range(20))
    if kind == 4:  # whitespace runs
        parts = []
        for _ in range(rng.randint(1, 12)):
            parts.append("".join(rng.choice(WHITESPACE) for _ in range(rng.randint(0, 6))))
            parts.append(rng.choice(PIECES + [random_word(rng, 0)]))
        return "".join(parts)
    if kind == 5:  # added tokens inside words
        if not added:
            return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6)))
        parts = []
        for _ in range(rng.randint(1, 8)):
            parts.append(random_word(rng, rng.randrange(3)))
            parts.append(rng.choice(added))
        return rng.choice(["", " "]).join(parts)
    if kind == 6:  # ASCII / non-ASCII boundaries
        return "".join(rng.choice([chr(rng.randint(0, 0x7f)), chr(rng.randint(0x80, 0x7ff)),
                                   chr(rng.randint(0x800, 0xffff)) if True else "", rng.choice(PIECES)])
                       for _ in range(rng.randint(1, 40))).replace("\ud800", "")
    if kind == 7:  # any scalars
        return "".join(random_word(rng, 3) for _ in range(rng.randint(1, 5)))
    # mixed prose of pieces
    parts = []
    for _ in range(rng.randint(1, 30)):
        r = rng.random()
        if r < 0.5:
            parts.append(rng.choice(PIECES))
        elif r < 0.7:
            parts.append(random_word(rng, rng.randrange(3)))
        elif r < 0.8 and added:
            parts.append(rng.choice(added))
        else:
            parts.append(rng.choice(WHITESPACE))
        if rng.random() < 0.6:
            parts.append(" ")
    return "".join(parts).replace("\ud800", "")


def clean(text):
    return "".join(c for c in text if not (0xd800 <= ord(c) <= 0xdfff))


def tokenizer_paths():
    out = []
    base = os.path.join(FIXTURES, "tokenizers")
    for name in sorted(os.listdir(base)):
        if os.path.exists(os.path.join(base, name, "tokenizer.json")):
            out.append((name, os.path.join(base, name)))
    data = os.path.join(ROOT, "Samples", "Data")
    for name in sorted(os.listdir(data)):
        if os.path.exists(os.path.join(data, name, "tokenizer.json")):
            out.append(("Samples/" + name, os.path.join(data, name)))
    return out


def run_collate(collate, path, rows, work):
    inp = os.path.join(work, "input.jsonl")
    with open(inp, "w", encoding="utf-8") as f:
        for text, special in rows:
            f.write(json.dumps({"text": text, "add_special_tokens": special}) + "\n")
    try:
        p = subprocess.run([collate, "tokenize", "--tokenizer", path, "--input", inp],
                           capture_output=True, timeout=900)
    except subprocess.TimeoutExpired:
        return None, "TIMEOUT"
    if p.returncode != 0:
        return None, f"exit {p.returncode}: " + p.stderr.decode("utf-8", "replace")[-2000:]
    return [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()], None


def big_rows(rng):
    """> 100,000 distinct words (cache capacity), then the first ones again."""
    words = [f"w{i:x}q" + "abcdefghijklmnop"[i % 16] for i in range(130_000)]
    rng.shuffle(words)
    rows = [(" ".join(words[i:i + 1000]), False) for i in range(0, len(words), 1000)]
    rows += [(" ".join(words[:1000]), True)]
    return rows


# Minimized findings: (tokenizer, text). HF tokenizers 0.23.3's UnicodeScripts keeps the
# Unicode 9.0 script of U+0589 and U+061C (Common; Armenian / Arabic today) and of U+0953,
# U+0954 (Devanagari; Inherited today).
SCRIPT_PROBES = ["0\u05890", "\u0531\u0589\u0531", "a\u0589", "0\u061c0", "\u0627\u061c\u0627",
                 "\u061c\U0001f539", "\uffee\u061c\u0e63", "\u0905\u0953\u0905", "\u0300\u0954\u0300",
                 "\u0905\u0954 \u0953\u0300", "\u0e1c\uff8a\u30dc\u0e21\u9618\uffee\u061c\u0e63",
                 "[SEP] \u2041\u7105\ucdd0\u201b\u0309\u0e43 \u061c\U0001f539 [UNK]"]
REGRESSIONS = [(name, text) for name in ("synthetic-unicode-scripts", "synthetic-unicode-scripts-only")
               for text in SCRIPT_PROBES]


def write_goldens(seed):
    out = os.path.join(FIXTURES, "golden", "tokenizer_fuzz_regressions.jsonl")
    lines = []
    for name, path in tokenizer_paths():
        tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        rng = random.Random(f"golden-{seed}-{name}")
        added = added_contents(tok)
        cases = [(t, s) for t, s in ((text, True) for n, text in REGRESSIONS if n == name)]
        while len(cases) < len([1 for n, _ in REGRESSIONS if n == name]) + 10:
            text = clean(gen_text(rng, added))
            if len(text) <= 160:
                cases.append((text, rng.random() < 0.5))
        for text, special in cases:
            e = tok.encode(text, add_special_tokens=special)
            lines.append(json.dumps({"tokenizer": name, "text": text, "add_special_tokens": special,
                                     "ids": e.ids, "offsets": [list(o) for o in e.offsets]}))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} cases to {out}")


def run_bench_threads(path, rows, work):
    """Collate's encodeBatch on all cores (TokenizerBench, warm-up run then one timed run whose
    tokens are dumped), add_special_tokens=True for every text, as HF encode_batch."""
    bench = os.path.join(ROOT, "Benchmarks", "TokenizerBench", ".build", "release", "TokenizerBench")
    inp = os.path.join(work, "texts.jsonl")
    dump = os.path.join(work, "dump.txt")
    with open(inp, "w", encoding="utf-8") as f:
        for text, _ in rows:
            f.write(json.dumps({"text": text}) + "\n")
    try:
        p = subprocess.run([bench, "batch", path, inp, "1", "threads"], capture_output=True, timeout=900,
                           env=dict(os.environ, TOKENIZER_BENCH_DUMP=dump))
    except subprocess.TimeoutExpired:
        return None, "TIMEOUT"
    if p.returncode != 0:
        return None, f"exit {p.returncode}: " + p.stderr.decode("utf-8", "replace")[-2000:]
    got = []
    for line in open(dump).read().split("\n")[:len(rows)]:
        nums = list(map(int, line.split()))
        got.append({"ids": nums[0::3], "offsets": [[a, b] for a, b in zip(nums[1::3], nums[2::3])]})
    return got, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--collate", default=os.path.join(ROOT, ".build", "release", "collate"))
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--only", default="")
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--write-goldens", action="store_true")
    ap.add_argument("--threads", action="store_true")
    ap.add_argument("--every-scalar", action="store_true")
    args = ap.parse_args()
    if args.write_goldens:
        write_goldens(args.seed)
        return
    only = set(filter(None, args.only.split(",")))
    failed = False
    work = tempfile.mkdtemp(prefix="fuzz_tok_")
    for name, path in tokenizer_paths():
        if only and name not in only:
            continue
        tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        rng = random.Random(f"{args.seed}-{name}")
        added = added_contents(tok)
        if args.every_scalar:
            rows = [("a " + chr(c) + "b" + chr(c), False) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
        else:
            rows = [(clean(gen_text(rng, added)), rng.random() < 0.5) for _ in range(args.count)]
        if args.big:
            rows += big_rows(rng)
        if args.threads:
            rows = [(t, True) for t, _ in rows]
            got, err = run_bench_threads(path, rows, work)
        else:
            got, err = run_collate(args.collate, path, rows, work)
        if err:
            print(f"{name}: COLLATE FAILED {err}")
            failed = True
            continue
        bad = []
        by_flag = {}
        for i, (t, s) in enumerate(rows):
            by_flag.setdefault(s, []).append(i)
        expected = [None] * len(rows)
        # `collate tokenize` encodes each line alone: with a `padding` section, HF's
        # encode_batch would pad to the batch's longest, so those tokenizers use encode.
        padded = tok.padding is not None and not args.threads
        for s, idx in by_flag.items():
            texts = [rows[i][0] for i in idx]
            encs = [tok.encode(t, add_special_tokens=s) for t in texts] if padded else \
                tok.encode_batch(texts, add_special_tokens=s)
            for i, e in zip(idx, encs):
                expected[i] = (e.ids, [list(o) for o in e.offsets])
        if len(got) != len(rows):
            print(f"{name}: {len(got)} output lines for {len(rows)} inputs")
            failed = True
            continue
        for i, (row, g) in enumerate(zip(rows, got)):
            if g["ids"] != expected[i][0] or [list(o) for o in g["offsets"]] != expected[i][1]:
                bad.append(i)
        print(f"{name}: {len(rows)} cases, {len(bad)} mismatches")
        for i in bad[:3]:
            failed = True
            t, s = rows[i]
            print(f"  text={json.dumps(t[:300])}{'...' if len(t) > 300 else ''} (len {len(t)}) special={s}")
            print(f"    HF ids      {expected[i][0][:40]}")
            print(f"    collate ids {got[i]['ids'][:40]}")
            print(f"    HF offsets      {expected[i][1][:20]}")
            print(f"    collate offsets {got[i]['offsets'][:20]}")
        failed = failed or bool(bad)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
