//! `EstimatorSpec` (TF's, field for field) and the per-mode specs whose required fields are
//! not optional.

use crate::error::Error;
use crate::export_output::ExportOutputs;
use crate::hooks::Hook;
use crate::metrics::EvalMetricOps;
use crate::mode::ModeKeys;
use crate::predictions::Predictions;
use crate::scaffold::Scaffold;
use crate::train_op::TrainOp;
use burn::tensor::Tensor;
use std::fmt;

/// What a model_fn returns: everything the Estimator needs to run one mode.
///
/// Build it as a struct literal (`EstimatorSpec { loss: Some(l), ..EstimatorSpec::new(mode) }`)
/// or with the builder methods, one per field. `#[model_fn]` checks at compile time that each
/// mode's spec has the fields that mode needs; [`validate`](Self::validate) applies the same
/// rules at run time, with TF's messages.
///
/// ```
/// use estimator_runtime::prelude::*;
/// let device = Device::default();
/// let classes = Tensor::<1, Int>::from_data([1, 0], &device);
/// let spec = EstimatorSpec::new(ModeKeys::Predict).predictions(classes);
/// assert!(spec.validate().is_ok());
/// let err = EstimatorSpec::new(ModeKeys::Eval).validate().unwrap_err();
/// assert!(err.to_string().starts_with("Missing loss."));
/// ```
pub struct EstimatorSpec {
    /// The mode this spec is for.
    pub mode: ModeKeys,
    /// The model's outputs (required in PREDICT).
    pub predictions: Option<Predictions>,
    /// The scalar loss (required in TRAIN and EVAL).
    pub loss: Option<Tensor<1>>,
    /// The optimisation step (required in TRAIN).
    pub train_op: Option<TrainOp>,
    /// Metrics accumulated over an evaluation.
    pub eval_metric_ops: EvalMetricOps,
    /// Serving signatures for export.
    pub export_outputs: ExportOutputs,
    /// Hooks run on the chief in TRAIN (every single-process run is the chief).
    pub training_chief_hooks: Vec<Box<dyn Hook>>,
    /// Hooks run in TRAIN.
    pub training_hooks: Vec<Box<dyn Hook>>,
    /// Hooks run in EVAL.
    pub evaluation_hooks: Vec<Box<dyn Hook>>,
    /// Hooks run in PREDICT.
    pub prediction_hooks: Vec<Box<dyn Hook>>,
    /// Initialisation (warm start).
    pub scaffold: Scaffold,
}

impl fmt::Debug for EstimatorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EstimatorSpec")
            .field("mode", &self.mode)
            .field("predictions", &self.predictions)
            .field("loss", &self.loss.as_ref().map(|l| l.dims()))
            .field("train_op", &self.train_op)
            .field("eval_metric_ops", &self.eval_metric_ops)
            .field("export_outputs", &self.export_outputs)
            .finish_non_exhaustive()
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$name = value;
            self
        }
    )*};
}

impl EstimatorSpec {
    /// An empty spec for `mode`.
    pub fn new(mode: ModeKeys) -> Self {
        EstimatorSpec {
            mode,
            predictions: None,
            loss: None,
            train_op: None,
            eval_metric_ops: EvalMetricOps::new(),
            export_outputs: ExportOutputs::new(),
            training_chief_hooks: Vec::new(),
            training_hooks: Vec::new(),
            evaluation_hooks: Vec::new(),
            prediction_hooks: Vec::new(),
            scaffold: Scaffold::new(),
        }
    }

    /// Sets the predictions (a `Predictions`, a bare tensor, or an `Option<Predictions>`).
    pub fn predictions(mut self, predictions: impl IntoPredictions) -> Self {
        self.predictions = predictions.into_predictions();
        self
    }

    /// Sets the loss (a tensor or an `Option` of one).
    pub fn loss(mut self, loss: impl Into<Option<Tensor<1>>>) -> Self {
        self.loss = loss.into();
        self
    }

    /// Sets the train op (a `TrainOp` or an `Option` of one).
    pub fn train_op(mut self, train_op: impl Into<Option<TrainOp>>) -> Self {
        self.train_op = train_op.into();
        self
    }

    setters! {
        /// Sets the mode.
        mode: ModeKeys,
        /// Sets the evaluation metrics.
        eval_metric_ops: EvalMetricOps,
        /// Sets the serving signatures.
        export_outputs: ExportOutputs,
        /// Sets the chief-only training hooks.
        training_chief_hooks: Vec<Box<dyn Hook>>,
        /// Sets the training hooks.
        training_hooks: Vec<Box<dyn Hook>>,
        /// Sets the evaluation hooks.
        evaluation_hooks: Vec<Box<dyn Hook>>,
        /// Sets the prediction hooks.
        prediction_hooks: Vec<Box<dyn Hook>>,
        /// Sets the scaffold.
        scaffold: Scaffold,
    }

    /// Applies TF's runtime rules (`model_fn.py`), with TF's messages.
    ///
    /// TRAIN needs `loss` and `train_op`, EVAL needs `loss`, PREDICT needs `predictions`; the
    /// loss must have one element; `loss` and `global_step` are reserved metric names; several
    /// export outputs need one named `serving_default`.
    pub fn validate(self) -> Result<Self, Error> {
        self.check()?;
        Ok(self)
    }

    /// [`validate`](Self::validate) without moving the spec.
    pub(crate) fn check(&self) -> Result<(), Error> {
        let mode = self.mode;
        match mode {
            ModeKeys::Train if self.train_op.is_none() => {
                return Err(Error::MissingTrainOp { mode });
            }
            ModeKeys::Train | ModeKeys::Eval if self.loss.is_none() => {
                return Err(Error::MissingLoss { mode });
            }
            ModeKeys::Predict if self.predictions.is_none() => {
                return Err(Error::MissingPredictions { mode });
            }
            _ => {}
        }
        if let Some(loss) = &self.loss {
            check_scalar(loss)?;
        }
        self.eval_metric_ops.check()?;
        self.export_outputs.check()?;
        Ok(())
    }
}

fn check_scalar(loss: &Tensor<1>) -> Result<(), Error> {
    let dims = loss.dims();
    if dims[0] != 1 {
        return Err(Error::LossNotScalar {
            shape: dims.to_vec(),
        });
    }
    Ok(())
}

/// What [`EstimatorSpec::predictions`] accepts: `Predictions`, a bare tensor, or an
/// `Option<Predictions>` (TF's `predictions=None`).
pub trait IntoPredictions {
    /// The predictions, or `None`.
    fn into_predictions(self) -> Option<Predictions>;
}

impl<T: Into<Predictions>> IntoPredictions for T {
    fn into_predictions(self) -> Option<Predictions> {
        Some(self.into())
    }
}

impl IntoPredictions for Option<Predictions> {
    fn into_predictions(self) -> Option<Predictions> {
        self
    }
}

/// A TRAIN spec: `loss` and `train_op` are there, so the loop never unwraps.
pub struct TrainModeSpec {
    /// The scalar loss.
    pub loss: Tensor<1>,
    /// The optimisation step.
    pub train_op: TrainOp,
    /// Hooks run in TRAIN (chief hooks first).
    pub hooks: Vec<Box<dyn Hook>>,
    /// Initialisation.
    pub scaffold: Scaffold,
}

/// An EVAL spec: `loss` is there.
pub struct EvalModeSpec {
    /// The scalar loss of the batch.
    pub loss: Tensor<1>,
    /// The batch's metric updates.
    pub eval_metric_ops: EvalMetricOps,
    /// The batch's predictions, if the model_fn gave them (their first dimension weights the loss).
    pub predictions: Option<Predictions>,
    /// Hooks run in EVAL.
    pub hooks: Vec<Box<dyn Hook>>,
}

/// A PREDICT spec: `predictions` are there.
pub struct PredictModeSpec {
    /// The batch's predictions.
    pub predictions: Predictions,
    /// The serving signatures, with TF's `serving_default` rules applied.
    pub export_outputs: ExportOutputs,
    /// Hooks run in PREDICT.
    pub hooks: Vec<Box<dyn Hook>>,
}

/// A spec checked for one mode: [`TrainModeSpec`], [`EvalModeSpec`] or [`PredictModeSpec`],
/// what [`ModelFn::mode_spec`](crate::ModelFn::mode_spec) returns.
pub trait ModeSpec: TryFrom<EstimatorSpec, Error = Error> {
    /// The mode whose required fields the spec has.
    const MODE: ModeKeys;
}

impl ModeSpec for TrainModeSpec {
    const MODE: ModeKeys = ModeKeys::Train;
}

impl ModeSpec for EvalModeSpec {
    const MODE: ModeKeys = ModeKeys::Eval;
}

impl ModeSpec for PredictModeSpec {
    const MODE: ModeKeys = ModeKeys::Predict;
}

impl TryFrom<EstimatorSpec> for TrainModeSpec {
    type Error = Error;
    fn try_from(spec: EstimatorSpec) -> Result<Self, Error> {
        spec.check()?;
        let mode = spec.mode;
        let loss = spec.loss.ok_or(Error::MissingLoss { mode })?;
        let train_op = spec.train_op.ok_or(Error::MissingTrainOp { mode })?;
        let mut hooks = spec.training_chief_hooks;
        hooks.extend(spec.training_hooks);
        Ok(TrainModeSpec {
            loss,
            train_op,
            hooks,
            scaffold: spec.scaffold,
        })
    }
}

impl TryFrom<EstimatorSpec> for EvalModeSpec {
    type Error = Error;
    fn try_from(spec: EstimatorSpec) -> Result<Self, Error> {
        spec.check()?;
        Ok(EvalModeSpec {
            loss: spec.loss.ok_or(Error::MissingLoss { mode: spec.mode })?,
            eval_metric_ops: spec.eval_metric_ops,
            predictions: spec.predictions,
            hooks: spec.evaluation_hooks,
        })
    }
}

impl TryFrom<EstimatorSpec> for PredictModeSpec {
    type Error = Error;
    fn try_from(spec: EstimatorSpec) -> Result<Self, Error> {
        spec.check()?;
        let mode = spec.mode;
        let predictions = spec.predictions.ok_or(Error::MissingPredictions { mode })?;
        Ok(PredictModeSpec {
            export_outputs: spec.export_outputs.resolve(Some(&predictions))?,
            predictions,
            hooks: spec.prediction_hooks,
        })
    }
}

#[cfg(test)]
mod tests;
