//! `RegressionHead`: squared error over one output (TF `RegressionHead`).

use super::metrics::{host, weighted_mean};
use super::{Head, HostBatch, LossReduction, keys};
use crate::{EvalMetricOps, ExportOutput, ExportOutputs, Predictions};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// One output per example: squared error; prediction `predictions`; metrics `average_loss`,
/// `label/mean`, `prediction/mean`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegressionHead {
    /// How the training loss reduces the batch (TF 2's `SUM_OVER_BATCH_SIZE` by default).
    #[serde(default)]
    pub loss_reduction: LossReduction,
}

impl RegressionHead {
    /// The head.
    pub fn new() -> Self {
        RegressionHead::default()
    }

    /// The same head reducing the training loss by `reduction`.
    pub fn with_loss_reduction(mut self, reduction: LossReduction) -> Self {
        self.loss_reduction = reduction;
        self
    }
}

impl Head for RegressionHead {
    type Labels = Tensor<1>;

    fn loss_reduction(&self) -> LossReduction {
        self.loss_reduction
    }

    fn logits_dimension(&self) -> usize {
        1
    }

    /// Per-example `(prediction - label)²`, `[batch]`.
    fn unreduced_loss(&self, logits: Tensor<2>, labels: Tensor<1>) -> Tensor<1> {
        (logits.flatten::<1>(0, 1) - labels).square()
    }

    /// TF's predictions for `[batch, 1]` logits.
    fn predictions(&self, logits: Tensor<2>) -> Predictions {
        Predictions::new().with(keys::PREDICTIONS, logits)
    }

    /// `serving_default` and `regression`: the value; `predict`: every prediction.
    fn export_outputs(&self, logits: Tensor<2>) -> ExportOutputs {
        let regress = ExportOutput::Regression {
            value: logits.clone().flatten::<1>(0, 1),
        };
        ExportOutputs::new()
            .with(crate::DEFAULT_SERVING_SIGNATURE_DEF_KEY, regress.clone())
            .with("regression", regress)
            .with("predict", ExportOutput::Predict(self.predictions(logits)))
    }

    fn host_metrics(&self, logits: Tensor<2>, batch: HostBatch) -> EvalMetricOps {
        let p = host(logits);
        EvalMetricOps::new()
            .with("average_loss", batch.average_loss())
            .with("label/mean", weighted_mean(&batch.labels, &batch.weights))
            .with("prediction/mean", weighted_mean(&p, &batch.weights))
    }
}
