//! `Hook`: TF's `SessionRunHook`, with begin / before_step / after_step / end and a stop request,
//! and the built-in hooks of TF's `basic_session_run_hooks.py` and `early_stopping.py`.

mod builtin;
mod early_stopping;
mod internal;
mod set;

pub use builtin::{
    CheckpointSaverListener, LoggingTensorHook, NanTensorHook, StepCounterHook, StopAtStepHook,
};
pub use early_stopping::{
    EarlyStopping, EarlyStoppingHook, stop_if_no_decrease_hook, stop_if_no_increase_hook,
};
pub(crate) use internal::BuiltinHooks;
pub(crate) use set::HookSet;

use crate::error::Error;
use crate::estimator::EvalResults;
use crate::mode::ModeKeys;
use std::cell::Cell;
use std::sync::Arc;

/// What a hook sees: read-only facts about the run, plus a way to ask it to stop.
#[derive(Debug)]
pub struct HookContext {
    /// The mode being run.
    pub mode: ModeKeys,
    /// The global step: before a step, the step about to run; after it, the steps done. In
    /// EVAL, the global step of the model being evaluated (TF), the same for every batch.
    pub global_step: u64,
    /// In EVAL, the index of the batch (1 for the first); `None` in TRAIN and PREDICT.
    pub batch: Option<u64>,
    /// The loss of the step just run (in `after_step`), on the steps where a hook
    /// [wants](Hook::wants_loss) it.
    pub loss: Option<f64>,
    /// The learning rate of the step just run (in `after_step`, TRAIN only).
    pub learning_rate: Option<f64>,
    /// The latest evaluation of this Estimator, if any (what early stopping reads).
    pub latest_eval: Option<Arc<EvalResults>>,
    /// Every evaluation of this Estimator, oldest first (see [`evaluations`](Self::evaluations)).
    pub(crate) eval_history: Option<Arc<Vec<EvalResults>>>,
    stop: Cell<bool>,
}

impl HookContext {
    pub(crate) fn new(mode: ModeKeys, global_step: u64) -> Self {
        HookContext {
            mode,
            global_step,
            batch: None,
            loss: None,
            learning_rate: None,
            latest_eval: None,
            eval_history: None,
            stop: Cell::new(false),
        }
    }

    /// Asks the loop to stop after this step (TF `run_context.request_stop()`).
    pub fn request_stop(&self) {
        self.stop.set(true);
    }

    /// A named scalar of the step: `loss`, `learning_rate` or `global_step`.
    pub fn scalar(&self, name: &str) -> Option<f64> {
        match name {
            "loss" => self.loss,
            "learning_rate" => self.learning_rate,
            "global_step" => Some(self.global_step as f64),
            _ => None,
        }
    }

    /// Every evaluation this Estimator knows of, oldest first: those of this process, and in
    /// `train_and_evaluate` those a killed run recorded before it (read back from the eval event
    /// files, with their values as the f32 the files hold). Empty in EVAL and PREDICT.
    pub fn evaluations(&self) -> &[EvalResults] {
        self.eval_history.as_deref().map_or(&[], Vec::as_slice)
    }

    /// Whether some hook asked to stop.
    pub fn stop_requested(&self) -> bool {
        self.stop.get()
    }
}

/// A callback into the training, evaluation or prediction loop.
///
/// Every method has a no-op default; a hook returns an error to abort the run.
///
/// ```
/// use estimator_runtime::prelude::*;
/// use estimator_runtime::hooks::HookContext;
///
/// /// Stops training at step 10.
/// struct StopAt10;
/// impl Hook for StopAt10 {
///     fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
///         if ctx.global_step >= 10 { ctx.request_stop(); }
///         Ok(())
///     }
/// }
/// ```
pub trait Hook {
    /// A name for logs and errors.
    fn name(&self) -> &str {
        std::any::type_name::<Self>()
    }

    /// Called once before the first step: once per `train` call, and once per
    /// `train_and_evaluate` call, whose evaluations run between steps of its one training run
    /// (a training hook is not called during an evaluation; its next `after_step` sees the
    /// result in [`HookContext::latest_eval`]).
    fn begin(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let _ = ctx;
        Ok(())
    }

    /// Called before each step.
    fn before_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let _ = ctx;
        Ok(())
    }

    /// Whether `after_step` at `global_step` (the steps done) needs the step's loss in
    /// [`HookContext::loss`]. Reading the loss is a device→host sync, so the loop reads it only
    /// on the steps where some hook (or logging, summaries, a checkpoint) needs it; on the
    /// others `loss` is `None`. The default is `true` (every step), which keeps a hook written
    /// before this method correct; a hook that reads no loss should return `false`.
    fn wants_loss(&self, global_step: u64) -> bool {
        let _ = global_step;
        true
    }

    /// Called after each step, with its loss when some hook [wants](Hook::wants_loss) it.
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let _ = ctx;
        Ok(())
    }

    /// Called once after the last step.
    fn end(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let _ = ctx;
        Ok(())
    }
}

#[cfg(test)]
mod tests;

/// When TF's step-based hooks fire in a train call (`SecondOrStepTimer`): at the call's first
/// step, then at the first step `every` steps or more after the last firing. A call from step 0
/// with `every` 100 fires at 1, 101, 201, ...; a call resumed at 1,000 at 1,001, 1,101, ...
/// (`every` 0: never).
pub(crate) struct Schedule {
    every: u64,
    last: Option<u64>,
}

impl Schedule {
    pub(crate) fn new(every: u64) -> Self {
        Schedule { every, last: None }
    }

    /// Whether it fires at `step` (after that step's update, as the hooks see it).
    pub(crate) fn due(&self, step: u64) -> bool {
        self.every > 0
            && self
                .last
                .is_none_or(|last| step >= last.saturating_add(self.every))
    }

    /// Fires at `step` if due; whether it did.
    pub(crate) fn fire(&mut self, step: u64) -> bool {
        let due = self.due(step);
        if due {
            self.last = Some(step);
        }
        due
    }
}
