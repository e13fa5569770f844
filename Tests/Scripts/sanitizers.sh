#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer, each in its own scratch path
# (.build-asan, .build-tsan) so the debug build in .build is untouched.
#
#   Tests/Scripts/sanitizers.sh [address|thread ...] [-- extra swift test arguments]
#
# Not part of CI: each pass rebuilds the package instrumented (several minutes on 2 cores)
# and runs the suite 2-10x slower. Exit status is non-zero when any pass fails; the summary
# line of each pass is printed at the end.
set -uo pipefail
cd "$(dirname "$0")/../.."

sanitizers=()
extra=()
while [[ $# -gt 0 ]]; do
  if [[ $1 == -- ]]; then shift; extra=("$@"); break; fi
  sanitizers+=("$1"); shift
done
[[ ${#sanitizers[@]} -eq 0 ]] && sanitizers=(address thread)

status=0
summary=()
for sanitizer in "${sanitizers[@]}"; do
  scratch=.build-${sanitizer:0:1}san
  mkdir -p "$scratch"; log=$scratch/sanitizer-test.log
  echo "== swift test --sanitize=$sanitizer --scratch-path $scratch (log: $log)"
  # halt_on_error makes the first report fail the run instead of scrolling past.
  ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=0} \
  TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1} \
    swift test --sanitize="$sanitizer" --scratch-path "$scratch" "${extra[@]}" >"$log" 2>&1
  code=$?
  reports=$(grep -c -E "ERROR: (AddressSanitizer|ThreadSanitizer)|WARNING: ThreadSanitizer" "$log" || true)
  line=$(grep -E "Test run with .* (passed|failed)" "$log" | tail -1)
  summary+=("$sanitizer: exit $code, $reports sanitizer reports; ${line:-no test summary (see $log)}")
  [[ $code -ne 0 || $reports -ne 0 ]] && status=1
done
printf '%s\n' "${summary[@]}"
exit $status
