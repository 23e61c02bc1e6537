#!/usr/bin/env bash
# Runs each harness of fuzz/ for a while from its committed seed corpus:
#   fuzz/run.sh [BUILD_DIR [SECONDS]]   (make fuzz: build-fuzz, 60)
# The corpus is copied to a scratch folder first, so that what a run adds
# never lands in the repository. A crash, a sanitizer report, a timeout or a
# leak fails the run; the input that caused it is kept in
# BUILD_DIR/fuzz-crashes/<harness>/ (see docs/fuzzing.md), and each
# harness's log in BUILD_DIR/fuzz-logs/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build-fuzz}" && pwd)
seconds=${2:-60}
harnesses=(sql_functions dotenv sql_text check_repair)

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$build/fuzz-logs"
failed=()
for harness in "${harnesses[@]}"; do
  cp -r "$root/fuzz/corpus/$harness" "$scratch/$harness"
  mkdir -p "$build/fuzz-crashes/$harness"
  log="$build/fuzz-logs/$harness.log"
  # -timeout: one input taking longer is a hang. Leaks are reported (ASan).
  if "$build/fuzz_$harness" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$build/fuzz-crashes/$harness/" \
      "$scratch/$harness" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$harness")
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  corpus=$(ls "$scratch/$harness" | wc -l)
  echo "fuzz_$harness: $status, ${runs:-?} executions in ${seconds} s, corpus $(ls "$root/fuzz/corpus/$harness" | wc -l) -> $corpus inputs"
done
if [ ${#failed[@]} -gt 0 ]; then
  for harness in "${failed[@]}"; do
    echo "--- fuzz_$harness (log: $build/fuzz-logs/$harness.log)" >&2
    grep -m 1 -A 30 -E '^==[0-9]+==|^emf fuzz:|ERROR: libFuzzer|runtime error' \
      "$build/fuzz-logs/$harness.log" >&2 || tail -30 "$build/fuzz-logs/$harness.log" >&2
  done
  exit 1
fi
