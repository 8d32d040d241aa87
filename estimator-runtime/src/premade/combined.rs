//! `DnnLinearCombinedClassifier` and `DnnLinearCombinedRegressor` (wide and deep): the sum of
//! a linear model's and a DNN's logits, each part trained by its own optimizer in one
//! `TrainOp::group`.

use super::OptimizerSpec;
use super::PremadeModelFn;
use super::dnn::{Dnn, DnnConfig};
use super::head_choice::ClassifierHead;
use super::{PremadeConfig, class_labels, value_labels};
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

macro_rules! combined_config {
    ($(#[$doc:meta])* $name:ident, $head:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        pub struct $name {
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
            pub head: $head,
        }

        impl $name {
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

            fn build(&self, logits: usize, device: &Device) -> Result<WideAndDeepModel, FeatureError> {
                Ok(WideAndDeepModel {
                    linear: LinearModel::new(&self.linear_feature_columns, logits, device)?,
                    dnn: Dnn::new(&self.dnn_feature_columns, &self.dnn, logits, device)?,
                })
            }
        }
    };
}

combined_config!(
    /// A `DnnLinearCombinedClassifier`'s configuration.
    DnnLinearCombinedClassifierConfig,
    ClassifierHead
);
combined_config!(
    /// A `DnnLinearCombinedRegressor`'s configuration.
    DnnLinearCombinedRegressorConfig,
    RegressionHead
);

fn defaults(
    linear: &FeatureColumns,
    hidden_units: impl IntoIterator<Item = usize>,
) -> (OptimizerSpec, DnnConfig, OptimizerSpec) {
    (
        OptimizerSpec::combined_linear_default(linear.columns.len()),
        DnnConfig::new(hidden_units),
        OptimizerSpec::combined_dnn_default(),
    )
}

impl DnnLinearCombinedClassifierConfig {
    /// Two classes, TF's default optimizers.
    pub fn new(
        linear_feature_columns: FeatureColumns,
        dnn_feature_columns: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
    ) -> Self {
        let (linear_optimizer, dnn, dnn_optimizer) =
            defaults(&linear_feature_columns, hidden_units);
        DnnLinearCombinedClassifierConfig {
            linear_feature_columns,
            linear_optimizer,
            dnn_feature_columns,
            dnn,
            dnn_optimizer,
            head: ClassifierHead::new(2),
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
}

impl DnnLinearCombinedRegressorConfig {
    /// TF's default optimizers.
    pub fn new(
        linear_feature_columns: FeatureColumns,
        dnn_feature_columns: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
    ) -> Self {
        let (linear_optimizer, dnn, dnn_optimizer) =
            defaults(&linear_feature_columns, hidden_units);
        DnnLinearCombinedRegressorConfig {
            linear_feature_columns,
            linear_optimizer,
            dnn_feature_columns,
            dnn,
            dnn_optimizer,
            head: RegressionHead::new(),
        }
    }
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

/// `DnnLinearCombinedRegressor`'s model_fn.
#[model_fn(crate = "crate")]
pub fn dnn_linear_combined_regressor_fn(
    model: &WideAndDeepModel,
    features: WideAndDeepFeatures,
    labels: Option<Tensor<1>>,
    mode: ModeKeys,
    params: &DnnLinearCombinedRegressorConfig,
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

impl PremadeConfig for DnnLinearCombinedClassifierConfig {
    type Model = WideAndDeepModel;
    type Features = WideAndDeepFeatures;
    type Labels = Tensor<1, Int>;

    fn model_fn() -> PremadeModelFn<Self> {
        dnn_linear_combined_classifier_fn
    }
    fn build_model(&self, device: &Device) -> Result<WideAndDeepModel, FeatureError> {
        self.build(self.head.logits_dimension(), device)
    }
    fn tf_var_map(&self) -> crate::tf_checkpoint::TfVarMap {
        let hidden = self.dnn.hidden_units.len();
        super::tf_names::linear_var_map(&self.linear_feature_columns, "linear")
            .nested("linear")
            .merged(
                super::tf_names::dnn_var_map(&self.dnn_feature_columns, hidden, "dnn")
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
    fn encode_labels(
        &self,
        values: &ColumnValues,
        device: &Device,
    ) -> Result<Tensor<1, Int>, FeatureError> {
        class_labels(&self.head, values, device)
    }
}

impl PremadeConfig for DnnLinearCombinedRegressorConfig {
    type Model = WideAndDeepModel;
    type Features = WideAndDeepFeatures;
    type Labels = Tensor<1>;

    fn model_fn() -> PremadeModelFn<Self> {
        dnn_linear_combined_regressor_fn
    }
    fn build_model(&self, device: &Device) -> Result<WideAndDeepModel, FeatureError> {
        self.build(1, device)
    }
    fn tf_var_map(&self) -> crate::tf_checkpoint::TfVarMap {
        let hidden = self.dnn.hidden_units.len();
        super::tf_names::linear_var_map(&self.linear_feature_columns, "linear")
            .nested("linear")
            .merged(
                super::tf_names::dnn_var_map(&self.dnn_feature_columns, hidden, "dnn")
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
    fn encode_labels(
        &self,
        values: &ColumnValues,
        device: &Device,
    ) -> Result<Tensor<1>, FeatureError> {
        value_labels(values, device)
    }
}
