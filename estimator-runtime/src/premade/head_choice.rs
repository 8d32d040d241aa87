//! `ClassifierHead`: the binary head for two classes, the multi-class head otherwise (as TF's
//! classifiers choose), and `OptimizerSpec`: a saveable choice of optimizer.

use super::ftrl::FtrlConfig;
use crate::head::{BinaryClassHead, ClassVocabulary, MultiClassHead};
use crate::{EstimatorSpec, ModeKeys, TrainOp};
use burn::optim::{AdaGradConfig, AdamConfig, SgdConfig};
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

/// An optimizer and its learning rate, saveable with the premade's configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerSpec {
    /// burn's AdaGrad (TF's DNN default, at 0.05).
    Adagrad {
        /// The learning rate.
        learning_rate: f64,
    },
    /// burn's Adam.
    Adam {
        /// The learning rate.
        learning_rate: f64,
    },
    /// Plain gradient descent.
    Sgd {
        /// The learning rate.
        learning_rate: f64,
    },
    /// FTRL (TF's linear default, at 0.2).
    Ftrl {
        /// The learning rate.
        learning_rate: f64,
        /// FTRL's other hyper-parameters.
        config: FtrlConfig,
    },
}

impl OptimizerSpec {
    /// TF's DNN default: AdaGrad at 0.05.
    pub fn dnn_default() -> Self {
        OptimizerSpec::Adagrad {
            learning_rate: 0.05,
        }
    }

    /// TF's linear default: FTRL at `min(0.2, 1/√columns)`.
    pub fn linear_default(num_columns: usize) -> Self {
        OptimizerSpec::Ftrl {
            learning_rate: 0.2f64.min(1.0 / (num_columns.max(1) as f64).sqrt()),
            config: FtrlConfig::default(),
        }
    }

    /// The train op minimising `loss` with this optimizer.
    pub fn minimize(&self, loss: Tensor<1>) -> TrainOp {
        match self {
            OptimizerSpec::Adagrad { learning_rate } => {
                TrainOp::minimize(loss, AdaGradConfig::new(), *learning_rate)
            }
            OptimizerSpec::Adam { learning_rate } => {
                TrainOp::minimize(loss, AdamConfig::new(), *learning_rate)
            }
            OptimizerSpec::Sgd { learning_rate } => {
                TrainOp::minimize(loss, SgdConfig::new(), *learning_rate)
            }
            OptimizerSpec::Ftrl {
                learning_rate,
                config,
            } => TrainOp::minimize(loss, config.clone(), *learning_rate),
        }
    }
}
