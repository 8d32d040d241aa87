//! Whether params are attached, in the type: a model_fn that takes `params` cannot train,
//! evaluate, predict or export until `.with_params(..)` gave them, and forgetting it is a
//! compile error that says so.
//!
//! `Estimator::new` (and `ExportedModel::load`) returns an `Estimator<F, ParamsMissing>` for a
//! model_fn that takes `params`, and an `Estimator<F, ParamsAttached>` (which is `Estimator<F>`)
//! for one that does not; `.with_params(p)` makes either an `Estimator<F>`.
//!
//! ```compile_fail,E0277
//! use estimator_runtime::prelude::*;
//!
//! struct HParams { learning_rate: f64 }
//!
//! #[model_fn]
//! fn regressor(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys, params: &HParams) -> EstimatorSpec {
//!     let value = features.sum_dim(1).flatten::<1>(0, 1);
//!     let Some(labels) = labels else { return EstimatorSpec::new(mode).predictions(value) };
//!     let loss = (value - labels).square().mean();
//!     let train_op = (mode == ModeKeys::Train)
//!         .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), params.learning_rate));
//!     EstimatorSpec::new(mode).loss(loss).train_op(train_op)
//! }
//!
//! # fn main() -> Result<(), Error> {
//! let batches: Vec<(Tensor<2>, Tensor<1>)> = Vec::new();
//! let mut estimator = Estimator::new(regressor, (), RunConfig::default())?;
//! // error: the model_fn takes `params`, and none are attached: call `.with_params(..)` first
//! estimator.train(batches, TrainArgs::steps(10))?;
//! # Ok(()) }
//! ```

/// The state of an `Estimator` or `ExportedModel` whose model_fn has what it takes: no
/// `params`, or params attached with `.with_params(..)`. `Estimator<F>` means this state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParamsAttached;

/// The state of an `Estimator` or `ExportedModel` whose model_fn takes `params` that are not
/// attached yet: only `.with_params(..)` leads on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParamsMissing;

/// Holds for an `Estimator` or `ExportedModel` whose params are attached. It is the bound that
/// fails, with a message naming `with_params`, when `train`, `evaluate`, `predict` or `export`
/// is called before them.
#[diagnostic::on_unimplemented(
    message = "the model_fn takes `params`, and none are attached: call `.with_params(..)` first",
    label = "called before `.with_params(..)`",
    note = "attach them where the value is made: `Estimator::new(model_fn, model, config)?.with_params(params)` (or `ExportedModel::load(..)?.with_params(params)`)"
)]
pub trait HasParams {}

impl<F: crate::ModelFn> HasParams for crate::Estimator<F, ParamsAttached> where
    F::Model: burn::module::Module
{
}

impl<F: crate::ModelFn> HasParams for crate::ExportedModel<F, ParamsAttached> {}
