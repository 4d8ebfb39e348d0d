#!/bin/sh
# The memory ceiling of each front end (tests/hostile/README.md), checked on generated hostile
# inputs near the worst case each allows: every run must exit with code 2 (bad input) and stay
# under   baseline + min(FACTOR x input size + CONST, CAP)
# where baseline is the peak RSS of `npusim --version`.
#
#   tests/hostile/memory_ceilings.sh NPUSIM WORK_DIR rss    peak RSS from /usr/bin/time (Release)
#   tests/hostile/memory_ceilings.sh NPUSIM WORK_DIR asan   the ASan+UBSan build: the ceiling as
#       ASan's max_allocation_size_mb and 2x it + 256 MB as hard_rss_limit_mb (shadow memory and
#       redzones), so an allocation or a heap past the ceiling aborts instead of exiting with 2
set -eu
npusim=$1 work=$2 mode=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
/usr/bin/python3 - <<'EOF'
import os
def flow(n):  # a YAML flow list of n 3-byte scalars: one node per 5 bytes, within every budget
    return "[" + ", ".join(["aaa"] * n) + "]"
open("hw.yaml", "w").write("name: x\nsram:\n  size: " + flow(60000) + "\n")
open("sweep.yaml", "w").write("name: x\nhw: tiny-test\nmodels: [tiny-block]\nstrategies: [fused]\naxes:\n"
                              "  sram.size: " + flow(200000) + "\n")
open("graph.yaml", "w").write("graph: x\ninputs: " + flow(200000) + "\n")
open("corpus.yaml", "w").write("entries: " + flow(60000) + "\n")
open("unet_config.json", "w").write('{"_class_name": "UNet2DConditionModel", "block_out_channels": ['
                                    + ", ".join(["1"] * 40000) + "]}\n")
open("flow.perf.yaml", "w").write("models: " + flow(200000) + "\n")
open("junk.onnx", "wb").write(b"\x08" + os.urandom(16 * 1024 * 1024 - 1))
open("long_line.jsonl", "wb").write(b'{"sweep":"0123456789abcdef","header":{"points":1}}\n' + b"a" * (64 << 20))
open("rows.csv", "w").write("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                            "Num Filter, Strides,\n" + "x, 0, 0, 0, 0, 0, 0, 0,\n" * 100000)
EOF

asan_base="detect_leaks=0:abort_on_error=1:allocator_may_return_null=0:quarantine_size_mb=16"
/usr/bin/time -f "%M" -o base.rss "$npusim" --version > /dev/null
base_kb=$(cat base.rss)
[ "$mode" = asan ] && base_kb=0
failed=0

# check NAME FACTOR CONST_MB CAP_MB INPUT ARGS...: the front end reading INPUT stays under its ceiling.
check() {
  name=$1 factor=$2 const_mb=$3 cap_mb=$4 input=$5
  shift 5
  size=$(stat -c %s "$input")
  ceiling_kb=$(((factor * size) / 1024 + const_mb * 1024))
  [ "$ceiling_kb" -gt $((cap_mb * 1024)) ] && ceiling_kb=$((cap_mb * 1024))
  limit_kb=$((base_kb + ceiling_kb))
  if [ "$mode" = asan ]; then
    ASAN_OPTIONS="$asan_base:max_allocation_size_mb=$((limit_kb / 1024 + 1)):hard_rss_limit_mb=$((2 * limit_kb / 1024 + 256))" \
      /usr/bin/time -f "%M" -o "$name.rss" "$npusim" "$@" > "$name.out" 2> "$name.err" && rc=0 || rc=$?
  else
    /usr/bin/time -f "%M" -o "$name.rss" "$npusim" "$@" > "$name.out" 2> "$name.err" && rc=0 || rc=$?
  fi
  rss_kb=$(tail -1 "$name.rss")
  verdict=ok
  if [ "$rc" -ne 2 ]; then
    verdict="FAILED: exit code $rc, expected 2"
  elif [ "$mode" = rss ] && [ "$rss_kb" -gt "$limit_kb" ]; then
    verdict="FAILED: over the ceiling"
  fi
  echo "$name: $((size / 1024)) KiB input, peak RSS $((rss_kb / 1024)) MB, limit $((limit_kb / 1024)) MB" \
    "(${factor}x + $const_mb MiB, at most $cap_mb MiB, over $((base_kb / 1024)) MB): $verdict"
  if [ "$verdict" != ok ]; then
    head -c 2000 "$name.err"
    failed=1
  fi
}

#     name        factor const cap   input              command
check hardware    128    2     32    hw.yaml            config --hw hw.yaml --resolved
check sweep       128    2     512   sweep.yaml         sweep sweep.yaml --dry-run
check graph_yaml  128    2     1024  graph.yaml         graph --model graph.yaml
check corpus      128    2     32    corpus.yaml        crosscheck --corpus corpus.yaml
check config_json 128    2     32    unet_config.json   graph --model unet_config.json
check perf_yaml   128    2     512   flow.perf.yaml     crosscheck --hw snapdragon-8gen2 --measured flow.perf.yaml
check onnx        4      32    8192  junk.onnx          graph --model junk.onnx
check results     0      4     4     long_line.jsonl    merge long_line.jsonl --out never.jsonl
check csv         32     2     512   rows.csv           graph --model rows.csv
cd /
[ "$failed" -ne 0 ] || [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
exit $failed
