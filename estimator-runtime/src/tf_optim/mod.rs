//! TF-exact optimizers: Keras 2.15's `Adagrad`, `Adam` and `SGD` (the optimizers TF 2.15's
//! estimators build), as burn optimizers.
//!
//! burn's own optimizers differ from Keras numerically: burn's AdaGrad starts its accumulator at
//! 0 and adds 1e-5, burn's Adam uses epsilon 1e-5. These follow Keras 2.15's dense update rules
//! (`keras/src/optimizers/{adagrad,adam,sgd}.py`) operation for operation, with Keras's slot
//! initial values and epsilons, so a port trains on TF's trajectory. Each config is an
//! [`OptimizerConfig`](crate::OptimizerConfig): pass it to [`TrainOp::minimize`](crate::TrainOp)
//! like burn's `AdamConfig`. Their state is saved in checkpoints like burn's.
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

mod adagrad;
mod adam;
mod sgd;

pub use adagrad::{TfAdagrad, TfAdagradConfig, TfAdagradState};
pub use adam::{TfAdam, TfAdamConfig, TfAdamState};
pub use sgd::{TfSgd, TfSgdConfig, TfSgdState};
