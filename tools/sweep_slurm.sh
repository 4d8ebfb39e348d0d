#!/usr/bin/env bash
# A Slurm job array that runs one sweep as N shards, one per array task:
#
#   sbatch --array=0-15 tools/sweep_slurm.sh configs/sweeps/sd15-strategies.yaml results/
#   # when every task is done (or as a dependent job: sbatch --dependency=afterok:<jobid> ...):
#   npusim merge results/shard-*.jsonl --out results/merged.jsonl
#
# Task k of an array of N runs `npusim sweep --shard k/N`; points are dealt by index % N, so
# every shard gets a fair mix. Each task resumes its own file, so a requeued, pre-empted or
# timed-out task (sbatch --requeue, or resubmit the same array) continues where it stopped and
# repeats nothing. The merged file is byte-identical to one unsharded run's.
#
# NPUSIM names the binary (default: npusim on the PATH); the task uses SLURM_CPUS_PER_TASK
# threads. Runs without Slurm too, for a check: SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 ...
#SBATCH --job-name=npusim-sweep
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
#SBATCH --output=npusim-sweep-%A_%a.log
set -euo pipefail
sweep=${1:?usage: sbatch --array=0-(N-1) tools/sweep_slurm.sh SWEEP.yaml OUTDIR}
outdir=${2:?usage: sbatch --array=0-(N-1) tools/sweep_slurm.sh SWEEP.yaml OUTDIR}
npusim=${NPUSIM:-npusim}
count=${SLURM_ARRAY_TASK_COUNT:?run as a job array: sbatch --array=0-(N-1) ...}
shard=$((${SLURM_ARRAY_TASK_ID:?run as a job array} - ${SLURM_ARRAY_TASK_MIN:-0}))
mkdir -p "$outdir"
exec "$npusim" sweep "$sweep" --shard "$shard/$count" --jobs "${SLURM_CPUS_PER_TASK:-1}" --resume --quiet \
  --out "$outdir/shard-$shard-of-$count.jsonl"
