"""Summarizes run_batch.sh output: per tokenizer, the median CPU seconds of each side and
their ratio (HF / Collate: above 1 means Collate is faster); wall seconds for the all-cores
runs, where CPU time would add the cores up.

usage: python3 summarize.py run_batch.log
"""
import json
import re
import statistics
import sys

section, rows = None, {}
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("== "):
        section = line[3:].strip()
        continue
    match = re.match(r"(collate|hf) wall ([\d.]+) s, cpu ([\d.]+)\+([\d.]+) s", line)
    if match:
        rows.setdefault(section, {}).setdefault(match[1], []).append(float(match[3]) + float(match[4]))
        continue
    if line.startswith("{"):
        row = json.loads(line)
        # All cores: wall time (CPU time adds the cores up); otherwise CPU time of the process.
        key = "seconds" if "all cores" in (section or "") else "cpu_s"
        rows.setdefault(section, {}).setdefault(row["impl"], []).append(row.get(key, row["seconds"]))
for section, sides in rows.items():
    if "collate" in sides and "hf" in sides:
        c, h = statistics.median(sides["collate"]), statistics.median(sides["hf"])
        print(f"{section}: collate {c:.3f} s, hf {h:.3f} s, ratio {h / c:.2f}x")
