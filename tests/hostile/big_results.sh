#!/bin/sh
# A results file far larger than memory, resumed, merged and reported in bounded memory. The
# file is generated, not simulated: a real sweep of tiny-block (2 strategies x POINTS/2000 SRAM
# sizes x 1000 DRAM bandwidths) runs four of its points for a real header and real metrics, and
# every other point's line is written from them with its own index and axis values (each line
# what `npusim sweep` would write but for the figures), leaving every 1000th point out. Then:
#   resume  npusim sweep --resume runs the missing points and rewrites the file in point order
#   merge   npusim merge joins the resumed file and the 4-point seed file (same points agree)
#   report  npusim report on the merged file (its CSV has every point)
# each under RSS_LIMIT_MB of peak RSS (children included).
#
#   tests/hostile/big_results.sh NPUSIM POINTS RSS_LIMIT_MB WORK_DIR
#
# ctest runs it at 1.2x10^5 points (~196 MiB); tests/hostile/README.md records a 3.2x10^6-point run
# (> 4 GiB).
set -eu
npusim=$1 points=$2 limit_mb=$3 work=$4
if [ $((points % 2000)) -ne 0 ]; then
  echo "big_results.sh: POINTS must be a multiple of 2000" >&2
  exit 2
fi
rm -rf "$work"
mkdir -p "$work"
cat > "$work/big.yaml" <<EOF
name: big
hw: tiny-test
models: [tiny-block]
strategies: [offchip, fused]
axes:
  sram.size: {from: 16KiB, to: $((15 + points / 2000))KiB, step: 1KiB}
  dram.bandwidth: {from: 1GB/s, to: 1000GB/s, step: 1GB/s}
EOF

. "$(dirname "$0")/step.sh"

"$npusim" sweep "$work/big.yaml" --out "$work/seed.jsonl" --shard "0/$((points / 4 + 1))" --quiet > /dev/null
start=$(date +%s)
/usr/bin/python3 - "$work/seed.jsonl" "$work/big.jsonl" <<'EOF'
import json, sys
seed, out = sys.argv[1], sys.argv[2]
lines = open(seed, encoding="utf-8").read().splitlines(keepends=True)
header = json.loads(lines[0])["header"]
h = json.loads(lines[0])["sweep"]
points, strategies = header["points"], header["strategies"]
axes = [a["values"] for a in header["axes"]]
tails, real = {}, {}
for line in lines[1:]:  # the figures of a real point per strategy: everything from "status"
    rec = json.loads(line)
    tails[rec["point"]["strategy"]] = line[line.index(',"status":'):]
    real[rec["index"]] = line
def head(i):
    rest, s = divmod(i, len(strategies))
    labels = []
    for values in reversed(axes):
        rest, v = divmod(rest, len(values))
        labels.append(values[v])
    labels.reverse()
    point = {"model": header["models"][rest]}
    point.update({a["name"]: l for a, l in zip(header["axes"], labels)})
    point["strategy"] = strategies[s]
    return ('{"sweep":"%s","index":%d,"point":%s' % (h, i, json.dumps(point, separators=(",", ":"))),
            strategies[s])
for line in lines[1:]:  # the generated lines start like the real ones
    i = json.loads(line)["index"]
    assert line.startswith(head(i)[0] + ","), (line[:200], head(i)[0])
with open(out, "w", encoding="utf-8", buffering=1 << 22) as f:
    f.write(lines[0])
    for i in range(points):
        if i in real:
            f.write(real[i])
        elif i % 1000 != 999:
            text, strategy = head(i)
            f.write(text + tails[strategy])
EOF
echo "generated $(($(stat -c %s "$work/big.jsonl") / 1048576)) MiB, $(($(wc -l < "$work/big.jsonl") - 1)) of $points points in $(($(date +%s) - start)) s"

step resume "$npusim" sweep "$work/big.yaml" --out "$work/big.jsonl" --resume --jobs 2 --quiet
grep -q " $((points / 1000)) run now" "$work/resume.out" || {
  cat "$work/resume.out" >&2
  exit 1
}
step merge "$npusim" merge "$work/big.jsonl" "$work/seed.jsonl" --out "$work/merged.jsonl"
grep -q "$points of $points points" "$work/merge.out" || {
  cat "$work/merge.out" >&2
  exit 1
}
cmp -s "$work/big.jsonl" "$work/merged.jsonl" || {
  echo "big_results.sh: merging the seed points changed the file" >&2
  exit 1
}
step report "$npusim" report "$work/merged.jsonl" -o "$work/report"
rows=$(($(wc -l < "$work/report/sweep1_results.csv") - 1))
[ "$rows" -eq "$points" ] || {
  echo "big_results.sh: sweep1_results.csv has $rows rows, expected $points" >&2
  exit 1
}
size_mb=$(($(stat -c %s "$work/merged.jsonl") / 1048576))
echo "results file $size_mb MiB; every step under $limit_mb MB"
if [ "$size_mb" -le "$limit_mb" ]; then
  echo "big_results.sh: the file is smaller than the limit; it proves nothing about streaming" >&2
  exit 1
fi
[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
