//! The error type. Every failure of the library is one of these, never a panic.

use crate::mode::ModeKeys;
use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in `estimator_runtime`, with a message that says what to do.
///
/// `Debug` prints that message too (then the chain of causes), as `anyhow` does, so that
/// `fn main() -> Result<(), Box<dyn std::error::Error>>` ends with a readable line.
#[derive(thiserror::Error)]
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
    /// (or the `ExportedModel`) stays usable. In TRAIN it is back at its last checkpoint, and
    /// model_dir keeps that checkpoint; EVAL and PREDICT change nothing.
    #[error(
        "the model_fn panicked in ModeKeys::{mode:?}: {message} (check the input's shapes against the model{})",
        after_panic(*mode)
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
        /// Who holds it: the pid the OS names where it can (Linux), and the pid written in the
        /// lock file (`pid 1234, as the OS says; the file says pid 1234`).
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
    /// The stored global step of a checkpoint differs from the step its name says (a file
    /// replaced by another checkpoint's bytes): resuming would silently go back in time.
    #[error(
        "checkpoint {path} says step {name_step} in its name but holds step {stored_step} (it was replaced by another checkpoint's file; restore the right file, or delete it so that the one before it is used)"
    )]
    CheckpointStepMismatch {
        /// The checkpoint file.
        path: PathBuf,
        /// The step in its name.
        name_step: u64,
        /// The step stored inside.
        stored_step: u64,
    },
    /// Checkpoint files exist in model_dir, but none of them is intact: training would start
    /// over at step 0 and overwrite them, so nothing is written.
    #[error(
        "model_dir {dir} holds checkpoints but none is intact ({skipped}); nothing was overwritten (move them away to start over, or restore a good copy)"
    )]
    NoIntactCheckpoint {
        /// The model_dir.
        dir: PathBuf,
        /// Each checkpoint tried and why it was refused.
        skipped: String,
    },
    /// A checkpoint of a trained run has no state for an optimizer the run uses: resuming
    /// would restart it (Adam's moments, say) from zero.
    #[error(
        "the checkpoint of step {step} has no state for optimizer {index} (`{kind}`); resuming would restart it from zero (restore a checkpoint that has it, or set `RunConfig::reset_missing_optimizer_state(true)` to start it fresh)"
    )]
    MissingOptimizerState {
        /// The restored global step.
        step: u64,
        /// The optimizer's position in the train_op.
        index: usize,
        /// The optimizer's kind.
        kind: String,
    },
    /// A file the library reads (from a model_dir, an export or an input) is a FIFO, a
    /// socket, a device or a directory: reading it could block for ever or never end.
    #[error("{path} is {found}, not a regular file (replace it with the file that belongs there)")]
    NotRegularFile {
        /// The path.
        path: PathBuf,
        /// What it is.
        found: &'static str,
    },
    /// A file the library reads is bigger than it can be when the library wrote it.
    #[error(
        "{path} is {size} bytes, over the limit of {limit} bytes (it was not written by this library; replace it)"
    )]
    FileTooLarge {
        /// The path.
        path: PathBuf,
        /// Its size in bytes (at least this many were found).
        size: u64,
        /// The limit it was read with.
        limit: u64,
    },
    /// `evaluate` got no batch from its input. TF reports `loss = 0` here (its means divide
    /// with `div_no_nan`); an empty evaluation is almost always an input bug, so it is an error.
    #[error(
        "the evaluation input yielded no batch, so there is no loss or metric to report (TF would report 0; check the input_fn, the file it reads and `EvalArgs::steps`)"
    )]
    EmptyEvaluation,
    /// A directory the runtime writes inside model_dir (`eval/`, `export/<name>/`) is a
    /// symlink, not a directory, or named with a `..`: writing there would leave model_dir.
    #[error(
        "{path} {reason}; the runtime writes only inside model_dir (remove it; to export elsewhere, pass that directory to `Estimator::export`)"
    )]
    OutsideModelDir {
        /// The path.
        path: PathBuf,
        /// What it is.
        reason: &'static str,
    },
    /// model_dir was moved away or replaced while this trainer held its lock: another
    /// trainer may be writing to the directory now at that path.
    #[error(
        "model_dir {path} is no longer the directory this trainer locked (it was moved or replaced); stopped before writing (create a new Estimator for the directory now at that path)"
    )]
    ModelDirReplaced {
        /// The model_dir.
        path: PathBuf,
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

/// What a panic leaves behind, said only where it is true: training goes back to the last
/// checkpoint; evaluation and prediction change nothing.
fn after_panic(mode: ModeKeys) -> &'static str {
    match mode {
        ModeKeys::Train => "; the Estimator is back at its last checkpoint",
        ModeKeys::Eval | ModeKeys::Predict => "",
    }
}

/// The message, then its causes, as `anyhow` prints an error's `Debug`.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")?;
        let mut source = std::error::Error::source(self);
        if source.is_some() {
            f.write_str("\n\nCaused by:")?;
        }
        while let Some(cause) = source {
            write!(f, "\n    {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl Error {
    /// The same error; where it is about a spec without a required field, it is logged first
    /// with the model_fn's name and the call that built the spec (`built_by`, where
    /// `#[model_fn]` saw one). The variants keep their one field, `mode`, which the contract
    /// fixes (`Error::MissingTrainOp { mode }`), so the origin goes to the log.
    pub(crate) fn in_model_fn(
        self,
        model_fn: &'static str,
        built_by: Option<&'static str>,
    ) -> Error {
        if let Error::MissingTrainOp { mode }
        | Error::MissingLoss { mode }
        | Error::MissingPredictions { mode } = &self
        {
            let built_by = built_by.map_or(String::new(), |call| {
                format!(", with the spec built by {call},")
            });
            tracing::error!(
                "the model_fn `{model_fn}`{built_by} returned an invalid spec for ModeKeys::{mode:?}: {self}"
            );
        }
        self
    }

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
