#!/usr/bin/env bash
# Streaming export benchmark: peak RSS and shard throughput of `collate export` (release build)
# over a generated chat-length, pre-tokenized dataset (Benchmarks/streaming/make_data.py).
#
#   swift build -c release --product collate
#   Benchmarks/streaming/bench.sh .build/release/collate 100000      # ~275 MB of JSONL
#   Benchmarks/streaming/bench.sh .build/release/collate 1000000     # ~2.75 GB (10x)
#
# The export: a padding-free `flattening` collator, 8 ranks, batches of ${BATCH:-16}; the
# current build also prints its COLLATE_EXPORT_TIMINGS line (where the time went).
# The dataset and shards go under ${BENCH_DIR:-/tmp/collate-stream-bench} and are deleted at
# the end (KEEP=1 keeps them). Prints one line per run: lines, JSONL MB, shard MB, wall
# seconds, peak RSS (from /usr/bin/time -v), and shard MB per wall second — for the export and,
# as the parse-only baseline, `collate pack` statistics over the same file (the read every
# export does); "write MB/s" is the shard MB over the export's time beyond that read (not
# meaningful for a pipelined export, whose read overlaps its writing: compare MB/s of wall).
set -euo pipefail
collate=$(realpath "$1") lines=$2
dir=${BENCH_DIR:-/tmp/collate-stream-bench}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
need=$(( lines * 3 * 3 / 1000 + 100 ))   # MB: JSONL + spool + shards, roughly
avail=$(df -Pm "$dir" | awk 'NR==2 {print $4}')
if (( avail < need )); then echo "need about $need MB free in $dir, have $avail" >&2; exit 1; fi
data="$dir/data-$lines.jsonl"
[[ -f $data ]] || python3 "$here/make_data.py" --lines "$lines" --out "$data"
cat > "$dir/spec.json" <<'JSON'
{"type": "flattening"}
JSON
measure() {  # label, command...
  local label=$1; shift
  sync
  COLLATE_EXPORT_TIMINGS=1 /usr/bin/time -v "$@" > "$dir/out.txt" 2> "$dir/time.txt" || { cat "$dir/time.txt" >&2; exit 1; }
  grep -h "timings:" "$dir/time.txt" >&2 || true
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/time.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/time.txt" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  echo "$label $wall $rss"
}
jsonl_mb=$(( $(stat -L -c %s "$data") / 1000000 ))
batch=${BATCH:-16}
read -r _ parse_s parse_rss < <(measure parse "$collate" pack --input "$data" --max-tokens 4096)
rm -rf "$dir/shards"
read -r _ export_s export_rss < <(measure export "$collate" export --spec "$dir/spec.json" --input "$data" --out "$dir/shards" --world-size 8 --batch-size "$batch")
shard_mb=$(( $(du -sb "$dir/shards" | cut -f1) / 1000000 ))
python3 - "$lines" "$jsonl_mb" "$shard_mb" "$parse_s" "$parse_rss" "$export_s" "$export_rss" <<'PY'
import sys
lines, jsonl, shards, parse_s, parse_rss, export_s, export_rss = sys.argv[1:]
jsonl, shards, parse_s, export_s = int(jsonl), int(shards), float(parse_s), float(export_s)
write = shards / (export_s - parse_s) if export_s > parse_s else float("nan")
print(f"lines {lines}  jsonl {jsonl} MB  shards {shards} MB")
print(f"  pack (parse only): {parse_s:6.2f} s  peak RSS {int(parse_rss) / 1024:7.1f} MB")
print(f"  export:            {export_s:6.2f} s  peak RSS {int(export_rss) / 1024:7.1f} MB  "
      f"shards {shards / export_s:7.1f} MB/s of wall, {write:7.1f} MB/s beyond the read")
PY
[[ ${KEEP:-0} == 1 ]] || rm -rf "$dir/shards" "$data"
