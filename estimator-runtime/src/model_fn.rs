//! The `ModelFn` trait that `#[model_fn]` implements, with per-mode entry points.

use crate::config::RunConfig;
use crate::error::Error;
use crate::mode::ModeKeys;
use crate::spec::{EstimatorSpec, EvalModeSpec, PredictModeSpec, TrainModeSpec};

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

    /// The function's name, for logs.
    fn name(&self) -> &'static str;

    /// The modes the model_fn supports: all three unless the attribute says otherwise
    /// (`#[model_fn(modes(predict))]` for a serving-only model_fn).
    fn modes(&self) -> &'static [ModeKeys] {
        &[ModeKeys::Train, ModeKeys::Eval, ModeKeys::Predict]
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

    /// TRAIN: a spec with `loss` and `train_op`.
    fn train_spec(
        &self,
        model: &Self::Model,
        features: Self::Features,
        labels: Self::Labels,
        params: &Self::Params,
        config: &RunConfig,
    ) -> Result<TrainModeSpec, Error> {
        self.ensure_mode(ModeKeys::Train)?;
        let mut spec = self.call(
            model,
            features,
            Some(labels),
            ModeKeys::Train,
            params,
            config,
        );
        // distribute: `training_chief_hooks` run on the chief only.
        if !config.is_chief() {
            spec.training_chief_hooks.clear();
        }
        TrainModeSpec::try_from(spec)
    }

    /// EVAL: a spec with `loss`.
    fn eval_spec(
        &self,
        model: &Self::Model,
        features: Self::Features,
        labels: Self::Labels,
        params: &Self::Params,
        config: &RunConfig,
    ) -> Result<EvalModeSpec, Error> {
        self.ensure_mode(ModeKeys::Eval)?;
        EvalModeSpec::try_from(self.call(
            model,
            features,
            Some(labels),
            ModeKeys::Eval,
            params,
            config,
        ))
    }

    /// PREDICT: a spec with `predictions` (labels are `None`).
    fn predict_spec(
        &self,
        model: &Self::Model,
        features: Self::Features,
        params: &Self::Params,
        config: &RunConfig,
    ) -> Result<PredictModeSpec, Error> {
        self.ensure_mode(ModeKeys::Predict)?;
        PredictModeSpec::try_from(self.call(
            model,
            features,
            None,
            ModeKeys::Predict,
            params,
            config,
        ))
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
