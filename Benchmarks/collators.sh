#!/usr/bin/env bash
# Collator throughput: `collate bench` (release build) against HF transformers / TRL on the
# same workload, in one run. Prints one line per spec with both rates and their ratio.
#
# usage: Benchmarks/collators.sh [PYTHON]   (PYTHON has torch, transformers, trl==0.19.1)
# The workload generator and the HF/TRL timing script are in Benchmarks/bench (BENCH_DIR overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-/tmp/refenv/bin/python}
bench_dir=${BENCH_DIR:-Benchmarks/bench}
work=${WORKLOAD:-/tmp/collate-workload.jsonl}
[ -f "$work" ] || python3 "$bench_dir/make_workload.py" 3000 11 "$work"
swift build -c release --product collate >/dev/null
for spec in language-modeling completion-only flattening seq2seq; do
    hf=$("$python" "$bench_dir/hf_bench.py" "$work" "Benchmarks/specs/$spec.json" 16)
    ours=$(.build/release/collate bench --spec "Benchmarks/specs/$spec.json" --input "$work" --batch-size 16)
    python3 - "$spec" "$hf" "$ours" <<'PY'
import json, sys
spec, hf, ours = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
assert hf["tokens"] == ours["tokens"], (hf["tokens"], ours["tokens"])
print(f'{spec:20s} HF {hf["tokens_per_second"]/1e6:8.2f} M tok/s   collate {ours["tokens_per_second"]/1e6:9.2f} M tok/s   ratio {ours["tokens_per_second"]/hf["tokens_per_second"]:7.1f}x')
PY
done
