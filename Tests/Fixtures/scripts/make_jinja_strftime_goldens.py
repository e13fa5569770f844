#!/usr/bin/env python3
"""Generates Tests/Fixtures/jinja/strftime.jsonl: what transformers' `strftime_now(format)` returns —
`datetime.now().strftime(format)`, a naive local time that CPython hands to glibc's strftime (C locale) —
for every directive letter with and without glibc's `-` flag (no padding) and the formats real chat
templates use (`%d %b %Y`, `%B %d, %Y`, `%-d %B %Y`, `%Y-%m-%d %H:%M:%S`, `%A`, ...), at two pinned
times: 2026-01-15 09:30:00 (a Thursday) and 2026-12-05 21:07:03 (a Saturday, one-digit day and minute).
`%s` (seconds since the epoch) is left out: it depends on the machine's time zone.

Each line: {"now": "YYYY-MM-DDTHH:MM:SS", "format", "expected"}.
Run: /tmp/refenv/bin/python Tests/Fixtures/scripts/make_jinja_strftime_goldens.py
"""
import datetime
import json
import os
import string
import sys

import transformers

TIMES = [datetime.datetime(2026, 1, 15, 9, 30, 0), datetime.datetime(2026, 12, 5, 21, 7, 3)]
FORMATS = [f"%{flag}{letter}" for letter in string.ascii_letters if letter != "s" for flag in ("", "-")] + [
    "%d %b %Y", "%B %d, %Y", "%-d %B %Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%A, %B %-d, %Y", "Today is %c.",
    "100%% sure", "%", "50%", "%%%d", "%-", "%Ey %Od", "%Ea %Oa %E", "%EC %Ec %OB %Ob %Ox %-Ed %O", "%H:%M %p (%Z%z)", "ISO %G-W%V-%u", "week %U/%W, day %j",
]


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jinja")
    lines = []
    for now in TIMES:
        for fmt in FORMATS:
            lines.append({"now": now.isoformat(), "format": fmt, "expected": now.strftime(fmt)})
    with open(os.path.join(root, "strftime.jsonl"), "w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"{len(lines)} cases (transformers {transformers.__version__}, Python {sys.version.split()[0]})", file=sys.stderr)


if __name__ == "__main__":
    main()
