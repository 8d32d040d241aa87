//! `RegressionHead`: squared error over one output (TF `RegressionHead`).

use super::metrics::{host, host_weights, weighted_mean};
use super::{assemble_spec, keys, reduce_loss};
use crate::{
    EstimatorSpec, EvalMetricOps, ExportOutput, ExportOutputs, ModeKeys, Predictions, TrainOp,
};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// One output per example: squared error; prediction `predictions`; metrics `average_loss`,
/// `label/mean`, `prediction/mean`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegressionHead {}

impl RegressionHead {
    /// The head.
    pub fn new() -> Self {
        RegressionHead {}
    }

    /// The logits it takes per example.
    pub fn logits_dimension(&self) -> usize {
        1
    }

    /// Per-example `(prediction - label)²`, `[batch]`.
    pub fn unreduced_loss(&self, logits: Tensor<2>, labels: Tensor<1>) -> Tensor<1> {
        (logits.flatten::<1>(0, 1) - labels).square()
    }

    /// The training loss: `sum(weight · loss) / batch`.
    pub fn loss(
        &self,
        logits: Tensor<2>,
        labels: Tensor<1>,
        weights: Option<Tensor<1>>,
    ) -> Tensor<1> {
        reduce_loss(self.unreduced_loss(logits, labels), weights)
    }

    /// TF's predictions for `[batch, 1]` logits.
    pub fn predictions(&self, logits: Tensor<2>) -> Predictions {
        Predictions::new().with(keys::PREDICTIONS, logits)
    }

    /// `serving_default` and `regression`: the value; `predict`: every prediction.
    pub fn export_outputs(&self, logits: Tensor<2>) -> ExportOutputs {
        let regress = ExportOutput::Regression {
            value: logits.clone().flatten::<1>(0, 1),
        };
        ExportOutputs::new()
            .with(crate::DEFAULT_SERVING_SIGNATURE_DEF_KEY, regress.clone())
            .with("regression", regress)
            .with("predict", ExportOutput::Predict(self.predictions(logits)))
    }

    /// The head's metrics on one batch.
    pub fn metrics(
        &self,
        logits: Tensor<2>,
        labels: Tensor<1>,
        weights: Option<Tensor<1>>,
    ) -> EvalMetricOps {
        let losses = host(self.unreduced_loss(logits.clone(), labels.clone()));
        let p = host(logits);
        let l = host(labels);
        let w = host_weights(weights, l.len());
        EvalMetricOps::new()
            .with("average_loss", weighted_mean(&losses, &w))
            .with("label/mean", weighted_mean(&l, &w))
            .with("prediction/mean", weighted_mean(&p, &w))
    }

    /// The spec for `[batch, 1]` logits (TF `head.create_estimator_spec`).
    pub fn create_estimator_spec(
        &self,
        mode: ModeKeys,
        logits: Tensor<2>,
        labels: Option<Tensor<1>>,
        weights: Option<Tensor<1>>,
        train_op_fn: impl FnOnce(Tensor<1>) -> TrainOp,
    ) -> EstimatorSpec {
        let loss = labels
            .clone()
            .map(|l| self.loss(logits.clone(), l, weights.clone()));
        assemble_spec(
            mode,
            || self.predictions(logits.clone()),
            || self.export_outputs(logits.clone()),
            logits.clone(),
            loss,
            train_op_fn,
            || match labels {
                Some(l) => self.metrics(logits.clone(), l, weights),
                None => EvalMetricOps::new(),
            },
        )
    }
}
