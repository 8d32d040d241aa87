//! `ClassifierHead`: the binary head for two classes, the multi-class head otherwise (as TF's
//! classifiers choose).

use crate::head::{BinaryClassHead, ClassVocabulary, MultiClassHead};
use crate::{EstimatorSpec, ModeKeys, TrainOp};
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

    /// The classes and their names.
    pub fn classes(&self) -> &ClassVocabulary {
        match self {
            ClassifierHead::Binary(h) => &h.classes,
            ClassifierHead::MultiClass(h) => &h.classes,
        }
    }

    /// The logits per example.
    pub fn logits_dimension(&self) -> usize {
        match self {
            ClassifierHead::Binary(h) => h.logits_dimension(),
            ClassifierHead::MultiClass(h) => h.logits_dimension(),
        }
    }

    /// The training loss.
    pub fn loss(
        &self,
        logits: Tensor<2>,
        labels: Tensor<1, Int>,
        weights: Option<Tensor<1>>,
    ) -> Tensor<1> {
        match self {
            ClassifierHead::Binary(h) => h.loss(logits, labels, weights),
            ClassifierHead::MultiClass(h) => h.loss(logits, labels, weights),
        }
    }

    /// The head's spec.
    pub fn create_estimator_spec(
        &self,
        mode: ModeKeys,
        logits: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
        weights: Option<Tensor<1>>,
        train_op_fn: impl FnOnce(Tensor<1>) -> TrainOp,
    ) -> EstimatorSpec {
        match self {
            ClassifierHead::Binary(h) => {
                h.create_estimator_spec(mode, logits, labels, weights, train_op_fn)
            }
            ClassifierHead::MultiClass(h) => {
                h.create_estimator_spec(mode, logits, labels, weights, train_op_fn)
            }
        }
    }
}
