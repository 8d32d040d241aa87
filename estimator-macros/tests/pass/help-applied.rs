//! Each `help:` of a missing-field error, applied as written, compiles.
use estimator_runtime::prelude::*;

// The let-else idiom whose full spec forgot `train_op`, fixed as the help says: "build it
// before the spec, `let train_op = ..;`, and add `.train_op(train_op)` to this spec".
#[model_fn]
fn builder(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
    let output = features.sum_dim(1).flatten::<1>(0, 1);
    let Some(labels) = labels else {
        let predictions = Predictions::new().with("output", output);
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = (output - labels).square().mean();
    let train_op = TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.01);
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

// A struct literal, fixed as the help says: "write the field as `train_op: Some(train_op)`",
// after `loss: Some(loss)` moved `loss`.
#[model_fn]
fn literal(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
    let output = features.sum_dim(1).flatten::<1>(0, 1);
    let predictions = Predictions::new().with("output", output.clone());
    let Some(labels) = labels else {
        return EstimatorSpec { predictions: Some(predictions), ..EstimatorSpec::new(mode) };
    };
    let loss = (output - labels).square().mean();
    let train_op = TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.01);
    EstimatorSpec {
        loss: Some(loss),
        train_op: Some(train_op),
        ..EstimatorSpec::new(mode)
    }
}

// A builder argument, fixed as the help says: "pass `loss` here: `.loss(loss)`".
#[model_fn(modes(eval))]
fn argument(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
    let output = features.sum_dim(1).flatten::<1>(0, 1);
    let loss = (output - labels.unwrap()).square().mean();
    EstimatorSpec::new(mode).loss(loss)
}

// A field assignment, fixed as the help says: "assign `Some(train_op)` here".
#[model_fn(modes(train))]
fn assignment(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
    let output = features.sum_dim(1).flatten::<1>(0, 1);
    let loss = (output - labels.unwrap()).square().mean();
    let mut spec = EstimatorSpec::new(mode).loss(loss.clone());
    let train_op = TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.01);
    spec.train_op = Some(train_op);
    spec
}

fn main() {
    let _ = (builder, literal, argument, assignment);
}
