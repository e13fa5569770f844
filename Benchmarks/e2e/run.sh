#!/usr/bin/env bash
# End to end, messages JSONL -> chat template -> assistant-only labels -> BFD packing -> SFT
# padding-free batches: `collate export --config` (shards written and synced) and the same
# pipeline file into batches in memory (`EndToEndBench --config`, no shards) against HF
# datasets + TRL 1.16 (SFTTrainer's own preparation, pack_dataset, its
# DataCollatorForLanguageModeling, torch tensors in memory), same machine, same run, same
# tokenizer and template, every core on both sides. See Guides/Performance.md.
#
# usage: Benchmarks/e2e/run.sh [CONVERSATIONS] [MAX_LENGTH] [RUNS]
#   defaults: 20000 conversations, rows of 2048 tokens, 3 runs per side (best reported)
# env: PYTHON (default /tmp/refenv/bin/python: transformers, datasets, trl 1.16, safetensors),
#      CORES (default nproc), BATCH (packed rows per batch, default 8), WORK (scratch folder)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-20000}; MAX=${2:-2048}; RUNS=${3:-3}
PYTHON=${PYTHON:-/tmp/refenv/bin/python}
CORES=${CORES:-$(nproc)}
BATCH=${BATCH:-8}
WORK=${WORK:-$(mktemp -d)}
TOKENIZER=$PWD/Samples/Data/mistral-v1

swift build -c release --product collate >/dev/null
swift build -c release --product EndToEndBench >/dev/null
COLLATE=$(swift build -c release --show-bin-path)/collate
IN_MEMORY=$(swift build -c release --show-bin-path)/EndToEndBench

python3 Benchmarks/e2e/make_conversations.py "$N" 7 "$WORK/conversations.jsonl"
cat > "$WORK/pipeline.json" <<JSON
{
  "data": {"path": "$WORK/conversations.jsonl", "format": "messages"},
  "tokenizer": "$TOKENIZER",
  "chat_template": "mistral-inst",
  "train_on": "assistant",
  "max_length": $MAX,
  "truncation": "right",
  "packing": {"strategy": "bfd", "max_tokens": $MAX},
  "collator": {"type": "sft", "pad_token_id": 2, "padding_free": true},
  "batch_size": $BATCH
}
JSON
echo "workload: $N conversations, $(du -m "$WORK/conversations.jsonl" | cut -f1) MB; rows of $MAX; $CORES cores; $(date -u)"

# The whole process is timed (tokenizer loading included); CPU = user + system of the process.
best_collate=""; best_collate_cpu=""
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/shards"
  /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" "$COLLATE" export --config "$WORK/pipeline.json" --out "$WORK/shards" --world-size 1 >/dev/null
  read -r seconds user system < "$WORK/time.txt"
  cpu=$(python3 -c "print($user + $system)")
  echo "collate export run $run: $seconds s wall, $cpu s CPU"
  if [ -z "$best_collate" ] || python3 -c "import sys; sys.exit(0 if $seconds < $best_collate else 1)"; then best_collate=$seconds; fi
  if [ -z "$best_collate_cpu" ] || python3 -c "import sys; sys.exit(0 if $cpu < $best_collate_cpu else 1)"; then best_collate_cpu=$cpu; fi
done
collate_counts=$("$PYTHON" Benchmarks/e2e/count_shards.py "$WORK/shards")
echo "collate: best $best_collate s; $collate_counts"

# The same pipeline file into batches held in memory, no shards written (what the HF side
# ends with): `EndToEndBench --config` runs PipelineConfiguration.prepare() and collates
# every batch, counting tokens and trained tokens from the batches. Timed as a whole process.
best_memory=""; best_memory_cpu=""; memory_counts=""
for run in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" "$IN_MEMORY" --config "$WORK/pipeline.json" > "$WORK/memory.json"
  read -r seconds user system < "$WORK/time.txt"
  cpu=$(python3 -c "print($user + $system)")
  echo "collate in memory run $run: $seconds s wall, $cpu s CPU"
  if [ -z "$best_memory" ] || python3 -c "import sys; sys.exit(0 if $seconds < $best_memory else 1)"; then best_memory=$seconds; fi
  if [ -z "$best_memory_cpu" ] || python3 -c "import sys; sys.exit(0 if $cpu < $best_memory_cpu else 1)"; then best_memory_cpu=$cpu; fi
  memory_counts=$(cat "$WORK/memory.json")
done
echo "collate in memory: best $best_memory s; $memory_counts"

best_hf=""; hf_line=""; best_hf_cpu=""
for run in $(seq "$RUNS"); do
  line=$("$PYTHON" Benchmarks/e2e/hf_trl_baseline.py "$WORK/conversations.jsonl" "$TOKENIZER" \
         Tests/Fixtures/golden/chat_templates.json mistral-inst "$MAX" "$BATCH" "$CORES" 2>/dev/null | tail -1)
  seconds=$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['seconds'])" "$line")
  cpu=$(python3 -c "import json, sys; print(json.loads(sys.argv[1])['cpu_seconds'])" "$line")
  echo "hf/trl run $run: $seconds s wall, $cpu s CPU"
  if [ -z "$best_hf" ] || python3 -c "import sys; sys.exit(0 if $seconds < $best_hf else 1)"; then best_hf=$seconds; hf_line=$line; fi
  if [ -z "$best_hf_cpu" ] || python3 -c "import sys; sys.exit(0 if $cpu < $best_hf_cpu else 1)"; then best_hf_cpu=$cpu; fi
done
echo "hf/trl: best $best_hf s; $hf_line"

python3 - "$best_collate" "$collate_counts" "$best_hf" "$hf_line" "$best_collate_cpu" "$best_hf_cpu" \
        "$best_memory" "$memory_counts" "$best_memory_cpu" <<'PY'
import json, sys
collate_s, collate, hf_s, hf = float(sys.argv[1]), json.loads(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4])
collate_cpu, hf_cpu = float(sys.argv[5]), float(sys.argv[6])
memory_s, memory, memory_cpu = float(sys.argv[7]), json.loads(sys.argv[8]), float(sys.argv[9])
h_tps = hf["tokens"] / hf_s
print(f"hf/trl:  {hf['tokens']:,} tokens ({hf['trained_tokens']:,} trained) in {hf_s:.2f} s = {h_tps / 1e6:.3f} M tokens/s, {hf_cpu:.2f} s CPU")
ok = True
for name, side, seconds, cpu in (("collate export (shards written)", collate, collate_s, collate_cpu),
                                 ("collate in memory (no shards)  ", memory, memory_s, memory_cpu)):
    tps = side["tokens"] / seconds
    same = side["tokens"] == hf["tokens"] and side["trained_tokens"] == hf["trained_tokens"]
    ok = ok and same
    print(f"{name}: {side['tokens']:,} tokens ({side['trained_tokens']:,} trained) in {seconds:.2f} s = {tps / 1e6:.3f} M tokens/s, "
          f"{cpu:.2f} s CPU; ratio {tps / h_tps:.1f}x tokens/s (wall), {hf_cpu / cpu:.1f}x less CPU; same tokens and trained tokens: {same}")
sys.exit(0 if ok else 1)
PY
