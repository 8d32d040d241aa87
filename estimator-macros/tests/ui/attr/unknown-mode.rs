use estimator_runtime::prelude::*;

#[model_fn(modes(predict, infer))]
fn serving(features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    EstimatorSpec::new(mode).predictions(Predictions::from(features))
}

fn main() {}
