use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

trait Logits {
    fn logits(&self, features: Tensor<2>) -> Tensor<2>;
}

// `feature` for `features` in a generic model_fn: one error, and the use site below still
// type-checks against the stand-in.
#[model_fn(modes(predict))]
fn head_fn<M: Logits>(model: &M, feature: Tensor<2>, mode: ModeKeys) -> EstimatorSpec
where
    M: Module + 'static,
{
    EstimatorSpec::new(mode).predictions(Predictions::from(model.logits(feature)))
}

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

impl Logits for Mlp {
    fn logits(&self, features: Tensor<2>) -> Tensor<2> {
        self.linear.forward(features)
    }
}

fn run(model: Mlp, features: Tensor<2>) -> Result<(), Error> {
    let estimator = Estimator::new(head_fn::<Mlp>(), model, RunConfig::default())?;
    let _ = estimator.predict([features], PredictArgs::default())?;
    Ok(())
}

fn main() {
    let _ = run;
}
