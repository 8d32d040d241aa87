//! `ClassifierHead`: the binary head for two classes, the multi-class head otherwise (as TF's
//! classifiers choose).

use crate::head::{
    BinaryClassHead, ClassVocabulary, Head, HostBatch, LossReduction, MultiClassHead,
};
use crate::{EvalMetricOps, ExportOutputs, Predictions};
use burn::tensor::{Int, Tensor};
use serde::{Deserialize, Serialize};

/// A classifier's head.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClassifierHead {
    /// Two classes.
    Binary(BinaryClassHead),
    /// More.
    MultiClass(MultiClassHead),
}

impl ClassifierHead {
    /// The head TF's classifiers build for `n_classes` (binary for 2).
    pub fn new(n_classes: usize) -> Self {
        if n_classes == 2 {
            ClassifierHead::Binary(BinaryClassHead::default())
        } else {
            ClassifierHead::MultiClass(MultiClassHead::new(n_classes))
        }
    }

    /// The head for string labels; the classes are the vocabulary's entries, in order.
    pub fn with_label_vocabulary<S: Into<String>>(vocabulary: impl IntoIterator<Item = S>) -> Self {
        let v: Vec<String> = vocabulary.into_iter().map(Into::into).collect();
        match v.as_slice() {
            [neg, pos] => {
                ClassifierHead::Binary(BinaryClassHead::default().with_label_vocabulary(neg, pos))
            }
            _ => ClassifierHead::MultiClass(MultiClassHead::with_label_vocabulary(v)),
        }
    }

    /// The same head reducing the training loss by `reduction`.
    pub fn with_loss_reduction(self, reduction: LossReduction) -> Self {
        match self {
            ClassifierHead::Binary(h) => ClassifierHead::Binary(h.with_loss_reduction(reduction)),
            ClassifierHead::MultiClass(h) => {
                ClassifierHead::MultiClass(h.with_loss_reduction(reduction))
            }
        }
    }

    /// The classes and their names.
    pub fn classes(&self) -> &ClassVocabulary {
        match self {
            ClassifierHead::Binary(h) => &h.classes,
            ClassifierHead::MultiClass(h) => &h.classes,
        }
    }
}

impl Head for ClassifierHead {
    type Labels = Tensor<1, Int>;

    fn loss_reduction(&self) -> LossReduction {
        match self {
            ClassifierHead::Binary(h) => h.loss_reduction,
            ClassifierHead::MultiClass(h) => h.loss_reduction,
        }
    }

    fn logits_dimension(&self) -> usize {
        match self {
            ClassifierHead::Binary(h) => h.logits_dimension(),
            ClassifierHead::MultiClass(h) => h.logits_dimension(),
        }
    }

    fn unreduced_loss(&self, logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        match self {
            ClassifierHead::Binary(h) => h.unreduced_loss(logits, labels),
            ClassifierHead::MultiClass(h) => h.unreduced_loss(logits, labels),
        }
    }

    fn predictions(&self, logits: Tensor<2>) -> Predictions {
        match self {
            ClassifierHead::Binary(h) => h.predictions(logits),
            ClassifierHead::MultiClass(h) => h.predictions(logits),
        }
    }

    fn export_outputs(&self, logits: Tensor<2>) -> ExportOutputs {
        match self {
            ClassifierHead::Binary(h) => h.export_outputs(logits),
            ClassifierHead::MultiClass(h) => h.export_outputs(logits),
        }
    }

    fn host_metrics(&self, logits: Tensor<2>, batch: HostBatch) -> EvalMetricOps {
        match self {
            ClassifierHead::Binary(h) => h.host_metrics(logits, batch),
            ClassifierHead::MultiClass(h) => h.host_metrics(logits, batch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feature_column::{FeatureColumns, numeric_column};
    use crate::premade::DnnClassifierConfig;

    /// `n_classes` and `label_vocabulary` replace the head but keep the reduction set before.
    #[test]
    fn the_class_builders_keep_the_loss_reduction() {
        let columns = FeatureColumns::new([numeric_column("x").into()]);
        let config = DnnClassifierConfig::new(columns, [4])
            .loss_reduction(LossReduction::Sum)
            .label_vocabulary(["a", "b", "c"]);
        assert!(matches!(config.head, ClassifierHead::MultiClass(_)));
        assert_eq!(config.head.loss_reduction(), LossReduction::Sum);
        let config = config.n_classes(2);
        assert!(matches!(config.head, ClassifierHead::Binary(_)));
        assert_eq!(config.head.loss_reduction(), LossReduction::Sum);
        let config = config.loss_reduction(LossReduction::SumOverBatchSize);
        assert_eq!(
            config.head.loss_reduction(),
            LossReduction::SumOverBatchSize
        );
    }
}
