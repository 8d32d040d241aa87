//! `DnnClassifier` and `DnnRegressor`: an input layer over dense feature columns, hidden layers,
//! and a head. One configuration for any head ([`DnnEstimatorConfig`], as TF's
//! `DNNEstimator`), and one model_fn shared with the linear and baseline families.

use super::OptimizerSpec;
use super::head_choice::ClassifierHead;
use super::one_optimizer::one_optimizer_model_fn;
use crate::feature_column::{FeatureColumns, FeatureError, FeatureTensors, InputLayer};
use crate::head::RegressionHead;
use crate::tf_checkpoint::TfVarMap;
use crate::{EstimatorSpec, ModeKeys, model_fn};
use burn::module::Module;
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Initializer, Linear, LinearConfig,
};
use burn::tensor::{Device, Int, Tensor, activation};
use serde::{Deserialize, Serialize};

/// A hidden layer's activation (TF's `activation_fn`, `relu` by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `max(x, 0)`.
    #[default]
    Relu,
    /// `tanh(x)`.
    Tanh,
    /// `1 / (1 + e^-x)`.
    Sigmoid,
    /// Gaussian error linear unit.
    Gelu,
}

impl Activation {
    fn apply(self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Activation::Relu => activation::relu(x),
            Activation::Tanh => activation::tanh(x),
            Activation::Sigmoid => activation::sigmoid(x),
            Activation::Gelu => activation::gelu(x),
        }
    }
}

/// The network of a DNN estimator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnnConfig {
    /// Units of each hidden layer (TF `hidden_units`).
    pub hidden_units: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The probability of dropping a hidden unit in training.
    pub dropout: Option<f64>,
    /// Batch normalisation after each hidden layer (after its dropout), as TF 2.15's: moving
    /// statistics with momentum 0.999, epsilon 1e-3.
    pub batch_norm: bool,
}

/// TF 2.15's `BatchNormalization` in a DNN estimator: `momentum=0.999` (the moving statistics
/// keep 0.999 of themselves per step; burn's `momentum` is the share of the new batch, 0.001)
/// and Keras's default `epsilon=1e-3`.
const TF_BATCH_NORM_MOMENTUM: f64 = 0.001;
const TF_BATCH_NORM_EPSILON: f64 = 1e-3;

impl DnnConfig {
    /// The TF variables of a network over `columns` under `scope`: its dense layers and, with
    /// `batch_norm`, its batch norms.
    pub(crate) fn var_map(&self, columns: &FeatureColumns, scope: &str) -> TfVarMap {
        let hidden = self.hidden_units.len();
        let map = super::tf_names::dnn_var_map(columns, hidden, scope);
        if self.batch_norm {
            map.merged(super::tf_names::dnn_batch_norm_var_map(hidden, scope))
        } else {
            map
        }
    }

    /// Hidden layers of `hidden_units`, ReLU, no dropout nor batch norm.
    pub fn new(hidden_units: impl IntoIterator<Item = usize>) -> Self {
        DnnConfig {
            hidden_units: hidden_units.into_iter().collect(),
            activation: Activation::Relu,
            dropout: None,
            batch_norm: false,
        }
    }
}

/// The DNN: input layer, hidden layers (with optional batch norm and dropout), logits layer.
#[derive(Module, Debug)]
pub struct Dnn {
    /// Dense columns and embeddings.
    pub input: InputLayer,
    /// The hidden layers.
    pub hidden: Vec<Linear>,
    /// One batch norm per hidden layer, when enabled (TF's momentum 0.999 and epsilon 1e-3).
    pub norms: Vec<BatchNorm>,
    /// Dropout after each hidden layer, when enabled.
    pub dropout: Option<Dropout>,
    /// The logits layer.
    pub logits: Linear,
    #[module(skip)]
    activation: Activation,
}

impl Dnn {
    /// A network over `columns` with `logits` outputs; Glorot-uniform weights and zero biases,
    /// as TF's dense layers.
    pub fn new(
        columns: &FeatureColumns,
        config: &DnnConfig,
        logits: usize,
        device: &Device,
    ) -> Result<Self, FeatureError> {
        let input = InputLayer::new(columns, device)?;
        let glorot = |i: usize, o: usize| {
            LinearConfig::new(i, o)
                .with_initializer(Initializer::XavierUniform { gain: 1.0 })
                .init(device)
        };
        let mut width = input.width();
        let mut hidden = Vec::new();
        for &units in &config.hidden_units {
            hidden.push(zero_bias(glorot(width, units), device));
            width = units;
        }
        let norms = if config.batch_norm {
            config
                .hidden_units
                .iter()
                .map(|&u| {
                    BatchNormConfig::new(u)
                        .with_momentum(TF_BATCH_NORM_MOMENTUM)
                        .with_epsilon(TF_BATCH_NORM_EPSILON)
                        .init(device)
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Dnn {
            input,
            hidden,
            norms,
            dropout: config.dropout.map(|p| DropoutConfig::new(p).init()),
            logits: zero_bias(glorot(width, logits), device),
            activation: config.activation,
        })
    }

    /// `[batch, logits]`. Each hidden layer as TF 2.15's: dense with its activation, then
    /// dropout (in training), then batch norm.
    pub fn forward(&self, features: &FeatureTensors) -> Tensor<2> {
        let mut x = self.input.forward(features);
        for (i, layer) in self.hidden.iter().enumerate() {
            x = self.activation.apply(layer.forward(x));
            if let Some(dropout) = &self.dropout {
                x = dropout.forward(x);
            }
            if let Some(norm) = self.norms.get(i) {
                x = norm.forward(x);
            }
        }
        self.logits.forward(x)
    }
}

fn zero_bias(mut layer: Linear, device: &Device) -> Linear {
    if let Some(bias) = &layer.bias {
        let [n] = bias.val().dims();
        layer.bias = Some(Initializer::Zeros.init([n], device));
    }
    layer
}

/// A DNN estimator's configuration, for any head `H` (TF `DNNEstimator`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnnEstimatorConfig<H> {
    /// Dense feature columns (numeric, bucketized, indicator, embedding).
    pub feature_columns: FeatureColumns,
    /// The network.
    pub dnn: DnnConfig,
    /// The head (for a classifier, binary for 2 classes).
    pub head: H,
    /// The optimizer (TF 2.15's: Keras's legacy Adagrad at 0.001, [`OptimizerSpec::dnn_default`]).
    pub optimizer: OptimizerSpec,
}

/// A `DnnClassifier`'s configuration.
pub type DnnClassifierConfig = DnnEstimatorConfig<ClassifierHead>;
/// A `DnnRegressor`'s configuration.
pub type DnnRegressorConfig = DnnEstimatorConfig<RegressionHead>;

impl<H> DnnEstimatorConfig<H> {
    /// `head` over ReLU layers of `hidden_units`, TF 2.15's Adagrad at 0.001.
    pub fn with_head(
        feature_columns: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
        head: H,
    ) -> Self {
        DnnEstimatorConfig {
            feature_columns,
            dnn: DnnConfig::new(hidden_units),
            head,
            optimizer: OptimizerSpec::dnn_default(),
        }
    }

    /// The network's activation, dropout and batch norm.
    pub fn dnn(mut self, dnn: DnnConfig) -> Self {
        self.dnn = dnn;
        self
    }
}

impl DnnClassifierConfig {
    /// Two classes, ReLU layers of `hidden_units`, TF 2.15's Adagrad at 0.001.
    pub fn new(
        feature_columns: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
    ) -> Self {
        Self::with_head(feature_columns, hidden_units, ClassifierHead::new(2))
    }
}

impl DnnRegressorConfig {
    /// ReLU layers of `hidden_units`, TF 2.15's Adagrad at 0.001.
    pub fn new(
        feature_columns: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
    ) -> Self {
        Self::with_head(feature_columns, hidden_units, RegressionHead::new())
    }
}

/// `DnnClassifier`'s model_fn.
#[model_fn(crate = "crate")]
pub fn dnn_classifier_fn(
    model: &Dnn,
    features: FeatureTensors,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &DnnClassifierConfig,
) -> EstimatorSpec {
    one_optimizer_model_fn(model, features, labels, mode, params.head_and_optimizer())
}

/// `DnnRegressor`'s model_fn.
#[model_fn(crate = "crate")]
pub fn dnn_regressor_fn(
    model: &Dnn,
    features: FeatureTensors,
    labels: Option<Tensor<1>>,
    mode: ModeKeys,
    params: &DnnRegressorConfig,
) -> EstimatorSpec {
    one_optimizer_model_fn(model, features, labels, mode, params.head_and_optimizer())
}

/// What the family's `PremadeConfig` builds and names (see `one_optimizer.rs`).
impl<H> DnnEstimatorConfig<H> {
    pub(crate) fn build(&self, logits: usize, device: &Device) -> Result<Dnn, FeatureError> {
        Dnn::new(&self.feature_columns, &self.dnn, logits, device)
    }

    pub(crate) fn var_map(&self) -> TfVarMap {
        self.dnn.var_map(&self.feature_columns, "dnn")
    }
}
