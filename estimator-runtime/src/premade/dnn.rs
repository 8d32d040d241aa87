//! `DnnClassifier` and `DnnRegressor`: an input layer over dense feature columns, hidden layers,
//! and a head.

use super::OptimizerSpec;
use super::PremadeModelFn;
use super::head_choice::ClassifierHead;
use super::{PremadeConfig, class_labels, value_labels};
use crate::feature_column::{
    ColumnValues, FeatureColumns, FeatureError, FeatureTensors, InputLayer,
};
use crate::head::RegressionHead;
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
    /// Batch normalisation after each hidden layer.
    pub batch_norm: bool,
}

impl DnnConfig {
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
    /// One batch norm per hidden layer, when enabled.
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
                .map(|&u| BatchNormConfig::new(u).init(device))
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

    /// `[batch, logits]`.
    pub fn forward(&self, features: &FeatureTensors) -> Tensor<2> {
        let mut x = self.input.forward(features);
        for (i, layer) in self.hidden.iter().enumerate() {
            x = self.activation.apply(layer.forward(x));
            if let Some(norm) = self.norms.get(i) {
                x = norm.forward(x);
            }
            if let Some(dropout) = &self.dropout {
                x = dropout.forward(x);
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

/// A `DnnClassifier`'s configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnnClassifierConfig {
    /// Dense feature columns (numeric, bucketized, indicator, embedding).
    pub feature_columns: FeatureColumns,
    /// The network.
    pub dnn: DnnConfig,
    /// The head (binary for 2 classes).
    pub head: ClassifierHead,
    /// The optimizer (TF 2.15's: Keras's legacy Adagrad at 0.001, [`OptimizerSpec::dnn_default`]).
    pub optimizer: OptimizerSpec,
}

impl DnnClassifierConfig {
    /// Two classes, ReLU layers of `hidden_units`, TF 2.15's Adagrad at 0.001.
    pub fn new(
        feature_columns: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
    ) -> Self {
        DnnClassifierConfig {
            feature_columns,
            dnn: DnnConfig::new(hidden_units),
            head: ClassifierHead::new(2),
            optimizer: OptimizerSpec::dnn_default(),
        }
    }

    /// `n` classes labelled by ids.
    pub fn n_classes(mut self, n: usize) -> Self {
        self.head = ClassifierHead::new(n);
        self
    }

    /// Classes named by `vocabulary` (labels are strings).
    pub fn label_vocabulary<S: Into<String>>(
        mut self,
        vocabulary: impl IntoIterator<Item = S>,
    ) -> Self {
        self.head = ClassifierHead::with_label_vocabulary(vocabulary);
        self
    }

    /// The network's activation, dropout and batch norm.
    pub fn dnn(mut self, dnn: DnnConfig) -> Self {
        self.dnn = dnn;
        self
    }

    /// The optimizer.
    pub fn optimizer(mut self, optimizer: OptimizerSpec) -> Self {
        self.optimizer = optimizer;
        self
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
    let logits = model.forward(&features);
    params
        .head
        .create_estimator_spec(mode, logits, labels, features.weights, |loss| {
            params.optimizer.minimize(loss)
        })
}

impl PremadeConfig for DnnClassifierConfig {
    type Model = Dnn;
    type Features = FeatureTensors;
    type Labels = Tensor<1, Int>;

    fn model_fn() -> PremadeModelFn<Self> {
        dnn_classifier_fn
    }
    fn build_model(&self, device: &Device) -> Result<Dnn, FeatureError> {
        Dnn::new(
            &self.feature_columns,
            &self.dnn,
            self.head.logits_dimension(),
            device,
        )
    }
    fn tf_var_map(&self) -> crate::tf_checkpoint::TfVarMap {
        super::tf_names::dnn_var_map(&self.feature_columns, self.dnn.hidden_units.len(), "dnn")
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

/// A `DnnRegressor`'s configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DnnRegressorConfig {
    /// Dense feature columns.
    pub feature_columns: FeatureColumns,
    /// The network.
    pub dnn: DnnConfig,
    /// The head.
    pub head: RegressionHead,
    /// The optimizer (TF 2.15's: Keras's legacy Adagrad at 0.001, [`OptimizerSpec::dnn_default`]).
    pub optimizer: OptimizerSpec,
}

impl DnnRegressorConfig {
    /// ReLU layers of `hidden_units`, TF 2.15's Adagrad at 0.001.
    pub fn new(
        feature_columns: FeatureColumns,
        hidden_units: impl IntoIterator<Item = usize>,
    ) -> Self {
        DnnRegressorConfig {
            feature_columns,
            dnn: DnnConfig::new(hidden_units),
            head: RegressionHead::new(),
            optimizer: OptimizerSpec::dnn_default(),
        }
    }

    /// The network's activation, dropout and batch norm.
    pub fn dnn(mut self, dnn: DnnConfig) -> Self {
        self.dnn = dnn;
        self
    }

    /// The optimizer.
    pub fn optimizer(mut self, optimizer: OptimizerSpec) -> Self {
        self.optimizer = optimizer;
        self
    }
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
    let logits = model.forward(&features);
    params
        .head
        .create_estimator_spec(mode, logits, labels, features.weights, |loss| {
            params.optimizer.minimize(loss)
        })
}

impl PremadeConfig for DnnRegressorConfig {
    type Model = Dnn;
    type Features = FeatureTensors;
    type Labels = Tensor<1>;

    fn model_fn() -> PremadeModelFn<Self> {
        dnn_regressor_fn
    }
    fn build_model(&self, device: &Device) -> Result<Dnn, FeatureError> {
        Dnn::new(&self.feature_columns, &self.dnn, 1, device)
    }
    fn tf_var_map(&self) -> crate::tf_checkpoint::TfVarMap {
        super::tf_names::dnn_var_map(&self.feature_columns, self.dnn.hidden_units.len(), "dnn")
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
