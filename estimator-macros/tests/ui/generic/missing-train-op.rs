use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

trait Logits {
    fn logits(&self, features: Tensor<2>) -> Tensor<2>;
}

// A generic body is checked like any other: TRAIN never gets a `train_op`.
#[model_fn]
fn head_fn<M: Logits>(
    model: &M,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec
where
    M: Module + 'static,
{
    let logits = model.logits(features);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    EstimatorSpec::new(mode).loss(loss)
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

fn run(model: Mlp) -> Result<(), Error> {
    let _estimator = Estimator::new(head_fn::<Mlp>(), model, RunConfig::default())?;
    Ok(())
}

fn main() {
    let _ = run;
}
