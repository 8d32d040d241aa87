//! `BaselineClassifier` and `BaselineRegressor`: one bias per logit, ignoring the features (the
//! prior class distribution, or the label mean).

use super::OptimizerSpec;
use super::PremadeModelFn;
use super::head_choice::ClassifierHead;
use super::{PremadeConfig, class_labels, value_labels};
use crate::feature_column::{ColumnValues, FeatureColumns, FeatureError, FeatureTensors};
use crate::head::RegressionHead;
use crate::{EstimatorSpec, ModeKeys, model_fn};
use burn::module::{Module, Param};
use burn::nn::Initializer;
use burn::tensor::{Device, Int, Tensor};
use serde::{Deserialize, Serialize};

/// The baseline: a bias per logit, zero at first.
#[derive(Module, Debug)]
pub struct BaselineModel {
    /// `[logits]`.
    pub bias: Param<Tensor<1>>,
}

impl BaselineModel {
    /// Zero biases.
    pub fn new(logits: usize, device: &Device) -> Self {
        BaselineModel {
            bias: Initializer::Zeros.init([logits], device),
        }
    }

    /// The bias for every example, `[batch, logits]`.
    pub fn forward(&self, features: &FeatureTensors) -> Tensor<2> {
        let [n] = self.bias.val().dims();
        self.bias
            .val()
            .unsqueeze_dim::<2>(0)
            .expand([features.batch_size, n])
    }
}

/// A `BaselineClassifier`'s configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineClassifierConfig {
    /// No columns are read but the weight column, if any.
    pub feature_columns: FeatureColumns,
    /// The head.
    pub head: ClassifierHead,
    /// The optimizer (FTRL at 0.3, as TF).
    pub optimizer: OptimizerSpec,
}

impl BaselineClassifierConfig {
    /// `n_classes` classes labelled by ids.
    pub fn new(n_classes: usize) -> Self {
        BaselineClassifierConfig {
            feature_columns: FeatureColumns::default(),
            head: ClassifierHead::new(n_classes),
            optimizer: OptimizerSpec::baseline_default(),
        }
    }

    /// Example weights from the raw column `key`.
    pub fn weight_column(mut self, key: &str) -> Self {
        self.feature_columns = self.feature_columns.with_weight_column(key);
        self
    }
}

/// `BaselineClassifier`'s model_fn.
#[model_fn(crate = "crate")]
pub fn baseline_classifier_fn(
    model: &BaselineModel,
    features: FeatureTensors,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &BaselineClassifierConfig,
) -> EstimatorSpec {
    let logits = model.forward(&features);
    params
        .head
        .create_estimator_spec(mode, logits, labels, features.weights, |loss| {
            params.optimizer.minimize(loss)
        })
}

impl PremadeConfig for BaselineClassifierConfig {
    type Model = BaselineModel;
    type Features = FeatureTensors;
    type Labels = Tensor<1, Int>;

    fn model_fn() -> PremadeModelFn<Self> {
        baseline_classifier_fn
    }
    fn build_model(&self, device: &Device) -> Result<BaselineModel, FeatureError> {
        Ok(BaselineModel::new(self.head.logits_dimension(), device))
    }
    fn optimizers(&self) -> Vec<(&'static str, &OptimizerSpec)> {
        vec![("optimizer", &self.optimizer)]
    }
    fn column_sets(&self) -> Vec<&FeatureColumns> {
        vec![&self.feature_columns]
    }
    fn assemble(encoded: Vec<FeatureTensors>) -> Result<FeatureTensors, FeatureError> {
        super::single(encoded)
    }
    fn encode_labels(
        &self,
        values: &ColumnValues,
        device: &Device,
    ) -> Result<Tensor<1, Int>, FeatureError> {
        class_labels(&self.head, values, device)
    }
}

/// A `BaselineRegressor`'s configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineRegressorConfig {
    /// No columns are read but the weight column, if any.
    pub feature_columns: FeatureColumns,
    /// The head.
    pub head: RegressionHead,
    /// The optimizer (FTRL at 0.3, as TF).
    pub optimizer: OptimizerSpec,
}

impl Default for BaselineRegressorConfig {
    fn default() -> Self {
        BaselineRegressorConfig {
            feature_columns: FeatureColumns::default(),
            head: RegressionHead::new(),
            optimizer: OptimizerSpec::baseline_default(),
        }
    }
}

impl BaselineRegressorConfig {
    /// TF's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The optimizer.
    pub fn optimizer(mut self, optimizer: OptimizerSpec) -> Self {
        self.optimizer = optimizer;
        self
    }
}

/// `BaselineRegressor`'s model_fn.
#[model_fn(crate = "crate")]
pub fn baseline_regressor_fn(
    model: &BaselineModel,
    features: FeatureTensors,
    labels: Option<Tensor<1>>,
    mode: ModeKeys,
    params: &BaselineRegressorConfig,
) -> EstimatorSpec {
    let logits = model.forward(&features);
    params
        .head
        .create_estimator_spec(mode, logits, labels, features.weights, |loss| {
            params.optimizer.minimize(loss)
        })
}

impl PremadeConfig for BaselineRegressorConfig {
    type Model = BaselineModel;
    type Features = FeatureTensors;
    type Labels = Tensor<1>;

    fn model_fn() -> PremadeModelFn<Self> {
        baseline_regressor_fn
    }
    fn build_model(&self, device: &Device) -> Result<BaselineModel, FeatureError> {
        Ok(BaselineModel::new(1, device))
    }
    fn optimizers(&self) -> Vec<(&'static str, &OptimizerSpec)> {
        vec![("optimizer", &self.optimizer)]
    }
    fn column_sets(&self) -> Vec<&FeatureColumns> {
        vec![&self.feature_columns]
    }
    fn assemble(encoded: Vec<FeatureTensors>) -> Result<FeatureTensors, FeatureError> {
        super::single(encoded)
    }
    fn encode_labels(
        &self,
        values: &ColumnValues,
        device: &Device,
    ) -> Result<Tensor<1>, FeatureError> {
        value_labels(values, device)
    }
}
