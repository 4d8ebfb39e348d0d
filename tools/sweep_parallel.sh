#!/usr/bin/env bash
# GNU parallel recipe (Debian package `parallel`): one sweep as N shards, on this machine or on
# the hosts of an ssh login file, then one merge.
#
#   tools/sweep_parallel.sh SWEEP.yaml OUTDIR N [parallel options...]
#
#   # 8 shards on this machine, 2 at a time:
#   tools/sweep_parallel.sh configs/sweeps/sd15-strategies.yaml results 8 --jobs 2
#   # over ssh: every host needs npusim and the sweep file at the same paths, and OUTDIR on a
#   # shared filesystem (or add --return/--cleanup to copy the shard files back):
#   tools/sweep_parallel.sh configs/sweeps/sd15-strategies.yaml /shared/results 32 --sshloginfile hosts --workdir $PWD
#
# The command each shard runs is the whole recipe:
#   parallel ... npusim sweep SWEEP --shard {}/N --resume --quiet --out OUTDIR/shard-{}-of-N.jsonl ::: 0 .. N-1
#   npusim merge OUTDIR/shard-*-of-N.jsonl --out OUTDIR/merged.jsonl
# A failed or interrupted run is finished by running the same line again (--resume).
set -euo pipefail
sweep=${1:?usage: sweep_parallel.sh SWEEP.yaml OUTDIR N [parallel options...]}
outdir=${2:?usage: sweep_parallel.sh SWEEP.yaml OUTDIR N [parallel options...]}
n=${3:?usage: sweep_parallel.sh SWEEP.yaml OUTDIR N [parallel options...]}
shift 3
npusim=${NPUSIM:-npusim}
command -v parallel >/dev/null || { echo "sweep_parallel.sh: GNU parallel is missing (apt-get install parallel)" >&2; exit 2; }
mkdir -p "$outdir"
parallel --will-cite --halt now,fail=1 "$@" \
  "$npusim" sweep "$sweep" --shard {}/"$n" --jobs 1 --resume --quiet --out "$outdir/shard-{}-of-$n.jsonl" \
  ::: $(seq 0 $((n - 1)))
"$npusim" merge "$outdir"/shard-*-of-"$n".jsonl --out "$outdir/merged.jsonl"
