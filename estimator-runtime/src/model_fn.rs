//! The `ModelFn` trait that `#[model_fn]` implements, with per-mode entry points.

use crate::config::RunConfig;
use crate::error::Error;
use crate::mode::ModeKeys;
use crate::params::ParamsAttached;
#[cfg(doc)]
use crate::spec::EvalModeSpec;
use crate::spec::{EstimatorSpec, ModeSpec, PredictModeSpec, TrainModeSpec};
use std::marker::PhantomData;

/// A model function: what `#[model_fn]` turns a user's function into.
///
/// Implemented by the macro; users do not implement it by hand. `call` runs the user's
/// function as written; the `*_spec` entry points call it in one mode and return a spec whose
/// required fields are not `Option`s, applying TF's runtime rules where the macro could not
/// decide at compile time.
pub trait ModelFn {
    /// The module the Estimator owns (`()` when the model_fn takes no `model`).
    type Model;
    /// What the input yields as features.
    type Features;
    /// What the input yields as labels (`()` when the model_fn takes no `labels`).
    type Labels;
    /// The hyper-parameters (`()` when the model_fn takes no `params`).
    type Params;
    /// The params state of a new `Estimator` or `ExportedModel`:
    /// [`ParamsAttached`](crate::ParamsAttached) when the model_fn takes no `params`,
    /// [`ParamsMissing`](crate::ParamsMissing) when `.with_params(..)` must give them.
    type ParamsOnNew;

    /// The function's name, for logs.
    fn name(&self) -> &'static str;

    /// The modes the model_fn supports: all three unless the attribute says otherwise
    /// (`#[model_fn(modes(predict))]` for a serving-only model_fn).
    fn modes(&self) -> &'static [ModeKeys] {
        &[ModeKeys::Train, ModeKeys::Eval, ModeKeys::Predict]
    }

    /// The call that builds the spec `mode` returns, where `#[model_fn]` saw the spec come
    /// from a call it could not read (a helper function): `the call to `helper` at
    /// src/main.rs:42`. Runtime errors about a missing field name it.
    fn spec_call(&self, mode: ModeKeys) -> Option<&'static str> {
        let _ = mode;
        None
    }

    /// `Ok` if the model_fn supports `mode`, else [`Error::UnsupportedMode`].
    fn ensure_mode(&self, mode: ModeKeys) -> Result<(), Error> {
        if self.modes().contains(&mode) {
            return Ok(());
        }
        let declared: Vec<&str> = self.modes().iter().map(|m| attribute_name(*m)).collect();
        Err(Error::UnsupportedMode {
            model_fn: self.name(),
            mode,
            declared: declared.join(", "),
            tf: attribute_name(mode),
        })
    }

    /// Runs the user's function.
    fn call(
        &self,
        model: &Self::Model,
        features: Self::Features,
        labels: Option<Self::Labels>,
        mode: ModeKeys,
        params: &Self::Params,
        config: &RunConfig,
    ) -> EstimatorSpec;

    /// The spec of mode `S::MODE` ([`TrainModeSpec`], [`EvalModeSpec`] or [`PredictModeSpec`]):
    /// the model_fn called in that mode, its required fields checked. Off the chief, TRAIN's
    /// `training_chief_hooks` are dropped (TF runs them on the chief only).
    fn mode_spec<S: ModeSpec>(
        &self,
        model: &Self::Model,
        features: Self::Features,
        labels: Option<Self::Labels>,
        params: &Self::Params,
        config: &RunConfig,
    ) -> Result<S, Error> {
        self.ensure_mode(S::MODE)?;
        let mut spec = self.call(model, features, labels, S::MODE, params, config);
        if S::MODE == ModeKeys::Train && !config.is_chief() {
            spec.training_chief_hooks.clear();
        }
        S::try_from(spec).map_err(|e| e.in_model_fn(self.name(), self.spec_call(S::MODE)))
    }

    /// TRAIN: a spec with `loss` and `train_op` ([`ModelFn::mode_spec`] for TRAIN).
    fn train_spec(
        &self,
        model: &Self::Model,
        features: Self::Features,
        labels: Self::Labels,
        params: &Self::Params,
        config: &RunConfig,
    ) -> Result<TrainModeSpec, Error> {
        self.mode_spec(model, features, Some(labels), params, config)
    }

    /// PREDICT: a spec with `predictions` (labels are `None`).
    fn predict_spec(
        &self,
        model: &Self::Model,
        features: Self::Features,
        params: &Self::Params,
        config: &RunConfig,
    ) -> Result<PredictModeSpec, Error> {
        self.mode_spec(model, features, None, params, config)
    }
}

/// The value `#[model_fn]` makes of a function: its name, the modes it supports, an entry point
/// that takes the roles in a fixed order, and the function as written (checked by
/// [`EstimatorSpec::validate`]), which a direct call reaches through `Deref`.
///
/// The annotated name becomes a `const` of this type, so a model_fn may sit in a module or in
/// an `impl` block (an associated `const`), and its type can be named:
///
/// ```
/// use estimator_runtime::prelude::*;
/// use estimator_runtime::ModelFnValue;
///
/// #[model_fn(modes(predict))]
/// fn serve(features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
///     EstimatorSpec::new(mode).predictions(Predictions::from(features))
/// }
///
/// // The model, features, labels and params types, then the function's own pointer type.
/// type Serve = ModelFnValue<(), Tensor<2>, (), (), fn(Tensor<2>, ModeKeys) -> Result<EstimatorSpec, Error>>;
/// let f: Serve = serve;
/// assert_eq!(f.name(), "serve");
/// assert_eq!(f.modes(), &[ModeKeys::Predict]);
/// ```
///
/// A model_fn that takes `params` has a sixth type argument, [`ParamsMissing`](crate::ParamsMissing): an Estimator
/// of it needs `.with_params(..)` before it runs.
///
/// A generic model_fn's name is a `const fn` that returns this value, its parameters chosen
/// by turbofish (Rust has no generic `const`):
///
/// ```
/// use estimator_runtime::prelude::*;
/// use estimator_runtime::ModelFnValue;
///
/// #[model_fn(modes(predict))]
/// fn scaled<const K: usize>(features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
///     EstimatorSpec::new(mode).predictions(Predictions::from(features.mul_scalar(K as f64)))
/// }
///
/// type Scaled = ModelFnValue<(), Tensor<2>, (), (), fn(Tensor<2>, ModeKeys) -> Result<EstimatorSpec, Error>>;
/// const DOUBLE: Scaled = scaled::<2>();
/// assert_eq!(DOUBLE.name(), "scaled");
/// ```
pub struct ModelFnValue<M, F, L, P, D, S = ParamsAttached> {
    name: &'static str,
    modes: &'static [ModeKeys],
    call: ModelFnCall<M, F, L, P>,
    direct: D,
    spec_calls: &'static [(ModeKeys, &'static str)],
    params_state: PhantomData<fn() -> S>,
}

/// The entry point of a [`ModelFnValue`]: the roles in `ModelFn::call`'s order.
pub type ModelFnCall<M, F, L, P> = fn(&M, F, Option<L>, ModeKeys, &P, &RunConfig) -> EstimatorSpec;

impl<M, F, L, P, D, S> ModelFnValue<M, F, L, P, D, S> {
    /// What `#[model_fn]` generates; not meant to be called by hand.
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        modes: &'static [ModeKeys],
        call: ModelFnCall<M, F, L, P>,
        direct: D,
    ) -> Self {
        ModelFnValue {
            name,
            modes,
            call,
            direct,
            spec_calls: &[],
            params_state: PhantomData,
        }
    }

    /// What `#[model_fn]` generates where a mode's spec comes from calls it cannot read: each
    /// mode with those calls, as `the call to `helper` at src/main.rs:42`.
    #[doc(hidden)]
    pub const fn spec_calls(mut self, calls: &'static [(ModeKeys, &'static str)]) -> Self {
        self.spec_calls = calls;
        self
    }
}

impl<M, F, L, P, D: Copy, S> Clone for ModelFnValue<M, F, L, P, D, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, F, L, P, D: Copy, S> Copy for ModelFnValue<M, F, L, P, D, S> {}

impl<M, F, L, P, D, S> std::fmt::Debug for ModelFnValue<M, F, L, P, D, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelFnValue")
            .field("name", &self.name)
            .field("modes", &self.modes)
            .finish_non_exhaustive()
    }
}

impl<M, F, L, P, D, S> std::ops::Deref for ModelFnValue<M, F, L, P, D, S> {
    type Target = D;

    /// The function as written, its spec checked: `classifier(&model, features, labels, mode)`.
    fn deref(&self) -> &D {
        &self.direct
    }
}

impl<M, F, L, P, D, S> ModelFn for ModelFnValue<M, F, L, P, D, S> {
    type Model = M;
    type Features = F;
    type Labels = L;
    type Params = P;
    type ParamsOnNew = S;

    fn name(&self) -> &'static str {
        self.name
    }

    fn modes(&self) -> &'static [ModeKeys] {
        self.modes
    }

    fn spec_call(&self, mode: ModeKeys) -> Option<&'static str> {
        self.spec_calls
            .iter()
            .find(|(m, _)| *m == mode)
            .map(|(_, call)| *call)
    }

    fn call(
        &self,
        model: &M,
        features: F,
        labels: Option<L>,
        mode: ModeKeys,
        params: &P,
        config: &RunConfig,
    ) -> EstimatorSpec {
        (self.call)(model, features, labels, mode, params, config)
    }
}

/// A mode's name in `#[model_fn(modes(..))]`.
fn attribute_name(mode: ModeKeys) -> &'static str {
    match mode {
        ModeKeys::Train => "train",
        ModeKeys::Eval => "eval",
        ModeKeys::Predict => "predict",
    }
}

/// The params of a model_fn that takes none: `Some(())` when `P` is `()`, `None` otherwise (the
/// caller must then attach them with `with_params`).
pub(crate) fn unit_params<P: 'static>() -> Option<P> {
    let unit: Box<dyn std::any::Any> = Box::new(());
    unit.downcast::<P>().ok().map(|b| *b)
}
