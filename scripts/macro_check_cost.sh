#!/usr/bin/env bash
# The `cargo check` cost of #[model_fn]: a crate with 10 model_fns, checked with the attribute
# and with it removed (plain functions). Dependencies are built first, then each variant is
# re-checked N times after touching its source; prints the medians and the difference.
# Usage: scripts/macro_check_cost.sh [N]   (default 5)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

model_fn() { # $1 = index, $2 = attribute line
cat <<RS
$2
pub fn model_$1(model: &Net, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let predictions = Predictions::new().with("class", classes.clone());
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(predictions);
    }
    let Some(labels) = labels else { return EstimatorSpec::new(mode).predictions(predictions) };
    let loss = CrossEntropyLossConfig::new().init(&logits.device()).forward(logits, labels.clone());
    let train_op = match mode {
        ModeKeys::Train => Some(TrainOp::minimize(loss.clone(), AdamConfig::new(), 1e-3)),
        _ => None,
    };
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        eval_metric_ops: EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)),
        ..EstimatorSpec::new(mode)
    }
}
RS
}

make_crate() { # $1 = dir, $2 = attribute line
  mkdir -p "$1/src"
  cat > "$1/Cargo.toml" <<TOML
[package]
name = "check-cost-$(basename "$1")"
version = "0.0.0"
edition = "2024"
[dependencies]
estimator-runtime = { path = "$root/estimator-runtime", default-features = false }
burn = { version = "=0.22.1", default-features = false, features = ["std"] }
[workspace]
TOML
  {
    echo 'use estimator_runtime::prelude::*;'
    echo '#[derive(Module, Debug)] pub struct Net { linear: nn::Linear }'
    for i in $(seq 1 10); do model_fn "$i" "$2"; done
  } > "$1/src/lib.rs"
}

make_crate "$work/with" "#[model_fn]"
make_crate "$work/without" ""
export CARGO_TARGET_DIR="$work/target"
for v in with without; do (cd "$work/$v" && cargo check -q 2>/dev/null); done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_check() { # $1 = variant
  for _ in $(seq 1 "$n"); do
    touch "$work/$1/src/lib.rs"
    s=$(date +%s%N); (cd "$work/$1" && cargo check -q 2>/dev/null); e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median
}
with=$(time_check with)
without=$(time_check without)
echo "cargo check of 10 model_fns, median of $n: with #[model_fn] ${with} ms, without ${without} ms, cost $((with - without)) ms ($(awk "BEGIN {printf \"%.2f\", $with / $without}")x)"
