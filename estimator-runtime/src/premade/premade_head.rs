//! `PremadeHead`: what a premade estimator needs of its head beyond [`Head`]: labels from a raw
//! column, and the `#[model_fn]` of each family for the head's label type. Behind those
//! `#[model_fn]`s (`linear_classifier_fn`, `dnn_regressor_fn`, ...) are two generic model_fns:
//! `one_optimizer_model_fn` (linear, DNN, baseline) and `dnn_linear_combined_model_fn`.

use super::head_choice::ClassifierHead;
use super::{
    BaselineEstimatorConfig, DnnEstimatorConfig, DnnLinearCombinedEstimatorConfig,
    LinearEstimatorConfig, PremadeModelFn,
};
use crate::feature_column::{ColumnValues, FeatureError};
use crate::head::{Head, LossReduction, RegressionHead};
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A head a premade estimator trains: [`ClassifierHead`] or [`RegressionHead`].
pub trait PremadeHead:
    Head + Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + 'static
{
    /// Labels from a raw column (class ids from strings or integers, or values).
    fn encode_labels(
        &self,
        values: &ColumnValues,
        device: &Device,
    ) -> Result<Self::Labels, FeatureError>;
    /// The linear family's `#[model_fn]` for this head.
    fn linear_fn() -> PremadeModelFn<LinearEstimatorConfig<Self>>;
    /// The DNN family's `#[model_fn]` for this head.
    fn dnn_fn() -> PremadeModelFn<DnnEstimatorConfig<Self>>;
    /// The wide-and-deep family's `#[model_fn]` for this head.
    fn dnn_linear_combined_fn() -> PremadeModelFn<DnnLinearCombinedEstimatorConfig<Self>>;
    /// The baseline family's `#[model_fn]` for this head.
    fn baseline_fn() -> PremadeModelFn<BaselineEstimatorConfig<Self>>;
}

impl PremadeHead for ClassifierHead {
    fn encode_labels(
        &self,
        values: &ColumnValues,
        device: &Device,
    ) -> Result<Tensor<1, Int>, FeatureError> {
        class_labels(self, values, device)
    }
    fn linear_fn() -> PremadeModelFn<LinearEstimatorConfig<Self>> {
        super::linear::linear_classifier_fn
    }
    fn dnn_fn() -> PremadeModelFn<DnnEstimatorConfig<Self>> {
        super::dnn::dnn_classifier_fn
    }
    fn dnn_linear_combined_fn() -> PremadeModelFn<DnnLinearCombinedEstimatorConfig<Self>> {
        super::combined::dnn_linear_combined_classifier_fn
    }
    fn baseline_fn() -> PremadeModelFn<BaselineEstimatorConfig<Self>> {
        super::baseline::baseline_classifier_fn
    }
}

impl PremadeHead for RegressionHead {
    fn encode_labels(
        &self,
        values: &ColumnValues,
        device: &Device,
    ) -> Result<Tensor<1>, FeatureError> {
        value_labels(values, device)
    }
    fn linear_fn() -> PremadeModelFn<LinearEstimatorConfig<Self>> {
        super::linear::linear_regressor_fn
    }
    fn dnn_fn() -> PremadeModelFn<DnnEstimatorConfig<Self>> {
        super::dnn::dnn_regressor_fn
    }
    fn dnn_linear_combined_fn() -> PremadeModelFn<DnnLinearCombinedEstimatorConfig<Self>> {
        super::combined::dnn_linear_combined_regressor_fn
    }
    fn baseline_fn() -> PremadeModelFn<BaselineEstimatorConfig<Self>> {
        super::baseline::baseline_regressor_fn
    }
}

/// Class ids from a label column of strings (through the label vocabulary) or integers.
fn class_labels(
    head: &ClassifierHead,
    values: &ColumnValues,
    device: &Device,
) -> Result<Tensor<1, Int>, FeatureError> {
    match values {
        ColumnValues::Str(s) => head.classes().encode_strings(s, device),
        ColumnValues::Int(ids) if head.classes().label_vocabulary.is_none() => {
            head.classes().encode_ids(ids, device)
        }
        ColumnValues::Float(v) if head.classes().label_vocabulary.is_none() => {
            let ids: Vec<i64> = v.iter().map(|&x| x as i64).collect();
            head.classes().encode_ids(&ids, device)
        }
        other => Err(FeatureError::WrongDtype {
            name: "label".into(),
            expected: if head.classes().label_vocabulary.is_some() {
                "string"
            } else {
                "int"
            },
            found: other.dtype_name(),
        }),
    }
}

/// Values from a numeric label column.
fn value_labels(values: &ColumnValues, device: &Device) -> Result<Tensor<1>, FeatureError> {
    let v: Vec<f32> = match values {
        ColumnValues::Float(v) => v.clone(),
        ColumnValues::Int(v) => v.iter().map(|&x| x as f32).collect(),
        other => {
            return Err(FeatureError::WrongDtype {
                name: "label".into(),
                expected: "float",
                found: other.dtype_name(),
            });
        }
    };
    let n = v.len();
    Ok(Tensor::from_data(TensorData::new(v, [n]), device))
}

/// `n_classes` and `label_vocabulary` for the classifier configurations (a `head:
/// ClassifierHead` field).
macro_rules! classifier_builders {
    ($($config:ty),*) => {$(
        impl $config {
            /// `n` classes labelled by ids.
            pub fn n_classes(mut self, n: usize) -> Self {
                let reduction = self.head.loss_reduction();
                self.head = ClassifierHead::new(n).with_loss_reduction(reduction);
                self
            }

            /// Classes named by `vocabulary` (labels are strings).
            pub fn label_vocabulary<S: Into<String>>(
                mut self,
                vocabulary: impl IntoIterator<Item = S>,
            ) -> Self {
                let reduction = self.head.loss_reduction();
                self.head =
                    ClassifierHead::with_label_vocabulary(vocabulary).with_loss_reduction(reduction);
                self
            }
        }
    )*};
}

/// `loss_reduction` for every premade configuration (a `head` field with
/// `with_loss_reduction`).
macro_rules! reduction_builders {
    ($($config:ty),*) => {$(
        impl $config {
            /// How the training loss reduces each batch (TF's `loss_reduction`):
            /// [`LossReduction::Sum`] for TF 1's `tf.compat.v1.estimator` estimators.
            pub fn loss_reduction(mut self, reduction: LossReduction) -> Self {
                self.head = self.head.with_loss_reduction(reduction);
                self
            }
        }
    )*};
}

reduction_builders!(
    super::LinearClassifierConfig,
    super::DnnClassifierConfig,
    super::DnnLinearCombinedClassifierConfig,
    super::BaselineClassifierConfig,
    super::LinearRegressorConfig,
    super::DnnRegressorConfig,
    super::DnnLinearCombinedRegressorConfig,
    super::BaselineRegressorConfig
);

classifier_builders!(
    super::LinearClassifierConfig,
    super::DnnClassifierConfig,
    super::DnnLinearCombinedClassifierConfig
);
