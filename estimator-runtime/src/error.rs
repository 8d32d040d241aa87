//! The error type. Every failure of the library is one of these, never a panic.

use crate::mode::ModeKeys;
use std::path::PathBuf;

/// Everything that can go wrong in `estimator_runtime`, with a message that says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A TRAIN spec without `train_op` (TF: `Missing train_op.`).
    #[error(
        "Missing train_op. (the model_fn returned no train_op for ModeKeys::{mode:?}; set `train_op` to `TrainOp::minimize(..)`)"
    )]
    MissingTrainOp {
        /// The mode the model_fn was called in.
        mode: ModeKeys,
    },
    /// A TRAIN or EVAL spec without `loss` (TF: `Missing loss.`).
    #[error(
        "Missing loss. (the model_fn returned no loss for ModeKeys::{mode:?}; set `loss` to a scalar tensor)"
    )]
    MissingLoss {
        /// The mode the model_fn was called in.
        mode: ModeKeys,
    },
    /// A PREDICT spec without `predictions` (TF: `Missing predictions.`).
    #[error("Missing predictions. (the model_fn returned no predictions for ModeKeys::{mode:?})")]
    MissingPredictions {
        /// The mode the model_fn was called in.
        mode: ModeKeys,
    },
    /// The model_fn was declared for other modes only (`#[model_fn(modes(predict))]`).
    #[error(
        "the model_fn `{model_fn}` does not support ModeKeys::{mode:?}: it declares `#[model_fn(modes({declared}))]` (add `{tf}` to its `modes(..)`, with the fields that mode needs)"
    )]
    UnsupportedMode {
        /// The model_fn's name.
        model_fn: &'static str,
        /// The mode it was asked to run in.
        mode: ModeKeys,
        /// The modes it declares, as written in the attribute.
        declared: String,
        /// The mode's name in `modes(..)`.
        tf: &'static str,
    },
    /// The loss has more than one element.
    #[error("Loss must be scalar, given: {shape:?} (reduce it, e.g. with `.mean()`)")]
    LossNotScalar {
        /// The shape of the loss tensor.
        shape: Vec<usize>,
    },
    /// Several export outputs, none named `serving_default`.
    #[error(
        "Multiple export_outputs were provided, but none of them is specified as the default. Do this by naming one of them with signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY. (given: {names:?}; name one \"serving_default\")"
    )]
    NoDefaultExportOutput {
        /// The names given.
        names: Vec<String>,
    },
    /// A user metric named `loss` or `global_step`.
    #[error(
        "Metric with name \"{name}\" is not allowed, because Estimator already defines a default metric with the same name."
    )]
    ReservedMetricName {
        /// The reserved name used.
        name: String,
    },
    /// Two metric updates of different kinds were merged under one name.
    #[error(
        "metric `{name}` changed kind between batches; each name must always come from the same metric function"
    )]
    MetricMismatch {
        /// The metric's name.
        name: String,
    },
    /// A metric was given tensors it cannot use.
    #[error("metric `{metric}`: {message}")]
    InvalidMetricInput {
        /// The metric function.
        metric: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The loss was NaN or infinite (TF: `NanLossDuringTrainingError`).
    #[error(
        "NaN loss during training at step {step} (lower the learning rate, clip gradients, or check the input)"
    )]
    NanLoss {
        /// The global step at which it happened.
        step: u64,
    },
    /// A later step asked for a different optimizer than the one created on the first step.
    #[error(
        "the train_op asked for optimizer `{requested}`, but `{existing}` was created on the first step; a model_fn must use one optimizer kind for the whole run (or start a new model_dir)"
    )]
    OptimizerChanged {
        /// The optimizer kept.
        existing: String,
        /// The optimizer asked for.
        requested: String,
    },
    /// The model_fn, the model or a hook panicked during a step (for example a batch of the
    /// wrong width in a `matmul`). The panic was caught at the step boundary: the Estimator
    /// stays usable, back at its last checkpoint, and model_dir keeps that checkpoint.
    #[error(
        "the model_fn panicked in ModeKeys::{mode:?}: {message} (check the input's shapes against the model; the Estimator is back at its last checkpoint)"
    )]
    ModelFn {
        /// The mode of the call.
        mode: ModeKeys,
        /// The panic's message.
        message: String,
    },
    /// Another trainer holds model_dir's lock: two trainers on one model_dir would delete
    /// each other's checkpoints.
    #[error(
        "model_dir {path} is being trained by another process ({holder}); wait for it to end, or train in another model_dir (evaluate and predict need no lock)"
    )]
    ModelDirLocked {
        /// The lock file.
        path: PathBuf,
        /// Who holds it, as written in the lock file (`pid 1234`).
        holder: String,
    },
    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done (`writing checkpoint`, …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A checkpoint could not be decoded.
    #[error(
        "checkpoint {path} is corrupt or incompatible: {reason} (delete it, or point `checkpoint` at an older one)"
    )]
    CorruptCheckpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
    /// The `checkpoint` index names something other than a plain file name inside model_dir
    /// (an absolute path, `..`, a directory part or a NUL), as a planted index would.
    #[error(
        "checkpoint index {index} names {name:?}: {reason} (the index was not written by a trainer; delete it, or rewrite it to name `model.ckpt-<step>` files in this directory)"
    )]
    UnsafeCheckpointName {
        /// The index file.
        index: PathBuf,
        /// The offending name.
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A checkpoint file is bigger than its contents claim, or than the limit it is read with.
    #[error(
        "checkpoint {path} is {size} bytes, over the limit of {limit} bytes (it is not a checkpoint of this model: point `checkpoint` at another file, or raise the limit)"
    )]
    CheckpointTooLarge {
        /// The checkpoint file.
        path: PathBuf,
        /// Its size in bytes (at least this many were found).
        size: u64,
        /// The limit it was read with.
        limit: u64,
    },
    /// A checkpoint was asked for but none exists.
    #[error("no checkpoint found in {0} (train first, or pass an existing checkpoint path)")]
    NoCheckpoint(PathBuf),
    /// A tensor's shape did not fit.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// The RunConfig or a call argument is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A device could not be used (for example no Vulkan adapter for wgpu).
    #[error("device unavailable: {0}")]
    Device(String),
    /// The input yielded an error.
    #[error("the input failed: {0}")]
    Input(String),
    /// A batch its feature columns cannot encode, or a feature column a model cannot use.
    #[error(transparent)]
    FeatureColumn(#[from] crate::feature_column::FeatureError),
    /// A hook failed.
    #[error("hook `{hook}` failed: {message}")]
    Hook {
        /// The hook's name.
        hook: String,
        /// What went wrong.
        message: String,
    },
    /// A distributed run cannot start or go on (no launcher, replicas that disagree, a
    /// checkpoint written by another number of replicas).
    #[error("distributed training: {0}")]
    Distributed(String),
    /// A TF checkpoint cannot be read (warm start from TF).
    #[error(transparent)]
    TfCheckpoint(Box<crate::tf_checkpoint::TfCheckpointError>),
    /// An exported model directory is invalid.
    #[error("export {path}: {reason}")]
    Export {
        /// The export directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// [`Error::ModelFn`] from a caught panic's payload.
    pub(crate) fn from_panic(mode: ModeKeys, payload: Box<dyn std::any::Any + Send>) -> Error {
        let message = match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(s) => (*s).to_string(),
                Err(_) => "a panic without a message".to_string(),
            },
        };
        Error::ModelFn { mode, message }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
