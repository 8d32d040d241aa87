//! `OptimizerSpec`: a premade estimator's optimizer and learning rate, saved with its
//! configuration, with TF 2.15's defaults per estimator.

use super::ftrl::FtrlConfig;
use crate::OptimizerConfig;
use crate::tf_optim::{TfAdagradConfig, TfAdamConfig, TfSgdConfig};
use crate::{Error, TrainOp};
use burn::optim::{AdaGradConfig, AdamConfig, ModuleOptimizer, SgdConfig};
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// `canned/dnn.py` 36: TF 1's DNN learning rate (`tf.compat.v1.estimator.DNNClassifier`).
const TF1_DNN_LEARNING_RATE: f64 = 0.05;
/// `canned/linear.py` 42: the linear estimators' FTRL rate.
const LINEAR_LEARNING_RATE: f64 = 0.2;
/// `canned/dnn_linear_combined.py` 37: the combined estimators' DNN rate.
const COMBINED_DNN_LEARNING_RATE: f64 = 0.001;
/// `canned/dnn_linear_combined.py` 38: the cap on the combined estimators' FTRL rate.
const COMBINED_LINEAR_LEARNING_RATE: f64 = 0.005;
/// `canned/baseline.py` 67: the baseline estimators' FTRL rate.
const BASELINE_LEARNING_RATE: f64 = 0.3;

/// An optimizer and its learning rate, saveable with the premade's configuration.
///
/// TF 2.15's canned estimators name their optimizers by string (`optimizer='Adagrad'`,
/// `'Ftrl'`), which `canned/optimizers.py` (`_OPTIMIZER_CLS_NAMES_V2`, lines 34-40) maps to
/// Keras's *legacy* optimizers, at the optimizer's own default learning rate unless the estimator
/// passes one (`get_optimizer_instance_v2`, lines 127-134). The defaults here are those:
///
/// | estimator (TF 2.15 v2 class) | default | TF source |
/// |---|---|---|
/// | `DNNClassifier`, `DNNRegressor` | legacy `Adagrad()`: 0.001, accumulators 0.1, epsilon 1e-7 | `canned/dnn.py` 684, 1104 (`optimizer='Adagrad'`), 570; `keras/src/optimizers/legacy/adagrad.py` 71-73 |
/// | `LinearClassifier`, `LinearRegressor` | legacy `Ftrl` at 0.2 | `canned/linear.py` 863 (`optimizer='Ftrl'`), 672-674 (`learning_rate=_LEARNING_RATE`, 42) |
/// | `DNNLinearCombined*`, linear part | legacy `Ftrl` at `min(0.005, 1/√n_linear_columns)` | `canned/dnn_linear_combined.py` 38, 50-64, 177-179 |
/// | `DNNLinearCombined*`, DNN part | legacy `Adagrad` at 0.001 | `canned/dnn_linear_combined.py` 37, 154-155 |
/// | `BaselineClassifier`, `BaselineRegressor` | legacy `Ftrl` at 0.3 | `canned/baseline.py` 67, 272-273, 351 |
///
/// The linear estimators' `min(0.2, 1/√n_columns)` (`linear.py` 241-243) is reached only when TF
/// is given `optimizer=None`: the default `'Ftrl'` is a string, so TF 2.15 trains at 0.2 (its
/// checkpoint's `training/Ftrl/learning_rate` says 0.2 with 30 columns). That rule is
/// [`OptimizerSpec::linear_default`].
///
/// TF 1 (`tf.compat.v1.estimator.*`) differs: `tf.compat.v1.train.AdagradOptimizer` at 0.05
/// for the DNNs (`canned/dnn.py` 36, 431-432; [`OptimizerSpec::tf1_dnn_default`], to rounding:
/// TF 1's kernel multiplies by `rsqrt`), the same FTRL
/// rates, and a loss summed over the batch (`Reduction.SUM`, `dnn.py` 784) where TF 2 averages
/// it (`SUM_OVER_BATCH_SIZE`, `dnn.py` 689). The heads here average, as TF 2, unless the
/// configuration says `.loss_reduction(LossReduction::Sum)`
/// ([`LossReduction`](crate::head::LossReduction)): with that and
/// [`OptimizerSpec::tf1_dnn_default`], a TF 1 `DNNClassifier` run continues on TF 1's
/// trajectory (`tests/tf_continue.rs`, within 1e-6).
///
/// Any optimizer a model_fn can use (burn's configs, [`crate::tf_optim`]'s, your own
/// [`OptimizerConfig`]) is accepted through [`OptimizerSpec::custom`]:
///
/// ```
/// use estimator_runtime::feature_column::*;
/// use estimator_runtime::premade::{DnnClassifierConfig, OptimizerSpec};
/// use estimator_runtime::prelude::*;
///
/// let columns = FeatureColumns::new([numeric_column("x").into()]);
/// let config = DnnClassifierConfig::new(columns, [8])
///     .optimizer(OptimizerSpec::custom(RmsPropConfig::new().with_alpha(0.9), 0.01));
/// assert!(config.optimizer.is_resolved());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OptimizerSpec {
    /// burn's AdaGrad (accumulators from 0, epsilon 1e-5): not TF's; see
    /// [`OptimizerSpec::TfAdagrad`].
    Adagrad {
        /// The learning rate.
        learning_rate: f64,
    },
    /// burn's Adam (epsilon 1e-5): not TF's; see [`OptimizerSpec::TfAdam`].
    Adam {
        /// The learning rate.
        learning_rate: f64,
    },
    /// burn's plain gradient descent.
    Sgd {
        /// The learning rate.
        learning_rate: f64,
    },
    /// FTRL (Keras's legacy `Ftrl`; TF's linear and baseline default).
    Ftrl {
        /// The learning rate.
        learning_rate: f64,
        /// FTRL's other hyper-parameters.
        config: FtrlConfig,
    },
    /// Keras 2.15's `Adagrad` ([`TfAdagradConfig`]; TF's DNN default, legacy).
    TfAdagrad {
        /// The learning rate.
        learning_rate: f64,
        /// The accumulators' start value, epsilon, and legacy or current rounding.
        config: TfAdagradConfig,
    },
    /// Keras 2.15's `Adam` ([`TfAdamConfig`]).
    TfAdam {
        /// The learning rate.
        learning_rate: f64,
        /// Betas, epsilon, legacy or current rounding.
        config: TfAdamConfig,
    },
    /// Keras 2.15's `SGD` ([`TfSgdConfig`]), with momentum.
    TfSgd {
        /// The learning rate.
        learning_rate: f64,
        /// Momentum and Nesterov.
        config: TfSgdConfig,
    },
    /// Any other optimizer config (see [`OptimizerSpec::custom`]).
    Custom(CustomOptimizer),
}

impl OptimizerSpec {
    /// TF 2.15's DNN default (`DNNClassifier`, `DNNRegressor`, and the DNN part of the combined
    /// estimators): Keras's legacy `Adagrad()`, learning rate 0.001, accumulators from 0.1,
    /// epsilon 1e-7 (`canned/dnn.py` 684, `canned/optimizers.py` 35 and 130-131,
    /// `keras/src/optimizers/legacy/adagrad.py` 71-73).
    pub fn dnn_default() -> Self {
        OptimizerSpec::TfAdagrad {
            learning_rate: TfAdagradConfig::KERAS_LEARNING_RATE,
            config: TfAdagradConfig::new().with_legacy(true),
        }
    }

    /// TF 1's DNN default (`tf.compat.v1.estimator.DNNClassifier`):
    /// `tf.compat.v1.train.AdagradOptimizer(0.05)`, accumulators from 0.1, no epsilon
    /// (`canned/dnn.py` 36, 431-432). TF 1's loss is also summed rather than averaged over
    /// the batch: pair it with `.loss_reduction(LossReduction::Sum)` (see [`OptimizerSpec`]).
    pub fn tf1_dnn_default() -> Self {
        OptimizerSpec::TfAdagrad {
            learning_rate: TF1_DNN_LEARNING_RATE,
            config: TfAdagradConfig::new().with_epsilon(0.0).with_legacy(true),
        }
    }

    /// FTRL with TF's other defaults at `learning_rate`.
    pub fn ftrl(learning_rate: f64) -> Self {
        OptimizerSpec::Ftrl {
            learning_rate,
            config: FtrlConfig::default(),
        }
    }

    /// TF 2.15's `LinearClassifier` / `LinearRegressor` default: FTRL at 0.2
    /// (`canned/linear.py` 42, 863, 672-674).
    pub fn linear_estimator_default() -> Self {
        Self::ftrl(LINEAR_LEARNING_RATE)
    }

    /// FTRL at `min(0.2, 1/√columns)`: what TF's linear estimators build when given
    /// `optimizer=None` (`canned/linear.py` 241-243). Their default, `'Ftrl'`, is
    /// [`linear_estimator_default`](Self::linear_estimator_default).
    pub fn linear_default(num_columns: usize) -> Self {
        Self::ftrl(LINEAR_LEARNING_RATE.min(inverse_sqrt(num_columns)))
    }

    /// TF 2.15's wide-and-deep linear part: FTRL at `min(0.005, 1/√columns)`
    /// (`canned/dnn_linear_combined.py` 38, 50-64, 177-179).
    pub fn combined_linear_default(num_linear_columns: usize) -> Self {
        Self::ftrl(COMBINED_LINEAR_LEARNING_RATE.min(inverse_sqrt(num_linear_columns)))
    }

    /// TF 2.15's wide-and-deep DNN part: legacy Adagrad at 0.001
    /// (`canned/dnn_linear_combined.py` 37, 154-155).
    pub fn combined_dnn_default() -> Self {
        match Self::dnn_default() {
            OptimizerSpec::TfAdagrad { config, .. } => OptimizerSpec::TfAdagrad {
                learning_rate: COMBINED_DNN_LEARNING_RATE,
                config,
            },
            other => other,
        }
    }

    /// TF 2.15's baseline default: FTRL at 0.3 (`canned/baseline.py` 67, 272-273, 351).
    pub fn baseline_default() -> Self {
        Self::ftrl(BASELINE_LEARNING_RATE)
    }

    /// Any optimizer config at a constant `learning_rate`: burn's (`RmsPropConfig`,
    /// `AdamWConfig`, ...), [`crate::tf_optim`]'s, or a user's [`OptimizerConfig`]. Its
    /// `Debug` text is saved in `premade.json` (so that a model_dir trained with another
    /// configuration is refused); the optimizer itself cannot be read back from JSON, so
    /// [`Premade::from_model_dir`](super::Premade::from_model_dir) refuses such a model_dir
    /// and asks for the configuration in code.
    pub fn custom(config: impl OptimizerConfig + Sync + fmt::Debug, learning_rate: f64) -> Self {
        OptimizerSpec::Custom(CustomOptimizer {
            optimizer_kind: config.kind().to_string(),
            description: format!("{config:?}"),
            learning_rate,
            config: Some(SharedOptimizer(Arc::new(config))),
        })
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f64 {
        match self {
            OptimizerSpec::Adagrad { learning_rate }
            | OptimizerSpec::Adam { learning_rate }
            | OptimizerSpec::Sgd { learning_rate }
            | OptimizerSpec::Ftrl { learning_rate, .. }
            | OptimizerSpec::TfAdagrad { learning_rate, .. }
            | OptimizerSpec::TfAdam { learning_rate, .. }
            | OptimizerSpec::TfSgd { learning_rate, .. } => *learning_rate,
            OptimizerSpec::Custom(custom) => custom.learning_rate,
        }
    }

    /// False only for a custom optimizer read back from JSON, which has no optimizer to build.
    pub fn is_resolved(&self) -> bool {
        !matches!(
            self,
            OptimizerSpec::Custom(CustomOptimizer { config: None, .. })
        )
    }

    /// The train op minimising `loss` with this optimizer. An unresolved custom optimizer
    /// (see [`is_resolved`](Self::is_resolved); [`Premade`](super::Premade) refuses those)
    /// gives an empty train op.
    pub fn minimize(&self, loss: Tensor<1>) -> TrainOp {
        let rate = self.learning_rate();
        match self {
            OptimizerSpec::Adagrad { .. } => TrainOp::minimize(loss, AdaGradConfig::new(), rate),
            OptimizerSpec::Adam { .. } => TrainOp::minimize(loss, AdamConfig::new(), rate),
            OptimizerSpec::Sgd { .. } => TrainOp::minimize(loss, SgdConfig::new(), rate),
            OptimizerSpec::Ftrl { config, .. } => TrainOp::minimize(loss, config.clone(), rate),
            OptimizerSpec::TfAdagrad { config, .. } => {
                TrainOp::minimize(loss, config.clone(), rate)
            }
            OptimizerSpec::TfAdam { config, .. } => TrainOp::minimize(loss, config.clone(), rate),
            OptimizerSpec::TfSgd { config, .. } => TrainOp::minimize(loss, config.clone(), rate),
            OptimizerSpec::Custom(custom) => match &custom.config {
                Some(shared) => TrainOp::minimize(loss, shared.clone(), rate),
                None => TrainOp::group([]),
            },
        }
    }

    /// An error naming `field` when this is an unresolved custom optimizer.
    pub(crate) fn check_resolved(&self, field: &str) -> Result<(), Error> {
        match self {
            OptimizerSpec::Custom(custom) if custom.config.is_none() => {
                Err(Error::Config(format!(
                    "{field}: the custom optimizer `{}` ({}) cannot be rebuilt from premade.json; \
                     build the configuration in code with `OptimizerSpec::custom` and use `Premade::new`",
                    custom.optimizer_kind, custom.description
                )))
            }
            _ => Ok(()),
        }
    }
}

fn inverse_sqrt(n: usize) -> f64 {
    1.0 / (n.max(1) as f64).sqrt()
}

/// A user's optimizer config inside an [`OptimizerSpec`]: its kind, its `Debug` text and the
/// learning rate are saved; the config itself is kept only in memory.
#[derive(Clone, Serialize, Deserialize)]
pub struct CustomOptimizer {
    /// [`OptimizerConfig::kind`].
    pub optimizer_kind: String,
    /// The config's `Debug` text (its hyper-parameters).
    pub description: String,
    /// The learning rate.
    pub learning_rate: f64,
    #[serde(skip)]
    config: Option<SharedOptimizer>,
}

impl PartialEq for CustomOptimizer {
    /// The saved parts: kind, description, learning rate.
    fn eq(&self, other: &Self) -> bool {
        self.optimizer_kind == other.optimizer_kind
            && self.description == other.description
            && self.learning_rate == other.learning_rate
    }
}

impl fmt::Debug for CustomOptimizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomOptimizer")
            .field("optimizer_kind", &self.optimizer_kind)
            .field("description", &self.description)
            .field("learning_rate", &self.learning_rate)
            .field("resolved", &self.config.is_some())
            .finish()
    }
}

/// A shared optimizer config, itself an [`OptimizerConfig`].
#[derive(Clone)]
struct SharedOptimizer(Arc<dyn OptimizerConfig + Sync>);

impl OptimizerConfig for SharedOptimizer {
    fn kind(&self) -> &'static str {
        self.0.kind()
    }
    fn build(&self) -> ModuleOptimizer {
        self.0.build()
    }
}
