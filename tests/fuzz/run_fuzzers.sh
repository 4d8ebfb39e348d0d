#!/usr/bin/env bash
# Runs every libFuzzer target of a NPUSIM_FUZZ=ON build for a fixed time each, one at a time.
#   tests/fuzz/run_fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET=30] [TARGET...]
# Each target starts from its kept regression inputs and seeds (read-only) plus its own corpus
# in BUILD_DIR/fuzz-corpus/<name> (kept between runs). A crash, timeout (a hang), leak, OOM or
# sanitizer report fails the run; the input is saved as BUILD_DIR/fuzz-artifacts/<name>/crash-*
# and belongs, once fixed, in tests/fuzz/regressions/<name>/.
set -uo pipefail
build=${1:?usage: run_fuzzers.sh BUILD_DIR [SECONDS] [TARGET...]}
seconds=${2:-30}
shift $(( $# >= 2 ? 2 : 1 ))
list="$build/tests/fuzz/targets.txt"
[ -f "$list" ] || { echo "run_fuzzers: $list missing: configure with -DNPUSIM_FUZZ=ON" >&2; exit 2; }
failed=()
while IFS='|' read -r name bin max_len seeds; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  corpus="$build/fuzz-corpus/$name"
  artifacts="$build/fuzz-artifacts/$name"
  mkdir -p "$corpus" "$artifacts"
  IFS=';' read -r -a seed_dirs <<< "$seeds"
  existing=()  # libFuzzer reads folders only: single seed files are copied into one
  files="$build/fuzz-seed-files/$name"
  rm -rf "$files"
  for s in "${seed_dirs[@]}"; do
    if [ -d "$s" ]; then existing+=("$s"); elif [ -f "$s" ]; then mkdir -p "$files" && cp "$s" "$files/"; fi
  done
  [ -d "$files" ] && existing+=("$files")
  echo "== fuzz $name: ${seconds}s, max_len $max_len"
  log="$artifacts/last-run.log"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "${existing[@]}" < /dev/null > "$log" 2>&1
  rc=$?
  grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" | tr '\n' ' '
  echo "corpus: $(find "$corpus" -type f | wc -l) files"
  if [ $rc -ne 0 ]; then
    echo "run_fuzzers: $name FAILED (exit $rc); last lines of $log:" >&2
    tail -40 "$log" >&2
    failed+=("$name")
  fi
done < "$list"
if [ ${#failed[@]} -ne 0 ]; then
  echo "run_fuzzers: failing targets: ${failed[*]}" >&2
  exit 1
fi
echo "run_fuzzers: all targets ran ${seconds}s without a finding"
