use estimator_runtime::prelude::*;

trait Logits {
    fn logits(&self, features: Tensor<2>) -> Tensor<2>;
}

// `&impl Logits` is a type parameter without a name: nothing could choose it.
#[model_fn(modes(predict))]
fn head_fn(model: &impl Logits, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    EstimatorSpec::new(mode).predictions(Predictions::from(model.logits(features)))
}

fn main() {}
