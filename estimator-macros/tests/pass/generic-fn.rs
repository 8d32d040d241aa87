// The annotated name is a value implementing `ModelFn`, so generic code accepts it.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

#[model_fn]
fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    match mode {
        ModeKeys::Predict => EstimatorSpec::new(mode).predictions(logits),
        _ => {
            let loss = CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits, labels.unwrap());
            let train_op = (mode == ModeKeys::Train)
                .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
            EstimatorSpec::new(mode).loss(loss).train_op(train_op)
        }
    }
}

fn takes<F: estimator_runtime::ModelFn>(_: F) {}

fn takes_typed<F>(model_fn: F) -> &'static str
where
    F: estimator_runtime::ModelFn<
            Model = Mlp,
            Features = Tensor<2>,
            Labels = Tensor<1, Int>,
            Params = (),
        >,
{
    model_fn.name()
}

fn main() {
    takes(classifier);
    assert_eq!(takes_typed(classifier), "classifier");
}
