//! TF-exact optimizers: Keras 2.15's `Adagrad`, `Adam`, `Ftrl`, `RMSprop` and `SGD` (with
//! momentum and Nesterov), the optimizers TF 2.15's estimators build, as burn optimizers.
//!
//! burn's own optimizers differ from Keras numerically: burn's AdaGrad starts its accumulator at
//! 0 and adds 1e-5, burn's Adam uses epsilon 1e-5. These follow Keras 2.15's dense update rules
//! (`keras/src/optimizers/{adagrad,adam,ftrl,rmsprop,sgd}.py`) operation for operation, with
//! Keras's slot initial values and epsilons, so a port trains on TF's trajectory. TF 2.15's
//! estimators build the `tf.keras.optimizers.legacy` twins (TF's fused `ResourceApply*` kernels):
//! `with_legacy(true)` follows those where they round differently (Adagrad, Adam, RMSprop; SGD
//! and FTRL give the same numbers either way). Each config is an
//! [`OptimizerConfig`](crate::OptimizerConfig): pass it to [`TrainOp::minimize`](crate::TrainOp)
//! like burn's `AdamConfig`. Their state is saved in checkpoints like burn's, and
//! [`tf_checkpoint`](crate::tf_checkpoint) can load it from a TF checkpoint's slot variables.
//!
//! The learning rate is `TrainOp::minimize`'s; Keras's default for each optimizer is its
//! config's `KERAS_LEARNING_RATE`.
//!
//! ```
//! use estimator_runtime::prelude::*;
//! use estimator_runtime::tf_optim::TfAdamConfig;
//! let device = Device::default().autodiff();
//! let loss = Tensor::<1>::from_data([0.5f32], &device);
//! let op = TrainOp::minimize(loss, TfAdamConfig::new(), TfAdamConfig::KERAS_LEARNING_RATE);
//! assert_eq!(op.optimizer_kinds(), ["tf_adam"]);
//! ```

#[macro_use]
pub(crate) mod define;
mod adagrad;
mod adam;
mod ftrl;
mod rmsprop;
mod sgd;

pub use adagrad::{TfAdagrad, TfAdagradConfig, TfAdagradState};
pub use adam::{TfAdam, TfAdamConfig, TfAdamState};
pub use ftrl::{TfFtrl, TfFtrlConfig, TfFtrlState};
pub use rmsprop::{TfRmsProp, TfRmsPropConfig, TfRmsPropState};
pub use sgd::{TfSgd, TfSgdConfig, TfSgdState};
