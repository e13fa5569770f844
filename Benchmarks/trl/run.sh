#!/usr/bin/env bash
# Collate against TRL 1.16 on one 20k-example SFT workload, in one run (release build):
#   1. `sft` collation (`collate bench`) vs trl.trainer.sft_trainer.DataCollatorForLanguageModeling;
#   2. packing seconds (`collate pack`'s "seconds", parsing excluded) vs trl.pack_dataset on an
#      in-memory datasets.Dataset, TRL grouping (--group-size 1000) and whole-dataset;
#   3. the whole `collate pack --rows` process (parse, pack, print) vs pack_dataset alone.
#
# usage: Benchmarks/trl/run.sh [PYTHON]   (PYTHON has trl==1.16.0, transformers 5.23, torch, datasets)
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${1:-/tmp/refenv/bin/python}
work=${WORKLOAD:-/tmp/collate-trl-workload.jsonl}
batch=16
max_tokens=4096
[ -f "$work" ] || python3 Benchmarks/trl/make_workload.py 20000 16 "$work"
swift build -c release --product collate >/dev/null
collate=.build/release/collate
echo "workload: $work ($(wc -l <"$work") examples, $(du -m "$work" | cut -f1) MB)"

trl=$("$python" Benchmarks/trl/trl_bench.py "$work" "$batch" "$max_tokens")
best() {  # best "seconds" of three runs of a command printing one JSON line
    for _ in 1 2 3; do "$@"; done | python3 -c 'import json,sys; rows=[json.loads(l) for l in sys.stdin]; print(json.dumps(min(rows, key=lambda r: r["seconds"])))'
}
sft=$(best "$collate" bench --spec Benchmarks/specs/sft.json --input "$work" --batch-size "$batch")
sft_free=$(best "$collate" bench --spec Benchmarks/specs/sft-padding-free.json --input "$work" --batch-size "$batch")
pack_grouped=$(best "$collate" pack --input "$work" --max-tokens "$max_tokens" --group-size 1000)
pack_whole_bfd=$(best "$collate" pack --input "$work" --max-tokens "$max_tokens" --group-size 20000)
pack_split=$(best "$collate" pack --input "$work" --max-tokens "$max_tokens" --strategy bfd-split --group-size 1000)
pack_wrapped=$(best "$collate" pack --input "$work" --max-tokens "$max_tokens" --strategy wrapped --group-size 1000)
process=$(python3 - "$collate" "$work" "$max_tokens" <<'PY'
import json, subprocess, sys, time
collate, work, max_tokens = sys.argv[1:]
best = None
for _ in range(3):
    start = time.perf_counter()
    subprocess.run([collate, "pack", "--input", work, "--max-tokens", max_tokens, "--group-size", "1000", "--rows"],
                   check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"seconds": best}))
PY
)
python3 - "$trl" "$sft" "$sft_free" "$pack_grouped" "$pack_whole_bfd" "$pack_split" "$pack_wrapped" "$process" <<'PY'
import json, sys
trl = [json.loads(line) for line in sys.argv[1].splitlines()]
sft, sft_free, grouped, whole, split, wrapped, process = (json.loads(a) for a in sys.argv[2:])
ref = {("sft", r.get("padding_free")): r for r in trl if r["what"] == "sft"}
pack = {(r["strategy"], r["group_size"]): r for r in trl if r["what"] == "pack"}
for name, ours, theirs in (("sft (padded)", sft, ref[("sft", False)]), ("sft (padding_free)", sft_free, ref[("sft", True)])):
    assert ours["tokens"] == theirs["tokens"]
    print(f'{name:26s} TRL {theirs["seconds"]:8.3f} s   collate {ours["seconds"]:8.4f} s   ratio {theirs["seconds"] / ours["seconds"]:8.1f}x')
for name, ours, key in (("pack bfd, groups of 1000", grouped, ("bfd", 1000)), ("pack bfd, whole dataset", whole, ("bfd", 20000)),
                        ("pack bfd_split, 1000", split, ("bfd_split", 1000)), ("pack wrapped, 1000", wrapped, ("wrapped", 1000))):
    theirs = pack[key]
    assert ours["bins"] == theirs["rows"] and ours["tokens"] == theirs["tokens"], (ours, theirs)
    print(f'{name:26s} TRL {theirs["seconds"]:8.3f} s   collate {ours["seconds"]:8.4f} s   ratio {theirs["seconds"] / ours["seconds"]:8.1f}x'
          f'   rows {ours["bins"]}  efficiency {ours["efficiency"]:.4f}')
theirs = pack[("bfd", 1000)]
print(f'{"pack --rows whole process":26s} TRL {theirs["seconds"]:8.3f} s   collate {process["seconds"]:8.3f} s   ratio {theirs["seconds"] / process["seconds"]:8.1f}x'
      '   (collate: parse + pack + print; TRL: pack_dataset alone, data in memory)')
PY
