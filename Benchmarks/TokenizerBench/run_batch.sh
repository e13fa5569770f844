#!/usr/bin/env bash
# Short-text benchmark: single-thread `encodeBatch` vs HF `encode_batch` over 5,000 chat-turn
# texts (20-2000 characters), every tokenizer family; then the whole `collate tokenize`
# process vs the same work in Python with HF; then all cores on both sides.
# Needs a release build of `collate` in ../../.build/release (swift build -c release).
set -euo pipefail
cd "$(dirname "$0")"
FIXTURES=../../Tests/Fixtures/tokenizers
PY=${PYTHON:-python3}
TEXTS=${TEXTS:-.build/chat.jsonl}
mkdir -p .build
[ -f "$TEXTS" ] || $PY make_chat_corpus.py "$TEXTS" 5000
swift build -c release >/dev/null
NAMES=${NAMES:-"tekken mistral-v1 spm-test-model synthetic-bert-uncased synthetic-unigram-precompiled synthetic-metaspace synthetic-bytelevel synthetic-metaspace-first synthetic-roberta"}
# STAGES picks what runs (default all): load inprocess cli parallel.
STAGES=${STAGES:-"load inprocess cli parallel"}
has() { [[ " $STAGES " == *" $1 "* ]]; }
if has load; then
  for name in $NAMES; do
    echo "== $name (load: tokenizer.json to a tokenizer)"
    .build/release/TokenizerBench load "$FIXTURES/$name" 5
    $PY hf_load_bench.py "$FIXTURES/$name/tokenizer.json" 5
  done
fi
has inprocess && for name in $NAMES; do
  echo "== $name (single thread, in process)"
  TOKENIZER_BENCH_DUMP=.build/$name.batch.collate.txt .build/release/TokenizerBench batch "$FIXTURES/$name" "$TEXTS" 5
  TOKENIZER_BENCH_DUMP=.build/$name.batch.hf.txt $PY hf_batch_bench.py "$FIXTURES/$name/tokenizer.json" "$TEXTS" 5
  cmp -s ".build/$name.batch.collate.txt" ".build/$name.batch.hf.txt" && echo "ids and offsets identical to HF" || echo "MISMATCH with HF"
done
if has cli && [ -x ../../.build/release/collate ]; then
  for name in $NAMES; do
    echo "== $name (whole process: collate tokenize vs python + HF)"
    /usr/bin/time -f "collate wall %e s, cpu %U+%S s" ../../.build/release/collate tokenize --tokenizer "$FIXTURES/$name" --input "$TEXTS" > .build/$name.cli.collate.jsonl
    /usr/bin/time -f "hf wall %e s, cpu %U+%S s" $PY hf_tokenize_cli.py "$FIXTURES/$name/tokenizer.json" "$TEXTS" > .build/$name.cli.hf.jsonl
    $PY compare_cli.py ".build/$name.cli.collate.jsonl" ".build/$name.cli.hf.jsonl" || true
  done
fi
has parallel && for name in ${PARALLEL_NAMES-$NAMES}; do
  echo "== $name (all cores)"
  .build/release/TokenizerBench batch "$FIXTURES/$name" "$TEXTS" 5 threads
  $PY hf_batch_bench.py "$FIXTURES/$name/tokenizer.json" "$TEXTS" 5 threads
done
