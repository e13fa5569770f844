#!/usr/bin/env bash
# Exports and packs one dataset under several layouts with a given `collate` binary, into OUT.
# Also runs `collate batch` over DATA and over the repository's sample data (Samples/Data: the
# chat pipeline, packed; pre-tokenized SFT lines) under the same layouts.
# Run it with the binary before and after a change to the export path, then compare the two
# folders: the streaming export must write byte-identical shards and index.json, and the
# streamed `collate batch` byte-identical output.
#
#   Benchmarks/streaming/parity.sh OLD/collate DATA.jsonl /tmp/parity-old
#   Benchmarks/streaming/parity.sh .build/debug/collate DATA.jsonl /tmp/parity-new
#   diff -r /tmp/parity-old /tmp/parity-new && echo identical
#   # across a change of the fingerprint's hash, compare all but the fingerprint values:
#   python3 Benchmarks/streaming/compare.py /tmp/parity-old /tmp/parity-new
set -euo pipefail
collate=$1 data=$(realpath "$2") out=$3
samples=$(cd "$(dirname "$0")/../../Samples/Data" && pwd)
rm -rf "$out" && mkdir -p "$out"
cat > "$out/flat.json" <<'JSON'
{"type": "flattening", "return_flash_attn_kwargs": true, "transforms": [{"type": "drop-empty"}, {"type": "num-items-in-batch"}]}
JSON
cat > "$out/seq2seq.json" <<'JSON'
{"type": "seq2seq", "pad_token_id": 0, "pad_to_multiple_of": 8}
JSON
config() {  # name, extra keys
  echo "{\"data\": {\"path\": \"$data\"}, \"max_length\": 300, \"truncation\": \"$2\", \"collator\": {\"type\": \"flattening\"}$3}" > "$out/$1.json"
}
config packed right ', "packing": {"strategy": "bfd", "max_tokens": 1024}, "batch_size": 4'
config packed-shuffled left ', "packing": {"strategy": "bfd", "max_tokens": 512}, "shuffle": true, "seed": 7, "batch_size": 3'
config shuffled drop ', "shuffle": true, "seed": 3, "batch_size": 5'
config whole right ''
"$collate" export --spec "$out/flat.json" --input "$data" --out "$out/flat" --world-size 2 --batch-size 8 > "$out/flat.out"
"$collate" export --spec "$out/seq2seq.json" --input "$data" --out "$out/seq2seq" --world-size 3 --batch-size 5 > "$out/seq2seq.out"
for name in packed packed-shuffled shuffled; do
  "$collate" export --config "$out/$name.json" --out "$out/$name" --world-size 2 > "$out/$name.out"
done
"$collate" export --config "$out/whole.json" --out "$out/whole" --world-size 4 > "$out/whole.out"
for strategy in bfd ffd greedy; do
  "$collate" pack --input "$data" --max-tokens 2048 --strategy $strategy | sed 's/"seconds": [0-9.e-]*/"seconds": S/' > "$out/pack-$strategy.out"
done
"$collate" pack --config "$out/packed.json" | sed 's/"seconds": [0-9.e-]*/"seconds": S/' > "$out/pack-config.out"
"$collate" pack --input "$data" --max-tokens 1024 --rows > "$out/pack-rows.out"
"$collate" pack --input "$data" --max-tokens 1024 --group-size 100 --strategy bfd-split | sed 's/"seconds": [0-9.e-]*/"seconds": S/' > "$out/pack-groups.out"
# collate batch: the same layouts, and the sample data (chat, packed; pre-tokenized).
"$collate" batch --spec "$out/flat.json" --input "$data" --batch-size 8 > "$out/batch-flat.out"
"$collate" batch --spec "$out/seq2seq.json" --input "$data" --batch-size 5 > "$out/batch-seq2seq.out"
for name in packed packed-shuffled shuffled whole; do
  "$collate" batch --config "$out/$name.json" > "$out/batch-$name.out"
done
"$collate" batch --config "$samples/pipeline.json" > "$out/batch-sample-chat.out"
"$collate" batch --spec "$samples/seq2seq.json" --input "$samples/sft-mistral.jsonl" --batch-size 3 > "$out/batch-sample-sft.out"
"$collate" batch --spec "$samples/flattening.json" --input "$samples/sft-mistral.jsonl" > "$out/batch-sample-sft-one.out"
"$collate" export --config "$samples/pipeline.json" --out "$out/sample-chat" --world-size 2 > "$out/sample-chat.out"
sed -i "s#$out#OUT#g" "$out"/*.out
