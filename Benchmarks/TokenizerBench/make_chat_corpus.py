"""Writes TEXTS.jsonl: N chat-turn-sized texts (20-2000 characters, seeded) for the batch
benchmark: English prose and code from the Python standard library's docstrings and
comments, mixed with accented, CJK, emoji and combining-mark lines.

usage: python3 make_chat_corpus.py OUT.jsonl [N]
"""
import json
import os
import random
import sys
import sysconfig

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
root = sysconfig.get_paths()["stdlib"]
lines = []
for folder, _, files in sorted(os.walk(root)):
    for name in sorted(files):
        if name.endswith(".py") and len(lines) < 200000:
            try:
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    lines.extend(line.rstrip("\n") for line in f)
            except (UnicodeDecodeError, OSError):
                pass
extra = [
    "Café naïve résumé über straße façade — “quoted” ‘text’ …",
    "日本語のテキスト 中文 한국어 текст на русском языке",
    "emoji 😀🎉 family 👨‍👩‍👧 flags 🇫🇷",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ ① ② ﬁle ﬂow ½ x² İstanbul ΣΑΣ",
    "Tiếng Việt có dấu: người, được, những, trường hợp",
    "e\u0301\u0323 a\u0308\u0304x Ελληνικά ἀρχή",
]
rng = random.Random(0)
with open(out, "w", encoding="utf-8") as f:
    for _ in range(n):
        target = int(20 * (100 ** rng.random()))  # log-uniform 20..2000
        parts = []
        size = 0
        while size < target:
            line = rng.choice(extra) if rng.random() < 0.15 else rng.choice(lines)
            parts.append(line)
            size += len(line) + 1
        text = "\n".join(parts)[:target]
        f.write(json.dumps({"text": text, "add_special_tokens": True}, ensure_ascii=False) + "\n")
