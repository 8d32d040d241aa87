//! The digits MLP and its model_fn, shared by the `digits` example (which trains and exports
//! it) and `serve_digits` (which serves the export).

use estimator_runtime::prelude::*;

/// A two-layer perceptron.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: nn::Linear,
    output: nn::Linear,
}

impl Mlp {
    /// `inputs` → `hidden` (ReLU) → `classes` logits.
    pub fn new(inputs: usize, hidden: usize, classes: usize, device: &Device) -> Self {
        Mlp {
            hidden: nn::LinearConfig::new(inputs, hidden).init(device),
            output: nn::LinearConfig::new(hidden, classes).init(device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.output
            .forward(burn::tensor::activation::relu(self.hidden.forward(x)))
    }
}

/// Hyper-parameters, handed to the model_fn as TF's `params`.
pub struct HParams {
    /// Adam's learning rate.
    pub learning_rate: f64,
}

/// The model_fn: class ids and probabilities; cross-entropy and Adam when training.
#[model_fn]
pub fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &HParams,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let probabilities = burn::tensor::activation::softmax(logits.clone(), 1);
    let predictions = Predictions::new()
        .with("class", classes.clone())
        .with("probabilities", probabilities);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(predictions);
    }
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.clone());
    let train_op = if mode == ModeKeys::Train {
        Some(TrainOp::minimize(
            loss.clone(),
            AdamConfig::new(),
            params.learning_rate,
        ))
    } else {
        None
    };
    EstimatorSpec {
        mode,
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        eval_metric_ops: EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)),
        ..EstimatorSpec::new(mode)
    }
}
