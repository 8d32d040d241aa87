//! `LinearClassifier` and `LinearRegressor`: a weight per dense value and per categorical id,
//! trained by FTRL at 0.2 by default (TF 2.15's).

use super::OptimizerSpec;
use super::PremadeModelFn;
use super::head_choice::ClassifierHead;
use super::{PremadeConfig, class_labels, value_labels};
use crate::feature_column::{
    ColumnValues, FeatureColumns, FeatureError, FeatureTensors, LinearModel,
};
use crate::head::RegressionHead;
use crate::{EstimatorSpec, ModeKeys, model_fn};
use burn::tensor::{Device, Int, Tensor};
use serde::{Deserialize, Serialize};

/// A `LinearClassifier`'s configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearClassifierConfig {
    /// Numeric, bucketized, categorical (hash, vocabulary, identity, crossed) and indicator
    /// columns.
    pub feature_columns: FeatureColumns,
    /// The head (binary for 2 classes).
    pub head: ClassifierHead,
    /// The optimizer (TF 2.15's: FTRL at 0.2, [`OptimizerSpec::linear_estimator_default`]).
    pub optimizer: OptimizerSpec,
}

impl LinearClassifierConfig {
    /// Two classes, TF's FTRL default.
    pub fn new(feature_columns: FeatureColumns) -> Self {
        LinearClassifierConfig {
            feature_columns,
            head: ClassifierHead::new(2),
            optimizer: OptimizerSpec::linear_estimator_default(),
        }
    }

    /// `n` classes labelled by ids.
    pub fn n_classes(mut self, n: usize) -> Self {
        self.head = ClassifierHead::new(n);
        self
    }

    /// Classes named by `vocabulary`.
    pub fn label_vocabulary<S: Into<String>>(
        mut self,
        vocabulary: impl IntoIterator<Item = S>,
    ) -> Self {
        self.head = ClassifierHead::with_label_vocabulary(vocabulary);
        self
    }

    /// The optimizer (an L1/L2-regularised FTRL, say).
    pub fn optimizer(mut self, optimizer: OptimizerSpec) -> Self {
        self.optimizer = optimizer;
        self
    }
}

/// `LinearClassifier`'s model_fn.
#[model_fn(crate = "crate")]
pub fn linear_classifier_fn(
    model: &LinearModel,
    features: FeatureTensors,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &LinearClassifierConfig,
) -> EstimatorSpec {
    let logits = model.forward(&features);
    params
        .head
        .create_estimator_spec(mode, logits, labels, features.weights, |loss| {
            params.optimizer.minimize(loss)
        })
}

impl PremadeConfig for LinearClassifierConfig {
    type Model = LinearModel;
    type Features = FeatureTensors;
    type Labels = Tensor<1, Int>;

    fn model_fn() -> PremadeModelFn<Self> {
        linear_classifier_fn
    }
    fn build_model(&self, device: &Device) -> Result<LinearModel, FeatureError> {
        LinearModel::new(&self.feature_columns, self.head.logits_dimension(), device)
    }
    fn tf_var_map(&self) -> crate::tf_checkpoint::TfVarMap {
        super::tf_names::linear_var_map(&self.feature_columns, "linear")
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

/// A `LinearRegressor`'s configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearRegressorConfig {
    /// The feature columns (no embeddings).
    pub feature_columns: FeatureColumns,
    /// The head.
    pub head: RegressionHead,
    /// The optimizer (TF 2.15's: FTRL at 0.2, [`OptimizerSpec::linear_estimator_default`]).
    pub optimizer: OptimizerSpec,
}

impl LinearRegressorConfig {
    /// TF's FTRL default.
    pub fn new(feature_columns: FeatureColumns) -> Self {
        LinearRegressorConfig {
            feature_columns,
            head: RegressionHead::new(),
            optimizer: OptimizerSpec::linear_estimator_default(),
        }
    }

    /// The optimizer.
    pub fn optimizer(mut self, optimizer: OptimizerSpec) -> Self {
        self.optimizer = optimizer;
        self
    }
}

/// `LinearRegressor`'s model_fn.
#[model_fn(crate = "crate")]
pub fn linear_regressor_fn(
    model: &LinearModel,
    features: FeatureTensors,
    labels: Option<Tensor<1>>,
    mode: ModeKeys,
    params: &LinearRegressorConfig,
) -> EstimatorSpec {
    let logits = model.forward(&features);
    params
        .head
        .create_estimator_spec(mode, logits, labels, features.weights, |loss| {
            params.optimizer.minimize(loss)
        })
}

impl PremadeConfig for LinearRegressorConfig {
    type Model = LinearModel;
    type Features = FeatureTensors;
    type Labels = Tensor<1>;

    fn model_fn() -> PremadeModelFn<Self> {
        linear_regressor_fn
    }
    fn build_model(&self, device: &Device) -> Result<LinearModel, FeatureError> {
        LinearModel::new(&self.feature_columns, 1, device)
    }
    fn tf_var_map(&self) -> crate::tf_checkpoint::TfVarMap {
        super::tf_names::linear_var_map(&self.feature_columns, "linear")
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
