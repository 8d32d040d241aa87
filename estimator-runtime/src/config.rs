//! `RunConfig`: where and how a run keeps its state.

use crate::distribute::Distribution;
use crate::error::Error;
use crate::scaffold::{Scaffold, WarmStart};
use burn::tensor::Device;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// How the Estimator runs, as TF's `tf.estimator.RunConfig`: a consuming builder.
///
/// ```
/// use estimator_runtime::prelude::*;
/// let config = RunConfig::default()
///     .model_dir("runs/digits")
///     .save_checkpoints_steps(500)
///     .keep_checkpoint_max(3)
///     .random_seed(42);
/// assert_eq!(config.keep_checkpoint_max, 3);
/// assert_eq!(config.log_step_count_steps, 100);
/// ```
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Where checkpoints and summaries go. `None`: a fresh temporary directory, as TF does.
    pub model_dir: Option<PathBuf>,
    /// Save a checkpoint every this many steps.
    pub save_checkpoints_steps: Option<u64>,
    /// Save a checkpoint every this many seconds (TF's default: 600 when neither is set).
    pub save_checkpoints_secs: Option<f64>,
    /// How many recent checkpoints to keep (default 5; 0 keeps all).
    pub keep_checkpoint_max: usize,
    /// Log loss and speed every this many steps (default 100).
    pub log_step_count_steps: u64,
    /// Write summaries every this many steps (default 100).
    pub save_summary_steps: u64,
    /// Seed for parameter initialisation and per-step randomness.
    pub random_seed: Option<u64>,
    /// The device to run on (without autodiff; training adds it). `None`: burn's default device
    /// (`BURN_DEVICE`, else the first enabled backend).
    pub device: Option<Device>,
    /// Average gradients over this many batches per optimizer step (default 1; see
    /// [`gradient_accumulation_steps`](Self::gradient_accumulation_steps)).
    pub gradient_accumulation_steps: u64,
    /// Initialise a fresh run's model from another run's checkpoint (TF `warm_start_from`).
    pub warm_start_from: Option<WarmStart>,
    /// Train as one replica of a distributed run (`Distribution::mpi()`); `None`: one process.
    pub distribute: Option<Distribution>,
    /// The warm start's renames, parameter path → path in the checkpoint (TF's
    /// `var_name_to_prev_var_name`); set from the Scaffold by
    /// [`warm_start_from`](Self::warm_start_from).
    pub warm_start_var_name_to_prev_var_name: BTreeMap<String, String>,
    /// Read every batch's loss back and check it before the update uses it, as TF's
    /// `NanTensorHook` does (default `false`: the loss stays on the device until a logging or
    /// summary step, a hook that asks, a checkpoint or the end of the call reads it; every
    /// read checks all the losses since the last one).
    pub nan_check_every_step: bool,
    /// Fail when the latest checkpoint is corrupt, instead of restoring the newest intact one
    /// with a warning (default `false`: fall back).
    pub error_on_corrupt_checkpoint: bool,
    /// Start an optimizer fresh when the restored checkpoint has no state for it, instead of
    /// failing with [`Error::MissingOptimizerState`] (default `false`: fail).
    pub reset_missing_optimizer_state: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            model_dir: None,
            save_checkpoints_steps: None,
            save_checkpoints_secs: None,
            keep_checkpoint_max: 5,
            log_step_count_steps: 100,
            save_summary_steps: 100,
            random_seed: None,
            device: None,
            gradient_accumulation_steps: 1,
            warm_start_from: None,
            distribute: None,
            warm_start_var_name_to_prev_var_name: BTreeMap::new(),
            nan_check_every_step: false,
            error_on_corrupt_checkpoint: false,
            reset_missing_optimizer_state: false,
        }
    }
}

impl RunConfig {
    /// Sets `model_dir`.
    pub fn model_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.model_dir = Some(dir.into());
        self
    }

    /// Saves a checkpoint every `steps` steps (and clears `save_checkpoints_secs`).
    pub fn save_checkpoints_steps(mut self, steps: u64) -> Self {
        self.save_checkpoints_steps = Some(steps);
        self.save_checkpoints_secs = None;
        self
    }

    /// Saves a checkpoint every `secs` seconds (and clears `save_checkpoints_steps`).
    pub fn save_checkpoints_secs(mut self, secs: f64) -> Self {
        self.save_checkpoints_secs = Some(secs);
        self.save_checkpoints_steps = None;
        self
    }

    /// Sets `keep_checkpoint_max` (0 keeps every checkpoint).
    pub fn keep_checkpoint_max(mut self, n: usize) -> Self {
        self.keep_checkpoint_max = n;
        self
    }

    /// Sets `log_step_count_steps`.
    pub fn log_step_count_steps(mut self, steps: u64) -> Self {
        self.log_step_count_steps = steps;
        self
    }

    /// Sets `save_summary_steps`.
    pub fn save_summary_steps(mut self, steps: u64) -> Self {
        self.save_summary_steps = steps;
        self
    }

    /// Sets `random_seed`.
    pub fn random_seed(mut self, seed: u64) -> Self {
        self.random_seed = Some(seed);
        self
    }

    /// Sets the device (its autodiff variant is used for training).
    pub fn device(mut self, device: Device) -> Self {
        self.device = Some(device);
        self
    }

    /// One optimizer step per `n` batches, with the **mean** of their gradients (each batch's
    /// objective is scaled by `1/n` before its backward pass).
    ///
    /// With the usual mean-reduced loss (TF's `SUM_OVER_BATCH_SIZE`, per-example weights
    /// included), `n` batches of `b` examples then give the update of one batch of `n·b`,
    /// within float rounding, as Keras 3's `gradient_accumulation_steps` and Lightning's
    /// `accumulate_grad_batches` do: accumulation saves memory without changing the learning
    /// rate. This holds for every objective of a `TrainOp::group`, and with MPI replicas
    /// (R ranks × n batches of b equal one batch of R·n·b). It assumes the `n` batches have
    /// the same size; a short one weighs as much as a full one. With a **sum**-reduced loss,
    /// the update is `1/n` of one big batch's: scale the loss or the learning rate by `n`.
    /// A window cut short by the input's end is dropped, never applied.
    pub fn gradient_accumulation_steps(mut self, n: u64) -> Self {
        self.gradient_accumulation_steps = n;
        self
    }

    /// Warm-starts a fresh run (one with no checkpoint in `model_dir`) from `scaffold`'s warm
    /// start settings: every parameter, or only those under its prefixes.
    pub fn warm_start_from(mut self, scaffold: Scaffold) -> Self {
        self.warm_start_from = scaffold.warm_start().cloned();
        self.warm_start_var_name_to_prev_var_name = scaffold.prev_var_names().clone();
        self
    }

    /// Trains as one replica of `distribution` (TF's `train_distribute`): data-parallel, with
    /// the chief (replica 0) alone writing to `model_dir`. See [`crate::distribute`].
    pub fn distribute(mut self, distribution: Distribution) -> Self {
        self.distribute = Some(distribution);
        self
    }

    /// Whether this process is the chief (always, without a distribution).
    pub(crate) fn is_chief(&self) -> bool {
        self.distribute.as_ref().is_none_or(Distribution::is_chief)
    }

    /// Checks every batch's loss for NaN or Inf before the update uses it, as TF does, at the
    /// cost of a device→host sync per batch. By default the losses are read back, and all
    /// checked, only when something needs them (logging, summaries, a hook, a checkpoint, the
    /// call's end): a non-finite loss is then reported at the next read, with its step, and
    /// no checkpoint is written from the state it led to.
    pub fn nan_check_every_step(mut self, every_step: bool) -> Self {
        self.nan_check_every_step = every_step;
        self
    }

    /// Makes a corrupt latest checkpoint an error ([`Error::CorruptCheckpoint`]) instead of
    /// restoring the newest intact one before it with a warning.
    ///
    /// ```
    /// use estimator_runtime::prelude::*;
    /// let config = RunConfig::default().error_on_corrupt_checkpoint(true);
    /// assert!(config.error_on_corrupt_checkpoint);
    /// ```
    pub fn error_on_corrupt_checkpoint(mut self, error: bool) -> Self {
        self.error_on_corrupt_checkpoint = error;
        self
    }

    /// Lets training resume from a checkpoint that has no state for an optimizer of the
    /// train_op, starting that optimizer fresh (Adam's moments at zero), instead of failing
    /// with [`Error::MissingOptimizerState`].
    ///
    /// ```
    /// use estimator_runtime::prelude::*;
    /// assert!(RunConfig::default().reset_missing_optimizer_state(true).reset_missing_optimizer_state);
    /// ```
    pub fn reset_missing_optimizer_state(mut self, reset: bool) -> Self {
        self.reset_missing_optimizer_state = reset;
        self
    }

    /// Checks the settings a builder cannot refuse: `save_checkpoints_secs` must be a finite
    /// number of seconds, at least 0.
    ///
    /// ```
    /// use estimator_runtime::prelude::*;
    /// assert!(RunConfig::default().save_checkpoints_secs(30.0).validate().is_ok());
    /// assert!(RunConfig::default().save_checkpoints_secs(f64::NAN).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(secs) = self.save_checkpoints_secs {
            secs_to_duration("save_checkpoints_secs", secs)?;
        }
        Ok(())
    }

    /// The checkpoint cadence: steps, or seconds (TF's 600 s default). Never panics: a
    /// cadence that [`validate`](Self::validate) refuses saturates (NaN or negative: every
    /// step; too large or infinite: never by time).
    pub(crate) fn checkpoint_every(&self) -> (Option<u64>, Option<Duration>) {
        match (self.save_checkpoints_steps, self.save_checkpoints_secs) {
            (Some(steps), _) => (Some(steps), None),
            (None, Some(secs)) => (None, Some(saturating_duration(secs))),
            (None, None) => (None, Some(Duration::from_secs(600))),
        }
    }
}

/// `secs` as a [`Duration`], or [`Error::Config`] naming the setting `what` when it is NaN,
/// infinite, negative or too large (where `Duration::from_secs_f64` would panic).
pub(crate) fn secs_to_duration(what: &'static str, secs: f64) -> Result<Duration, Error> {
    if secs < 0.0 {
        return Err(Error::Config(format!(
            "{what} is {secs}; give a number of seconds of at least 0"
        )));
    }
    Duration::try_from_secs_f64(secs).map_err(|_| {
        Error::Config(format!(
            "{what} is {secs}; give a finite number of seconds (at most {})",
            Duration::MAX.as_secs()
        ))
    })
}

/// `secs` as a [`Duration`], saturating instead of panicking.
fn saturating_duration(secs: f64) -> Duration {
    if secs.is_nan() || secs <= 0.0 {
        Duration::ZERO
    } else {
        Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_infinite_or_nan_checkpoint_cadence_never_panics() {
        for secs in [f64::INFINITY, f64::NAN, f64::NEG_INFINITY, 1e300, -1.0] {
            let config = RunConfig::default().save_checkpoints_secs(secs);
            let (steps, every) = config.checkpoint_every();
            assert_eq!(steps, None);
            assert!(every.is_some(), "{secs}");
            let err = config.validate().unwrap_err();
            assert!(
                err.to_string().contains("save_checkpoints_secs"),
                "{secs}: {err}"
            );
        }
        assert_eq!(
            RunConfig::default()
                .save_checkpoints_secs(f64::INFINITY)
                .checkpoint_every()
                .1,
            Some(Duration::MAX)
        );
    }

    #[test]
    fn seconds_settings_become_typed_errors() {
        assert_eq!(
            secs_to_duration("max_secs", 1.5).ok(),
            Some(Duration::from_millis(1500))
        );
        for secs in [f64::INFINITY, f64::NAN, -3.0, 1e300] {
            let err = secs_to_duration("throttle_secs", secs).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err:?}");
            assert!(err.to_string().contains("throttle_secs"), "{err}");
        }
    }
}
