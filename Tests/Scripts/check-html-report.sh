#!/usr/bin/env bash
# Renders `collate inspect --html` in headless Chromium (Debian's `chromium` package), saves a
# screenshot, and checks the rendered DOM for the report's parts. Not part of `swift test`
# (it needs a browser); run it after changing Sources/CollateInspection/HTMLReport.swift.
#
# usage: Tests/Scripts/check-html-report.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/collate-html-check}
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found: apt-get install chromium" >&2; exit 2; }

swift build --product collate >/dev/null
.build/debug/collate inspect --spec Samples/Data/seq2seq.json --input Samples/Data/chat.jsonl \
    --tokenizer Samples/Data/mistral-v1 --template mistral-inst -n 3 --batch-size 4 \
    --html "$out/report.html" >/dev/null

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars)
"$browser" "${flags[@]}" --window-size=1200,2400 --screenshot="$out/report.png" "file://$out/report.html" 2>/dev/null
"$browser" "${flags[@]}" --dump-dom "file://$out/report.html" 2>/dev/null > "$out/dom.html"

python3 - "$out/dom.html" "$out/report.png" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
checks = {
    "diagnostics section": r'id="diagnostics"',
    "statistics table": r'<table id="statistics"',
    "tensor table": r'<table id="tensors"',
    "three token sequences": r'(?s)(data-sequence="\d+".*){3}',
    "trained tokens": r'<span class="trained"',
    "masked tokens": r'<span class="masked"',
    "padding tokens": r'<span class="padding"',
    "length histogram bars": r'(?s)<svg id="length-histogram".*?<rect class="bar"',
    "padded vs packed bars": r'(?s)<svg id="padding-waste".*?<rect class="padded".*?<rect class="packed"',
    "histogram axes with ticks": r'(?s)<svg id="length-histogram".*?class="axis".*?class="tick-label"',
    "histogram axis titles with units": r'(?s)<svg id="length-histogram".*?sequence length \(tokens.*?>examples<',
    "waste axis in percent": r'(?s)<svg id="padding-waste".*?>100%<.*?padding waste \(% of positions\)',
    "waste legend": r'id="waste-legend"',
    "no mid-word breaking": r'word-break: normal',
}
if "break-all" in dom:
    print("FAIL text may break mid-word (word-break: break-all)")
    sys.exit(1)
failed = [name for name, pattern in checks.items() if not re.search(pattern, dom)]
png = open(sys.argv[2], "rb").read()
if not png.startswith(b"\x89PNG") or len(png) < 10_000:
    failed.append("screenshot (missing or blank)")
for name in checks:
    print(("FAIL " if name in failed else "ok   ") + name)
if failed:
    sys.exit(1)
print(f"rendered: {sys.argv[2]}")
PY
