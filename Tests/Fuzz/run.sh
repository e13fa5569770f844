#!/usr/bin/env bash
# Builds and runs one libFuzzer target over the Collate sources.
#
#   Tests/Fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
#
# TARGET is one of: jsonl (JSON parser + JSONL example decoding), spec (collator spec
# decoding + one collation), tokenizer (tokenizer.json loading + encode/decode),
# chat (chat rendering + tokenizing + assistant masks with every built-in format).
# SECONDS (default 60) bounds the run (-max_total_time); pass -runs=N among the extra flags to
# bound it by executions instead. The modules are compiled once per configuration into
# .build-fuzz/ (ignored by git); the seed corpus in Tests/Fuzz/seeds/TARGET is copied to
# .build-fuzz/corpus/TARGET, which the run grows. Crashes land in .build-fuzz/artifacts/TARGET/.
#
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc),
# FUZZ_SANITIZE (default "fuzzer,address"; "fuzzer" alone runs faster without ASan).
set -euo pipefail

target=${1:?usage: Tests/Fuzz/run.sh jsonl|spec|tokenizer|chat [SECONDS] [libFuzzer flags...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))

root=$(cd "$(dirname "$0")/../.." && pwd)
swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
sanitize=${FUZZ_SANITIZE:-fuzzer,address}
build=$root/.build-fuzz/${sanitize//,/-}
mkdir -p "$build"

case $target in
  jsonl|spec|tokenizer|chat) ;;
  *) echo "unknown target '$target'; use jsonl, spec, tokenizer or chat" >&2; exit 2 ;;
esac

flags=(-O -parse-as-library -swift-version 6 -sanitize="$sanitize" -g)

# Compiles module $1 from Sources/$1 into $build (static objects + .swiftmodule) when its
# sources (or a module it imports, compiled just before) changed: the stamp holds a hash of
# their contents, so a checkout or merge during a build cannot leave stale objects behind.
upstream=""
module() {
  local name=$1
  local stamp=$build/$name.stamp
  local sources digest
  mapfile -t sources < <(find "$root/Sources/$name" -name '*.swift' | sort)
  digest=$( (echo "$upstream"; cat "${sources[@]}") | sha256sum | cut -d' ' -f1)
  upstream=$digest
  if [[ -f $stamp ]] && [[ $(cat "$stamp") == "$digest" ]]; then return; fi
  echo "compiling $name (${#sources[@]} files)" >&2
  rm -f "$stamp"
  rm -rf "$build/$name.objs" && mkdir -p "$build/$name.objs"
  (cd "$build/$name.objs" && "$swiftc" "${flags[@]}" -module-name "$name" -I "$build" \
      -emit-module -emit-module-path "$build/$name.swiftmodule" -wmo -num-threads 1 -c "${sources[@]}")
  echo "$digest" > "$stamp"
}

module Collate
module CollateTokenizers
module CollateData

binary=$build/fuzz-$target
harness=$root/Tests/Fuzz/targets/$target.swift
if [[ ! -x $binary ]] || [[ $harness -nt $binary ]] || [[ -n $(find "$build" -maxdepth 1 -name '*.stamp' -newer "$binary") ]]; then
  echo "linking fuzz-$target" >&2
  "$swiftc" "${flags[@]}" -module-name "Fuzz_$target" -I "$build" "$harness" \
    "$build"/Collate.objs/*.o "$build"/CollateTokenizers.objs/*.o "$build"/CollateData.objs/*.o -o "$binary"
fi

corpus=$root/.build-fuzz/corpus/$target
artifacts=$root/.build-fuzz/artifacts/$target
mkdir -p "$corpus" "$artifacts"
cp -n "$root/Tests/Fuzz/seeds/$target"/* "$corpus"/ 2>/dev/null || true
dict=()
[[ -f $root/Tests/Fuzz/$target.dict ]] && dict=(-dict="$root/Tests/Fuzz/$target.dict")

export COLLATE_FIXTURES=$root/Tests/Fixtures
# Leak detection is off: LeakSanitizer cannot follow Swift enum payload pointers packed with
# spare bits, so objects held by a global (the chat target's tokenizer) read as leaked at exit.
exec "$binary" "$corpus" -artifact_prefix="$artifacts/" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 -detect_leaks=0 "${dict[@]}" "$@"
