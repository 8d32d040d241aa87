// A `mode` type the macro cannot resolve may be an alias of `ModeKeys`; when it is not, rustc
// says so on the type.
use estimator_runtime::prelude::*;

struct Phase;

#[model_fn(modes(predict))]
fn classifier(features: Tensor<2>, mode: Phase) -> EstimatorSpec {
    EstimatorSpec::new(ModeKeys::Predict).predictions(Predictions::from(features))
}

fn main() {}
