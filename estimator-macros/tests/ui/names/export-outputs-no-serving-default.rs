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
    let scores = logits.clone();
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    if mode == ModeKeys::Predict {
        let predictions = Predictions::new().with("class", classes.clone());
        let export_outputs = ExportOutputs::new()
            .with(
                "classify",
                ExportOutput::Classification {
                    scores: Some(scores),
                    classes: Some(classes),
                },
            )
            .with("predict", ExportOutput::Predict(predictions.clone()));
        return EstimatorSpec::new(mode)
            .predictions(predictions)
            .export_outputs(export_outputs);
    }
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.unwrap());
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn main() {}
