#!/usr/bin/env bash
# Evaluation time on 1 rank vs 2 ranks (EvalArgs::sharded) on the same eval set: smartcore's
# digits (1,797 rows, 29 batches) through a 64-H-10 MLP, `evaluate` alone timed inside the
# worker (MPI start-up excluded; the best of 5 after a warm-up, in each process). Prints the median of RUNS runs of each and the ratio.
# Usage: scripts/eval_shard_bench.sh [HIDDEN=1024] [RUNS=7]   (needs Open MPI)
set -euo pipefail
cd "$(dirname "$0")/.."
hidden="${1:-1024}"; runs="${2:-7}"
cargo build --release --features mpi --bin mpi-worker >&2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 RUST_LOG=warn
w=target/release/mpi-worker; tmp="$(mktemp -d)"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
one() { for i in $(seq "$runs"); do "$w" --model-dir "$tmp/1-$i" --eval-digits --hidden "$hidden" | awk '/^eval/ {print $6}'; done | median; }
two() { for i in $(seq "$runs"); do mpirun --oversubscribe -np 2 "$w" --distributed --model-dir "$tmp/2-$i" --eval-digits --hidden "$hidden" $1 | awk '/^eval/ {print $6}' | sort -g | tail -1; done | median; }
t1="$(one)"; t2="$(two --sharded)"; t2u="$(two "")"
echo "hidden $hidden, median of $runs: 1 rank ${t1}s, 2 ranks sharded ${t2}s (x$(echo "$t1 / $t2" | bc -l | cut -c1-4) faster), 2 ranks unsharded ${t2u}s"
rm -rf "$tmp"
