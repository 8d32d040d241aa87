//! Heads (TF's `tf.estimator.*Head`): the part of a model after the logits. A head owns the
//! loss, the predictions, the evaluation metrics and the export signatures, with TF's names, so
//! a model_fn only computes logits. Each head implements the [`Head`] trait (in the prelude),
//! whose [`Head::create_estimator_spec`] is the one spec they share:
//!
//! ```
//! use estimator_runtime::head::MultiClassHead;
//! use estimator_runtime::prelude::*;
//!
//! #[derive(Module, Debug)]
//! struct Net { linear: nn::Linear }
//!
//! #[model_fn]
//! fn classifier(model: &Net, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys, params: &MultiClassHead) -> EstimatorSpec {
//!     let logits = model.linear.forward(features);
//!     params.create_estimator_spec(mode, logits, labels, None, |loss| {
//!         TrainOp::minimize(loss, AdaGradConfig::new(), 0.05)
//!     })
//! }
//! let device = Device::default();
//! let net = Net { linear: nn::LinearConfig::new(4, 3).init(&device) };
//! let head = MultiClassHead::new(3);
//! let spec = classifier(&net, Tensor::zeros([2, 4], &device), None, ModeKeys::Predict, &head).unwrap();
//! let names: Vec<_> = spec.predictions.unwrap().names().map(String::from).collect();
//! assert_eq!(names, ["logits", "probabilities", "class_ids", "classes", "all_class_ids"]);
//! ```
//!
//! Weights (TF's `weight_column`) come as a `[batch]` tensor, which the feature columns read
//! from the batch ([`FeatureTensors::weights`](crate::feature_column::FeatureTensors)). The
//! training loss is TF 2's `SUM_OVER_BATCH_SIZE` reduction, `sum(weight · loss) / batch`, unless
//! a head's [`LossReduction`] says `Sum` (TF 1's canned estimators).

mod binary;
pub mod metrics;
mod multi_class;
mod regression;
mod spec;
#[cfg(test)]
mod tests;

pub use binary::BinaryClassHead;
pub use multi_class::MultiClassHead;
pub use regression::RegressionHead;
pub use spec::{Head, HostBatch};

use crate::feature_column::FeatureError;
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// TF's prediction keys.
pub mod keys {
    /// Raw model outputs.
    pub const LOGITS: &str = "logits";
    /// Sigmoid of the logit (binary head).
    pub const LOGISTIC: &str = "logistic";
    /// Class probabilities.
    pub const PROBABILITIES: &str = "probabilities";
    /// The predicted class id.
    pub const CLASS_IDS: &str = "class_ids";
    /// The predicted class (its id here; [`ClassVocabulary::names`](super::ClassVocabulary::names)
    /// gives TF's strings).
    pub const CLASSES: &str = "classes";
    /// Every class id (multi-class head).
    pub const ALL_CLASS_IDS: &str = "all_class_ids";
    /// Regression outputs.
    pub const PREDICTIONS: &str = "predictions";
}

/// The classes of a classification head: ids `0..n`, named by an optional label vocabulary
/// (TF's `label_vocabulary`). Labels are encoded on the host, in the input pipeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassVocabulary {
    /// The number of classes.
    pub n_classes: usize,
    /// Class `i`'s name, when labels are strings.
    pub label_vocabulary: Option<Vec<String>>,
}

impl ClassVocabulary {
    /// Class ids from string labels (through the label vocabulary), as a `[batch]` tensor.
    pub fn encode_strings<S: AsRef<str>>(
        &self,
        labels: &[S],
        device: &Device,
    ) -> Result<Tensor<1, Int>, FeatureError> {
        let ids = labels
            .iter()
            .map(|l| {
                let l = l.as_ref();
                self.label_vocabulary
                    .as_ref()
                    .and_then(|v| v.iter().position(|c| c == l))
                    .map(|i| i as i64)
                    .ok_or_else(|| self.unknown(l))
            })
            .collect::<Result<Vec<i64>, _>>()?;
        let n = ids.len();
        Ok(Tensor::from_data(TensorData::new(ids, [n]), device))
    }

    /// Class ids from integer labels, checked to lie in `0..n_classes`.
    pub fn encode_ids(
        &self,
        labels: &[i64],
        device: &Device,
    ) -> Result<Tensor<1, Int>, FeatureError> {
        if let Some(bad) = labels
            .iter()
            .find(|&&l| usize::try_from(l).map_or(true, |l| l >= self.n_classes))
        {
            return Err(self.unknown(&bad.to_string()));
        }
        Ok(Tensor::from_data(
            TensorData::new(labels.to_vec(), [labels.len()]),
            device,
        ))
    }

    /// The names of class ids (the label vocabulary's strings, or the ids as text).
    pub fn names(&self, ids: &[i64]) -> Vec<String> {
        ids.iter()
            .map(|&i| {
                self.label_vocabulary
                    .as_ref()
                    .and_then(|v| usize::try_from(i).ok().and_then(|i| v.get(i)).cloned())
                    .unwrap_or_else(|| i.to_string())
            })
            .collect()
    }

    fn unknown(&self, value: &str) -> FeatureError {
        FeatureError::UnknownLabel {
            value: crate::feature_column::short_value(value),
            classes: match &self.label_vocabulary {
                Some(v) => format!("{v:?}"),
                None => format!("ids 0..{}", self.n_classes),
            },
        }
    }
}

/// How a head reduces its per-example losses to the training loss (TF's `loss_reduction`).
///
/// ```
/// use estimator_runtime::head::{Head, LossReduction, MultiClassHead};
/// // TF 1's `tf.compat.v1.estimator.DNNClassifier` sums the batch's losses.
/// let head = MultiClassHead::new(3).with_loss_reduction(LossReduction::Sum);
/// assert_eq!(head.loss_reduction(), LossReduction::Sum);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossReduction {
    /// `sum(weight · loss) / batch`: TF 2's heads and canned estimators.
    #[default]
    SumOverBatchSize,
    /// `sum(weight · loss)`: TF 1's canned estimators (`tf.compat.v1.estimator.*`), whose
    /// gradients grow with the batch.
    Sum,
}

/// The training loss of per-example `losses` (and `weights`), reduced by `reduction`, a `[1]`
/// tensor.
pub(crate) fn reduce_loss(
    losses: Tensor<1>,
    weights: Option<Tensor<1>>,
    reduction: LossReduction,
) -> Tensor<1> {
    let [n] = losses.dims();
    let weighted = match weights {
        Some(w) => losses * w,
        None => losses,
    };
    match reduction {
        LossReduction::SumOverBatchSize => weighted.sum() / n.max(1) as f32,
        LossReduction::Sum => weighted.sum(),
    }
}
