# Sourced by the memory-bounded hostile scripts (large_sweep.sh, big_results.sh); expects
# $work (a scratch directory) and $limit_mb (the peak-RSS limit) to be set.
#
# step NAME CMD...: runs CMD under /usr/bin/time, prints its peak RSS and time, and fails (exit 1,
# with the command's stderr and stdout) when CMD fails or peaks over the limit.
step() {
  name=$1
  shift
  script=${0##*/}
  /usr/bin/time -f "%M %e" -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || {
    echo "$script: $name failed:" >&2
    cat "$work/$name.err" "$work/$name.out" >&2
    exit 1
  }
  read -r rss_kb secs < "$work/$name.time"
  echo "$name: peak RSS $((rss_kb / 1024)) MB, $secs s"
  if [ "$rss_kb" -gt $((limit_mb * 1024)) ]; then
    echo "$script: $name peaked at $((rss_kb / 1024)) MB, over the $limit_mb MB limit" >&2
    exit 1
  fi
}
