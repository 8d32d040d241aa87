//! `MultiClassHead`: softmax cross-entropy over `n_classes` logits (TF `MultiClassHead`).

use super::binary::classification_outputs;
use super::metrics::{host, host_weights, weighted_accuracy, weighted_mean};
use super::{ClassVocabulary, assemble_spec, keys, reduce_loss};
use crate::{EstimatorSpec, EvalMetricOps, ExportOutputs, ModeKeys, Predictions, TrainOp};
use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::{Int, Tensor};
use serde::{Deserialize, Serialize};

/// `n_classes` logits: softmax cross-entropy; predictions `logits`, `probabilities`,
/// `class_ids`, `classes`, `all_class_ids`; metrics `accuracy`, `average_loss`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultiClassHead {
    /// The classes.
    pub classes: ClassVocabulary,
}

impl MultiClassHead {
    /// A head over `n_classes` classes, labelled by ids.
    pub fn new(n_classes: usize) -> Self {
        MultiClassHead {
            classes: ClassVocabulary {
                n_classes,
                label_vocabulary: None,
            },
        }
    }

    /// A head whose labels are the strings of `vocabulary` (class `i` is `vocabulary[i]`).
    pub fn with_label_vocabulary<S: Into<String>>(vocabulary: impl IntoIterator<Item = S>) -> Self {
        let v: Vec<String> = vocabulary.into_iter().map(Into::into).collect();
        MultiClassHead {
            classes: ClassVocabulary {
                n_classes: v.len(),
                label_vocabulary: Some(v),
            },
        }
    }

    /// The logits it takes per example.
    pub fn logits_dimension(&self) -> usize {
        self.classes.n_classes
    }

    /// Per-example `-ln softmax(logits)[label]`, `[batch]`.
    pub fn unreduced_loss(&self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        log_softmax(logits, 1)
            .gather(1, labels.unsqueeze_dim::<2>(1))
            .flatten::<1>(0, 1)
            .neg()
    }

    /// The training loss: `sum(weight · loss) / batch`.
    pub fn loss(
        &self,
        logits: Tensor<2>,
        labels: Tensor<1, Int>,
        weights: Option<Tensor<1>>,
    ) -> Tensor<1> {
        reduce_loss(self.unreduced_loss(logits, labels), weights)
    }

    /// TF's predictions for `[batch, n_classes]` logits.
    pub fn predictions(&self, logits: Tensor<2>) -> Predictions {
        let [batch, n] = logits.dims();
        let probabilities = softmax(logits.clone(), 1);
        let class_ids = logits.clone().argmax(1);
        let all = Tensor::<1, Int>::arange(0..n as i64, &logits.device())
            .unsqueeze_dim::<2>(0)
            .expand([batch, n]);
        Predictions::new()
            .with(keys::LOGITS, logits)
            .with(keys::PROBABILITIES, probabilities)
            .with(keys::CLASS_IDS, class_ids.clone())
            .with(keys::CLASSES, class_ids)
            .with(keys::ALL_CLASS_IDS, all)
    }

    /// `serving_default` and `classification`: class probabilities and ids; `predict`: every
    /// prediction.
    pub fn export_outputs(&self, logits: Tensor<2>) -> ExportOutputs {
        let scores = softmax(logits.clone(), 1);
        let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
        classification_outputs(scores, classes, self.predictions(logits))
    }

    /// The head's metrics on one batch.
    pub fn metrics(
        &self,
        logits: Tensor<2>,
        labels: Tensor<1, Int>,
        weights: Option<Tensor<1>>,
    ) -> EvalMetricOps {
        let losses = host(self.unreduced_loss(logits.clone(), labels.clone()));
        let class = host(logits.argmax(1));
        let l = host(labels);
        let w = host_weights(weights, l.len());
        EvalMetricOps::new()
            .with("accuracy", weighted_accuracy(&l, &class, &w))
            .with("average_loss", weighted_mean(&losses, &w))
    }

    /// The spec for `[batch, n_classes]` logits (TF `head.create_estimator_spec`).
    pub fn create_estimator_spec(
        &self,
        mode: ModeKeys,
        logits: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
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
