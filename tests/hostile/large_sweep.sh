#!/bin/sh
# A large tiny-block sweep, run the hard way and checked for bounded memory: shard 0/2 is
# killed with SIGKILL part-way and resumed, shard 1/2 runs whole, the two are merged and the
# merged file is reported. Each step's peak RSS (with its children: report's python) must stay
# under the limit, so a results file larger than the limit proves each step streams it.
#
#   tests/hostile/large_sweep.sh NPUSIM POINTS RSS_LIMIT_MB WORK_DIR [JOBS]
#
# POINTS is a multiple of 2000 (tiny-block x 2 strategies x POINTS/2000 SRAM sizes x 1000 DRAM
# bandwidths). ctest runs it at 6000 points; tests/hostile/README.md records a 10^6-point run.
set -eu
npusim=$1 points=$2 limit_mb=$3 work=$4 jobs=${5:-2}
if [ $((points % 2000)) -ne 0 ]; then
  echo "large_sweep.sh: POINTS must be a multiple of 2000" >&2
  exit 2
fi
sram=$((points / 2000))
rm -rf "$work"
mkdir -p "$work"
cat > "$work/large.yaml" <<EOF
name: large
hw: tiny-test
models: [tiny-block]
strategies: [offchip, fused]
axes:
  sram.size: {from: 16KiB, to: $((15 + sram))KiB, step: 1KiB}
  dram.bandwidth: {from: 1GB/s, to: 1000GB/s, step: 1GB/s}
EOF

. "$(dirname "$0")/step.sh"

# Shard 0/2, killed once about a third of its lines are on disk.
"$npusim" sweep "$work/large.yaml" --out "$work/s0.jsonl" --shard 0/2 --jobs "$jobs" --quiet &
pid=$!
want=$((points / 6 * 1200))  # bytes: a third of the shard's ~1.5 KB lines
while kill -0 "$pid" 2>/dev/null; do
  size=$(stat -c %s "$work/s0.jsonl" 2>/dev/null || echo 0)
  [ "$size" -ge "$want" ] && break
  sleep 0.2
done
kill -9 "$pid" 2>/dev/null || {
  echo "large_sweep.sh: shard 0/2 ended before it could be killed" >&2
  exit 1
}
wait "$pid" 2>/dev/null || true
killed_at=$(($(wc -l < "$work/s0.jsonl") - 1))
echo "killed shard 0/2 after $killed_at of $((points / 2)) points"

step resume "$npusim" sweep "$work/large.yaml" --out "$work/s0.jsonl" --shard 0/2 --resume --jobs "$jobs" --quiet
grep -q "$killed_at already done" "$work/resume.out" || {
  echo "large_sweep.sh: the resume did not keep the $killed_at points done before the kill:" >&2
  cat "$work/resume.out" >&2
  exit 1
}
step shard1 "$npusim" sweep "$work/large.yaml" --out "$work/s1.jsonl" --shard 1/2 --jobs "$jobs" --quiet
step merge "$npusim" merge "$work/s1.jsonl" "$work/s0.jsonl" --out "$work/merged.jsonl"
grep -q "$points of $points points" "$work/merge.out" || {
  cat "$work/merge.out" >&2
  exit 1
}
lines=$(wc -l < "$work/merged.jsonl")
[ "$lines" -eq $((points + 1)) ] || {
  echo "large_sweep.sh: merged.jsonl has $lines lines, expected $((points + 1))" >&2
  exit 1
}
# Point order: index i on line i + 2.
awk -F'"index":' 'NR > 1 { split($2, a, ","); if (a[1] != NR - 2) { print "line " NR ": index " a[1]; exit 1 } }' \
  "$work/merged.jsonl" >&2
step report "$npusim" report "$work/merged.jsonl" -o "$work/report"
rows=$(($(wc -l < "$work/report/sweep1_results.csv") - 1))
[ "$rows" -eq "$points" ] || {
  echo "large_sweep.sh: sweep1_results.csv has $rows rows, expected $points" >&2
  exit 1
}
echo "results file $(($(stat -c %s "$work/merged.jsonl") / 1048576)) MiB; all steps under $limit_mb MB"
[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
