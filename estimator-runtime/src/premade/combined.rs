//! `DnnLinearCombinedClassifier` and `DnnLinearCombinedRegressor` (wide and deep): the sum of
//! a linear model's and a DNN's logits, each part trained by its own optimizer in one
//! `TrainOp::group`. One configuration for any head
//! ([`DnnLinearCombinedEstimatorConfig`], as TF's `DNNLinearCombinedEstimator`) and one model_fn,
//! `dnn_linear_combined_model_fn`.

use super::dnn::{Dnn, DnnConfig};
use super::head_choice::ClassifierHead;
use super::{OptimizerSpec, PremadeConfig, PremadeHead, PremadeModelFn};
use crate::feature_column::{
    ColumnValues, FeatureColumns, FeatureError, FeatureTensors, LinearModel,
};
use crate::head::RegressionHead;
use crate::{EstimatorSpec, ModeKeys, TrainOp, model_fn};
use burn::module::Module;
use burn::tensor::{Device, Int, Tensor};
use serde::{Deserialize, Serialize};

/// The wide part's and the deep part's encoded features.
#[derive(Clone, Debug)]
pub struct WideAndDeepFeatures {
    /// For the linear model.
    pub linear: FeatureTensors,
    /// For the DNN.
    pub dnn: FeatureTensors,
}

impl WideAndDeepFeatures {
    fn weights(&self) -> Option<Tensor<1>> {
        self.linear
            .weights
            .clone()
            .or_else(|| self.dnn.weights.clone())
    }
}

/// The wide part and the deep part.
#[derive(Module, Debug)]
pub struct WideAndDeepModel {
    /// Wide.
    pub linear: LinearModel,
    /// Deep.
    pub dnn: Dnn,
}

impl WideAndDeepModel {
    /// `(wide logits, deep logits)`, each `[batch, logits]`.
    pub fn forward(&self, features: &WideAndDeepFeatures) -> (Tensor<2>, Tensor<2>) {
        (
            self.linear.forward(&features.linear),
            self.dnn.forward(&features.dnn),
        )
    }
}

/// The two objectives of a wide-and-deep step: the same loss, with the other part's logits
/// detached, so that each optimizer updates only its part (what TF does by giving each
/// optimizer its part's variables).
fn grouped_train_op(
    loss: impl Fn(Tensor<2>) -> Tensor<1>,
    wide: Tensor<2>,
    deep: Tensor<2>,
    linear_optimizer: &OptimizerSpec,
    dnn_optimizer: &OptimizerSpec,
) -> TrainOp {
    let wide_objective = loss(wide.clone() + deep.clone().detach());
    let deep_objective = loss(wide.detach() + deep);
    TrainOp::group([
        linear_optimizer.minimize(wide_objective),
        dnn_optimizer.minimize(deep_objective),
    ])
}

/// A wide-and-deep estimator's configuration, for any head `H` (TF
/// `DNNLinearCombinedEstimator`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnnLinearCombinedEstimatorConfig<H> {
    /// The wide part's columns (TF `linear_feature_columns`).
    pub linear_feature_columns: FeatureColumns,
    /// The wide part's optimizer (TF 2.15's: FTRL at `min(0.005, 1/√columns)`).
    pub linear_optimizer: OptimizerSpec,
    /// The deep part's columns (TF `dnn_feature_columns`).
    pub dnn_feature_columns: FeatureColumns,
    /// The deep network.
    pub dnn: DnnConfig,
    /// The deep part's optimizer (TF 2.15's: legacy Adagrad at 0.001).
    pub dnn_optimizer: OptimizerSpec,
    /// The head.
    pub head: H,
}

/// A `DnnLinearCombinedClassifier`'s configuration.
pub type DnnLinearCombinedClassifierConfig = DnnLinearCombinedEstimatorConfig<ClassifierHead>;
/// A `DnnLinearCombinedRegressor`'s configuration.
pub type DnnLinearCombinedRegressorConfig = DnnLinearCombinedEstimatorConfig<RegressionHead>;

impl<H> DnnLinearCombinedEstimatorConfig<H> {
    /// `head` over both parts, with TF 2.15's default optimizers.
    pub fn with_head(
        linear_feature_columns: FeatureColumns,
        dnn_feature_columns: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
        head: H,
    ) -> Self {
        DnnLinearCombinedEstimatorConfig {
            linear_optimizer: OptimizerSpec::combined_linear_default(
                linear_feature_columns.columns.len(),
            ),
            linear_feature_columns,
            dnn_feature_columns,
            dnn: DnnConfig::new(hidden_units),
            dnn_optimizer: OptimizerSpec::combined_dnn_default(),
            head,
        }
    }

    /// The deep network.
    pub fn dnn(mut self, dnn: DnnConfig) -> Self {
        self.dnn = dnn;
        self
    }

    /// The wide part's optimizer.
    pub fn linear_optimizer(mut self, optimizer: OptimizerSpec) -> Self {
        self.linear_optimizer = optimizer;
        self
    }

    /// The deep part's optimizer.
    pub fn dnn_optimizer(mut self, optimizer: OptimizerSpec) -> Self {
        self.dnn_optimizer = optimizer;
        self
    }
}

impl DnnLinearCombinedClassifierConfig {
    /// Two classes, TF's default optimizers.
    pub fn new(
        linear: FeatureColumns,
        dnn: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
    ) -> Self {
        Self::with_head(linear, dnn, hidden_units, ClassifierHead::new(2))
    }
}

impl DnnLinearCombinedRegressorConfig {
    /// TF's default optimizers.
    pub fn new(
        linear: FeatureColumns,
        dnn: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
    ) -> Self {
        Self::with_head(linear, dnn, hidden_units, RegressionHead::new())
    }
}

/// The wide-and-deep family's model_fn, for any head: the sum of both parts' logits through the
/// head, each part trained by its own optimizer.
pub(crate) fn dnn_linear_combined_model_fn<H: PremadeHead>(
    model: &WideAndDeepModel,
    features: WideAndDeepFeatures,
    labels: Option<H::Labels>,
    mode: ModeKeys,
    params: &DnnLinearCombinedEstimatorConfig<H>,
) -> EstimatorSpec {
    let (wide, deep) = model.forward(&features);
    let weights = features.weights();
    let train_labels = labels.clone();
    params.head.create_estimator_spec(
        mode,
        wide.clone() + deep.clone(),
        labels,
        weights.clone(),
        |loss| match train_labels {
            Some(l) => grouped_train_op(
                |logits| params.head.loss(logits, l.clone(), weights.clone()),
                wide,
                deep,
                &params.linear_optimizer,
                &params.dnn_optimizer,
            ),
            None => params.linear_optimizer.minimize(loss),
        },
    )
}

/// `DnnLinearCombinedClassifier`'s model_fn.
#[model_fn(crate = "crate")]
pub fn dnn_linear_combined_classifier_fn(
    model: &WideAndDeepModel,
    features: WideAndDeepFeatures,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &DnnLinearCombinedClassifierConfig,
) -> EstimatorSpec {
    dnn_linear_combined_model_fn(model, features, labels, mode, params)
}

/// `DnnLinearCombinedRegressor`'s model_fn.
#[model_fn(crate = "crate")]
pub fn dnn_linear_combined_regressor_fn(
    model: &WideAndDeepModel,
    features: WideAndDeepFeatures,
    labels: Option<Tensor<1>>,
    mode: ModeKeys,
    params: &DnnLinearCombinedRegressorConfig,
) -> EstimatorSpec {
    dnn_linear_combined_model_fn(model, features, labels, mode, params)
}

fn assemble_pair(mut encoded: Vec<FeatureTensors>) -> Result<WideAndDeepFeatures, FeatureError> {
    let dnn = encoded.pop();
    let linear = encoded.pop();
    match (linear, dnn) {
        (Some(linear), Some(dnn)) => Ok(WideAndDeepFeatures { linear, dnn }),
        _ => Err(FeatureError::InvalidColumn {
            name: String::new(),
            reason: "wide and deep needs two feature column sets".into(),
        }),
    }
}

impl<H: PremadeHead> PremadeConfig for DnnLinearCombinedEstimatorConfig<H> {
    type Model = WideAndDeepModel;
    type Features = WideAndDeepFeatures;
    type Labels = H::Labels;

    fn model_fn() -> PremadeModelFn<Self> {
        H::dnn_linear_combined_fn()
    }
    fn build_model(&self, device: &Device) -> Result<WideAndDeepModel, FeatureError> {
        let logits = self.head.logits_dimension();
        Ok(WideAndDeepModel {
            linear: LinearModel::new(&self.linear_feature_columns, logits, device)?,
            dnn: Dnn::new(&self.dnn_feature_columns, &self.dnn, logits, device)?,
        })
    }
    fn tf_var_map(&self) -> crate::tf_checkpoint::TfVarMap {
        super::tf_names::linear_var_map(&self.linear_feature_columns, "linear")
            .nested("linear")
            .merged(
                self.dnn
                    .var_map(&self.dnn_feature_columns, "dnn")
                    .nested("dnn"),
            )
    }
    fn optimizers(&self) -> Vec<(&'static str, &OptimizerSpec)> {
        vec![
            ("linear_optimizer", &self.linear_optimizer),
            ("dnn_optimizer", &self.dnn_optimizer),
        ]
    }
    fn column_sets(&self) -> Vec<&FeatureColumns> {
        vec![&self.linear_feature_columns, &self.dnn_feature_columns]
    }
    fn assemble(encoded: Vec<FeatureTensors>) -> Result<WideAndDeepFeatures, FeatureError> {
        assemble_pair(encoded)
    }
    fn encode_labels(&self, v: &ColumnValues, d: &Device) -> Result<H::Labels, FeatureError> {
        self.head.encode_labels(v, d)
    }
}
