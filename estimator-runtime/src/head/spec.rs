//! `Head`: what every head computes from the logits, and the one implementation of the spec
//! they share (TF's `Head.create_estimator_spec`).

use super::metrics::{host, host_weights, weighted_mean};
use super::{LossReduction, keys, reduce_loss};
use crate::{
    AnyTensor, EstimatorSpec, EvalMetricOps, ExportOutputs, MetricOp, ModeKeys, Predictions,
    TrainOp,
};
use burn::tensor::Tensor;

/// A head (TF's `tf.estimator.Head`): the loss, predictions, metrics and export signatures of a
/// model's logits. [`BinaryClassHead`](super::BinaryClassHead),
/// [`MultiClassHead`](super::MultiClassHead) and [`RegressionHead`](super::RegressionHead)
/// implement the first five methods; [`loss`](Head::loss) and
/// [`create_estimator_spec`](Head::create_estimator_spec) are the same for all.
pub trait Head {
    /// The labels of one batch (`Tensor<1, Int>` class ids, or `Tensor<1>` values).
    type Labels: Clone + Into<AnyTensor>;

    /// The logits it takes per example.
    fn logits_dimension(&self) -> usize;
    /// The per-example loss, `[batch]`.
    fn unreduced_loss(&self, logits: Tensor<2>, labels: Self::Labels) -> Tensor<1>;
    /// TF's predictions for `[batch, logits_dimension]` logits.
    fn predictions(&self, logits: Tensor<2>) -> Predictions;
    /// TF's export signatures: `serving_default`, `classification` or `regression`, `predict`.
    fn export_outputs(&self, logits: Tensor<2>) -> ExportOutputs;
    /// The head's metrics on one batch, from its per-example losses, labels and weights on the
    /// host ([`metrics`](Head::metrics) gathers them).
    fn host_metrics(&self, logits: Tensor<2>, batch: HostBatch) -> EvalMetricOps;

    /// The head's metrics on one batch.
    fn metrics(
        &self,
        logits: Tensor<2>,
        labels: Self::Labels,
        weights: Option<Tensor<1>>,
    ) -> EvalMetricOps {
        let losses = host(self.unreduced_loss(logits.clone(), labels.clone()));
        let labels = host(labels);
        let weights = host_weights(weights, labels.len());
        let batch = HostBatch {
            losses,
            labels,
            weights,
        };
        self.host_metrics(logits, batch)
    }

    /// How [`loss`](Head::loss) reduces the batch: TF 2's `SUM_OVER_BATCH_SIZE` unless the
    /// head says otherwise.
    fn loss_reduction(&self) -> LossReduction {
        LossReduction::SumOverBatchSize
    }

    /// The training loss: `sum(weight · loss) / batch` (TF 2's `SUM_OVER_BATCH_SIZE`), or the
    /// sum with [`LossReduction::Sum`].
    fn loss(
        &self,
        logits: Tensor<2>,
        labels: Self::Labels,
        weights: Option<Tensor<1>>,
    ) -> Tensor<1> {
        reduce_loss(
            self.unreduced_loss(logits, labels),
            weights,
            self.loss_reduction(),
        )
    }

    /// The spec for the logits (TF `head.create_estimator_spec`): the loss in TRAIN and EVAL,
    /// `train_op_fn(loss)` in TRAIN, the metrics in EVAL, every prediction in EVAL and PREDICT
    /// (only `logits` in TRAIN, where nothing reads them, so that a step costs what the network
    /// costs), export outputs in PREDICT. Without labels, TF's runtime rules report what is
    /// missing.
    fn create_estimator_spec(
        &self,
        mode: ModeKeys,
        logits: Tensor<2>,
        labels: Option<Self::Labels>,
        weights: Option<Tensor<1>>,
        train_op_fn: impl FnOnce(Tensor<1>) -> TrainOp,
    ) -> EstimatorSpec {
        let Some(labels) = labels else {
            return prediction_spec(self, mode, logits);
        };
        let loss = self.loss(logits.clone(), labels.clone(), weights.clone());
        match mode {
            ModeKeys::Train => EstimatorSpec::new(mode)
                .predictions(Predictions::new().with(keys::LOGITS, logits))
                .loss(loss.clone())
                .train_op(train_op_fn(loss)),
            ModeKeys::Eval => EstimatorSpec::new(mode)
                .predictions(self.predictions(logits.clone()))
                .loss(loss)
                .eval_metric_ops(self.metrics(logits, labels, weights)),
            ModeKeys::Predict => prediction_spec(self, mode, logits),
        }
    }
}

/// The spec without a loss: predictions (and export outputs in PREDICT).
fn prediction_spec<H: Head + ?Sized>(head: &H, mode: ModeKeys, logits: Tensor<2>) -> EstimatorSpec {
    match mode {
        ModeKeys::Train => {
            EstimatorSpec::new(mode).predictions(Predictions::new().with(keys::LOGITS, logits))
        }
        ModeKeys::Eval => EstimatorSpec::new(mode).predictions(head.predictions(logits)),
        ModeKeys::Predict => EstimatorSpec::new(mode)
            .predictions(head.predictions(logits.clone()))
            .export_outputs(head.export_outputs(logits)),
    }
}

/// One evaluation batch on the host: what [`Head::host_metrics`] reads.
#[derive(Clone, Debug)]
pub struct HostBatch {
    /// The per-example losses.
    pub losses: Vec<f64>,
    /// The labels (class ids, or values).
    pub labels: Vec<f64>,
    /// The example weights (ones without a weight column).
    pub weights: Vec<f64>,
}

impl HostBatch {
    /// TF's `average_loss`: the weighted mean of the per-example losses.
    pub fn average_loss(&self) -> MetricOp {
        weighted_mean(&self.losses, &self.weights)
    }
}
