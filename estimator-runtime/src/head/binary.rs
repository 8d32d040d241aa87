//! `BinaryClassHead`: logistic loss over one logit (TF `BinaryClassHead`).

use super::metrics::{
    AccuracyBaseline, AreaUnderCurve, Curve, host, weighted_accuracy, weighted_mean,
    weighted_precision_recall,
};
use super::{ClassVocabulary, Head, HostBatch, LossReduction, keys};
use crate::metrics::Mean;
use crate::{EvalMetricOps, ExportOutput, ExportOutputs, MetricOp, Predictions};
use burn::tensor::activation::{sigmoid, softplus};
use burn::tensor::{Int, Tensor};
use serde::{Deserialize, Serialize};

/// Two classes, one logit: sigmoid cross-entropy; predictions `logits`, `logistic`,
/// `probabilities`, `class_ids`, `classes`; metrics `accuracy`, `accuracy_baseline`, `auc`,
/// `auc_precision_recall`, `average_loss`, `label/mean`, `prediction/mean`, `precision`,
/// `recall`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BinaryClassHead {
    /// The classes (`n_classes` is 2).
    pub classes: ClassVocabulary,
    /// The probability above which the class is 1 (TF: 0.5).
    pub threshold: f64,
    /// How the training loss reduces the batch (TF 2's `SUM_OVER_BATCH_SIZE` by default).
    #[serde(default)]
    pub loss_reduction: LossReduction,
}

impl Default for BinaryClassHead {
    fn default() -> Self {
        BinaryClassHead {
            classes: ClassVocabulary {
                n_classes: 2,
                label_vocabulary: None,
            },
            threshold: 0.5,
            loss_reduction: LossReduction::default(),
        }
    }
}

impl BinaryClassHead {
    /// The same head reducing the training loss by `reduction`.
    pub fn with_loss_reduction(mut self, reduction: LossReduction) -> Self {
        self.loss_reduction = reduction;
        self
    }

    /// A head whose labels are the strings `[negative, positive]`.
    pub fn with_label_vocabulary(mut self, negative: &str, positive: &str) -> Self {
        self.classes.label_vocabulary = Some(vec![negative.into(), positive.into()]);
        self
    }
}

impl Head for BinaryClassHead {
    type Labels = Tensor<1, Int>;

    fn loss_reduction(&self) -> LossReduction {
        self.loss_reduction
    }

    fn logits_dimension(&self) -> usize {
        1
    }

    /// Per-example sigmoid cross-entropy, `max(x, 0) - x·z + ln(1 + e^-|x|)`, `[batch]`.
    fn unreduced_loss(&self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        let x = logits.flatten::<1>(0, 1);
        let z = labels.float();
        x.clone().clamp_min(0.0) - x.clone() * z + softplus(-x.abs(), 1.0)
    }

    /// TF's predictions for `[batch, 1]` logits.
    fn predictions(&self, logits: Tensor<2>) -> Predictions {
        let logistic = sigmoid(logits.clone());
        let probabilities = Tensor::cat(vec![logistic.clone().neg() + 1.0, logistic.clone()], 1);
        let class_ids = logistic.clone().greater_elem(self.threshold).int();
        Predictions::new()
            .with(keys::LOGITS, logits)
            .with(keys::LOGISTIC, logistic)
            .with(keys::PROBABILITIES, probabilities)
            .with(keys::CLASS_IDS, class_ids.clone())
            .with(keys::CLASSES, class_ids)
    }

    /// `serving_default` and `classification`: class probabilities and ids; `predict`: every
    /// prediction.
    fn export_outputs(&self, logits: Tensor<2>) -> ExportOutputs {
        let predictions = self.predictions(logits.clone());
        let logistic = sigmoid(logits);
        let scores = Tensor::cat(vec![logistic.clone().neg() + 1.0, logistic.clone()], 1);
        let classes = logistic
            .greater_elem(self.threshold)
            .int()
            .flatten::<1>(0, 1);
        classification_outputs(scores, classes, predictions)
    }

    fn host_metrics(&self, logits: Tensor<2>, batch: HostBatch) -> EvalMetricOps {
        let p = host(sigmoid(logits));
        let (l, w) = (&batch.labels, &batch.weights);
        let class: Vec<f64> = p
            .iter()
            .map(|&p| f64::from(u8::from(p > self.threshold)))
            .collect();
        let (precision, recall) = weighted_precision_recall(l, &class, w);
        let label_mean = Mean {
            sum: l.iter().zip(w).map(|(a, b)| a * b).sum(),
            count: w.iter().sum(),
        };
        EvalMetricOps::new()
            .with("accuracy", weighted_accuracy(l, &class, w))
            .with(
                "accuracy_baseline",
                MetricOp::from(AccuracyBaseline(label_mean)),
            )
            .with("auc", AreaUnderCurve::new(Curve::Roc, l, &p, w, 200))
            .with(
                "auc_precision_recall",
                AreaUnderCurve::new(Curve::PrecisionRecall, l, &p, w, 200),
            )
            .with("average_loss", batch.average_loss())
            .with("label/mean", weighted_mean(l, w))
            .with("prediction/mean", weighted_mean(&p, w))
            .with("precision", precision)
            .with("recall", recall)
    }
}

/// TF's classifier signatures: `serving_default` and `classification` classify, `predict`
/// returns every prediction.
pub(crate) fn classification_outputs(
    scores: Tensor<2>,
    classes: Tensor<1, Int>,
    predictions: Predictions,
) -> ExportOutputs {
    let classify = ExportOutput::Classification {
        scores: Some(scores),
        classes: Some(classes),
    };
    ExportOutputs::new()
        .with(crate::DEFAULT_SERVING_SIGNATURE_DEF_KEY, classify.clone())
        .with("classification", classify)
        .with("predict", ExportOutput::Predict(predictions))
}
