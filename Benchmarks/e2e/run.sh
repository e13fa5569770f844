#!/usr/bin/env bash
# End to end, messages JSONL -> chat template -> assistant-only labels -> BFD packing -> SFT
# padding-free batches: `collate export --config` against HF datasets + TRL 1.16 (SFTTrainer's
# own preparation, pack_dataset, its DataCollatorForLanguageModeling), same machine, same run,
# same tokenizer and template, every core on both sides. See Guides/Performance.md.
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
COLLATE=$(swift build -c release --show-bin-path)/collate

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

python3 - "$best_collate" "$collate_counts" "$best_hf" "$hf_line" "$best_collate_cpu" "$best_hf_cpu" <<'PY'
import json, sys
collate_s, collate, hf_s, hf = float(sys.argv[1]), json.loads(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4])
collate_cpu, hf_cpu = float(sys.argv[5]), float(sys.argv[6])
c_tps, h_tps = collate["tokens"] / collate_s, hf["tokens"] / hf_s
print(f"collate: {collate['tokens']:,} tokens ({collate['trained_tokens']:,} trained) in {collate_s:.2f} s = {c_tps / 1e6:.3f} M tokens/s")
print(f"hf/trl:  {hf['tokens']:,} tokens ({hf['trained_tokens']:,} trained) in {hf_s:.2f} s = {h_tps / 1e6:.3f} M tokens/s")
print(f"ratio: {c_tps / h_tps:.1f}x tokens/s (wall); same tokens: {collate['tokens'] == hf['tokens']}, "
      f"same trained tokens: {collate['trained_tokens'] == hf['trained_tokens']}")
print(f"CPU seconds (all processes, best run): collate {collate_cpu:.2f}, hf/trl {hf_cpu:.2f}: {hf_cpu / collate_cpu:.1f}x less CPU per token")
PY
