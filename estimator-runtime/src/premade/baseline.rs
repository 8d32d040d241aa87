//! `BaselineClassifier` and `BaselineRegressor`: one bias per logit, ignoring the features (the
//! prior class distribution, or the label mean). One configuration for any head
//! ([`BaselineEstimatorConfig`], as TF's `BaselineEstimator`), and one model_fn shared with the
//! linear and DNN families.

use super::OptimizerSpec;
use super::head_choice::ClassifierHead;
use super::one_optimizer::one_optimizer_model_fn;
use crate::feature_column::{FeatureColumns, FeatureError, FeatureTensors};
use crate::head::RegressionHead;
use crate::tf_checkpoint::TfVarMap;
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

/// A baseline estimator's configuration, for any head `H` (TF `BaselineEstimator`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineEstimatorConfig<H> {
    /// No columns are read but the weight column, if any.
    pub feature_columns: FeatureColumns,
    /// The head.
    pub head: H,
    /// The optimizer (TF 2.15's: FTRL at 0.3, [`OptimizerSpec::baseline_default`]).
    pub optimizer: OptimizerSpec,
}

/// A `BaselineClassifier`'s configuration.
pub type BaselineClassifierConfig = BaselineEstimatorConfig<ClassifierHead>;
/// A `BaselineRegressor`'s configuration.
pub type BaselineRegressorConfig = BaselineEstimatorConfig<RegressionHead>;

impl<H> BaselineEstimatorConfig<H> {
    /// `head`, TF 2.15's FTRL default.
    pub fn with_head(head: H) -> Self {
        BaselineEstimatorConfig {
            feature_columns: FeatureColumns::default(),
            head,
            optimizer: OptimizerSpec::baseline_default(),
        }
    }

    /// Example weights from the raw column `key`.
    pub fn weight_column(mut self, key: &str) -> Self {
        self.feature_columns = self.feature_columns.with_weight_column(key);
        self
    }
}

impl BaselineClassifierConfig {
    /// `n_classes` classes labelled by ids.
    pub fn new(n_classes: usize) -> Self {
        Self::with_head(ClassifierHead::new(n_classes))
    }
}

impl Default for BaselineRegressorConfig {
    fn default() -> Self {
        Self::with_head(RegressionHead::new())
    }
}

impl BaselineRegressorConfig {
    /// TF's defaults.
    pub fn new() -> Self {
        Self::default()
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
    one_optimizer_model_fn(model, features, labels, mode, params.head_and_optimizer())
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
    one_optimizer_model_fn(model, features, labels, mode, params.head_and_optimizer())
}

/// What the family's `PremadeConfig` builds and names (see `one_optimizer.rs`).
impl<H> BaselineEstimatorConfig<H> {
    pub(crate) fn build(
        &self,
        logits: usize,
        device: &Device,
    ) -> Result<BaselineModel, FeatureError> {
        Ok(BaselineModel::new(logits, device))
    }

    pub(crate) fn var_map(&self) -> TfVarMap {
        TfVarMap::new()
    }
}
