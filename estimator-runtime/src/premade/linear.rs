//! `LinearClassifier` and `LinearRegressor`: a weight per dense value and per categorical id,
//! trained by FTRL at 0.2 by default (TF 2.15's). One configuration for any head
//! ([`LinearEstimatorConfig`], as TF's `LinearEstimator`), and one model_fn shared with the DNN
//! and baseline families.

use super::OptimizerSpec;
use super::head_choice::ClassifierHead;
use super::one_optimizer::one_optimizer_model_fn;
use crate::feature_column::{FeatureColumns, FeatureError, FeatureTensors, LinearModel};
use crate::head::RegressionHead;
use crate::tf_checkpoint::TfVarMap;
use crate::{EstimatorSpec, ModeKeys, model_fn};
use burn::tensor::{Device, Int, Tensor};
use serde::{Deserialize, Serialize};

/// A linear estimator's configuration, for any head `H` (TF `LinearEstimator`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearEstimatorConfig<H> {
    /// Numeric, bucketized, categorical (hash, vocabulary, identity, crossed) and indicator
    /// columns (no embeddings).
    pub feature_columns: FeatureColumns,
    /// The head (for a classifier, binary for 2 classes).
    pub head: H,
    /// The optimizer (TF 2.15's: FTRL at 0.2, [`OptimizerSpec::linear_estimator_default`]).
    pub optimizer: OptimizerSpec,
}

/// A `LinearClassifier`'s configuration.
pub type LinearClassifierConfig = LinearEstimatorConfig<ClassifierHead>;
/// A `LinearRegressor`'s configuration.
pub type LinearRegressorConfig = LinearEstimatorConfig<RegressionHead>;

impl<H> LinearEstimatorConfig<H> {
    /// `head` over `feature_columns`, TF 2.15's FTRL default.
    pub fn with_head(feature_columns: FeatureColumns, head: H) -> Self {
        LinearEstimatorConfig {
            feature_columns,
            head,
            optimizer: OptimizerSpec::linear_estimator_default(),
        }
    }
}

impl LinearClassifierConfig {
    /// Two classes, TF's FTRL default.
    pub fn new(feature_columns: FeatureColumns) -> Self {
        Self::with_head(feature_columns, ClassifierHead::new(2))
    }
}

impl LinearRegressorConfig {
    /// TF's FTRL default.
    pub fn new(feature_columns: FeatureColumns) -> Self {
        Self::with_head(feature_columns, RegressionHead::new())
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
    one_optimizer_model_fn(model, features, labels, mode, params.head_and_optimizer())
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
    one_optimizer_model_fn(model, features, labels, mode, params.head_and_optimizer())
}

/// What the family's `PremadeConfig` builds and names (see `one_optimizer.rs`).
impl<H> LinearEstimatorConfig<H> {
    pub(crate) fn build(
        &self,
        logits: usize,
        device: &Device,
    ) -> Result<LinearModel, FeatureError> {
        LinearModel::new(&self.feature_columns, logits, device)
    }

    pub(crate) fn var_map(&self) -> TfVarMap {
        super::tf_names::linear_var_map(&self.feature_columns, "linear")
    }
}
