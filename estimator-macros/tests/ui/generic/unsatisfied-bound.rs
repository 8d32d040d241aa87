use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

trait Logits {
    fn logits(&self, features: Tensor<2>) -> Tensor<2>;
}

#[model_fn(modes(predict))]
fn head_fn<M: Logits>(model: &M, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    EstimatorSpec::new(mode).predictions(Predictions::from(model.logits(features)))
}

// `Mlp` does not implement `Logits`: the error is on the type chosen at the use site.
#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

fn run(model: Mlp) -> Result<(), Error> {
    let _estimator = Estimator::new(head_fn::<Mlp>(), model, RunConfig::default())?;
    Ok(())
}

fn main() {
    let _ = run;
}
