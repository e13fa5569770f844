#!/usr/bin/env bash
# Builds the benchmark in release mode and compares encode throughput with HF tokenizers
# (single thread) on ~2 MB of Python standard-library source, one call per run.
set -euo pipefail
cd "$(dirname "$0")"
FIXTURES=../../Tests/Fixtures/tokenizers
CORPUS=${CORPUS:-.build/corpus.py.txt}
mkdir -p .build
[ -f "$CORPUS" ] || python3 make_corpus.py "$CORPUS"
swift build -c release >/dev/null
for name in tekken mistral-v1; do
  echo "== $name"
  TOKENIZER_BENCH_DUMP=.build/$name.collate.txt .build/release/TokenizerBench "$FIXTURES/$name" "$CORPUS" 3
  TOKENIZER_BENCH_DUMP=.build/$name.hf.txt RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false \
    python3 hf_bench.py "$FIXTURES/$name/tokenizer.json" "$CORPUS" 3
  if cmp -s ".build/$name.collate.txt" ".build/$name.hf.txt"; then
    echo "ids and offsets identical to HF on the whole corpus"
  else
    echo "MISMATCH with HF: diff .build/$name.collate.txt .build/$name.hf.txt"
  fi
done
