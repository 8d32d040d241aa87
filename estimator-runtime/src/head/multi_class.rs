//! `MultiClassHead`: softmax cross-entropy over `n_classes` logits (TF `MultiClassHead`).

use super::binary::classification_outputs;
use super::metrics::{host, weighted_accuracy};
use super::{ClassVocabulary, Head, HostBatch, LossReduction, keys};
use crate::{EvalMetricOps, ExportOutputs, Predictions};
use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::{Int, Tensor};
use serde::{Deserialize, Serialize};

/// `n_classes` logits: softmax cross-entropy; predictions `logits`, `probabilities`,
/// `class_ids`, `classes`, `all_class_ids`; metrics `accuracy`, `average_loss`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MultiClassHead {
    /// The classes.
    pub classes: ClassVocabulary,
    /// How the training loss reduces the batch (TF 2's `SUM_OVER_BATCH_SIZE` by default).
    #[serde(default)]
    pub loss_reduction: LossReduction,
}

impl MultiClassHead {
    /// A head over `n_classes` classes, labelled by ids.
    pub fn new(n_classes: usize) -> Self {
        MultiClassHead {
            classes: ClassVocabulary {
                n_classes,
                label_vocabulary: None,
            },
            loss_reduction: LossReduction::default(),
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
            loss_reduction: LossReduction::default(),
        }
    }

    /// The same head reducing the training loss by `reduction`.
    pub fn with_loss_reduction(mut self, reduction: LossReduction) -> Self {
        self.loss_reduction = reduction;
        self
    }
}

impl Head for MultiClassHead {
    type Labels = Tensor<1, Int>;

    /// The logits it takes per example.
    fn loss_reduction(&self) -> LossReduction {
        self.loss_reduction
    }

    fn logits_dimension(&self) -> usize {
        self.classes.n_classes
    }

    /// Per-example `-ln softmax(logits)[label]`, `[batch]`.
    fn unreduced_loss(&self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        log_softmax(logits, 1)
            .gather(1, labels.unsqueeze_dim::<2>(1))
            .flatten::<1>(0, 1)
            .neg()
    }

    /// TF's predictions for `[batch, n_classes]` logits.
    fn predictions(&self, logits: Tensor<2>) -> Predictions {
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
    fn export_outputs(&self, logits: Tensor<2>) -> ExportOutputs {
        let scores = softmax(logits.clone(), 1);
        let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
        classification_outputs(scores, classes, self.predictions(logits))
    }

    fn host_metrics(&self, logits: Tensor<2>, batch: HostBatch) -> EvalMetricOps {
        let class = host(logits.argmax(1));
        EvalMetricOps::new()
            .with(
                "accuracy",
                weighted_accuracy(&batch.labels, &class, &batch.weights),
            )
            .with("average_loss", batch.average_loss())
    }
}
