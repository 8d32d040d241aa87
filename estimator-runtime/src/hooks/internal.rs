//! The train loop's built-in behaviours as hooks, as TF's `_train_with_estimator_spec` adds
//! `NanTensorHook`, `SummarySaverHook`, `StepCounterHook` and `CheckpointSaverHook`. Each one
//! decides; the loop acts on the decisions ([`StepEffects`]), since only it holds the model.

use super::{Hook, HookContext, Schedule};
use crate::checkpoint::CheckpointPolicy;
use crate::config::RunConfig;
use crate::error::Error;
use crate::progress::Progress;
use std::time::Instant;

/// What the built-in hooks ask of the loop after a step.
#[derive(Debug, Default)]
pub(crate) struct StepEffects {
    /// Some hook requested a stop.
    pub stop: bool,
    /// A checkpoint is due.
    pub save: bool,
    /// Scalars to write to the run's event file.
    pub scalars: Vec<(&'static str, f64)>,
    /// A summary step: the model_fn's recorded summaries are written too.
    pub summaries: bool,
}

/// The built-in hooks of a train call.
pub(crate) struct BuiltinHooks {
    summary: SummarySaverHook,
    counter: StepCounter,
    saver: CheckpointSaverHook,
    progress: ProgressHook,
}

impl BuiltinHooks {
    /// The built-ins `config` asks for, for a call from `start_step` towards `target`.
    pub fn new(config: &RunConfig, start_step: u64, target: Option<u64>) -> Self {
        let (every_steps, every_time) = config.checkpoint_every();
        BuiltinHooks {
            summary: SummarySaverHook {
                schedule: Schedule::new(config.save_summary_steps),
                scalars: Vec::new(),
                due: false,
            },
            counter: StepCounter {
                schedule: Schedule::new(config.log_step_count_steps),
                last: (start_step, Instant::now()),
                scalars: Vec::new(),
            },
            saver: CheckpointSaverHook {
                policy: CheckpointPolicy::new(every_steps, every_time, start_step),
                target,
                due: false,
            },
            progress: ProgressHook(Progress::new(start_step, target)),
        }
    }

    /// The hooks that run at every point, in order.
    pub fn hooks(&mut self) -> [&mut (dyn Hook + 'static); 4] {
        [
            &mut self.summary,
            &mut self.counter,
            &mut self.saver,
            &mut self.progress,
        ]
    }

    /// Whether a summary, the loss log line or the progress bar needs the loss at
    /// `global_step`. (TF's `NanTensorHook` is the loop's own loss check, `PendingLosses`.)
    pub fn wants_loss(&self, global_step: u64) -> bool {
        self.summary.schedule.due(global_step)
            || self.counter.schedule.due(global_step)
            || self.progress.0.is_shown()
    }

    /// The decisions of the step just run.
    pub fn take_effects(&mut self) -> StepEffects {
        let mut scalars = std::mem::take(&mut self.summary.scalars);
        scalars.append(&mut self.counter.scalars);
        StepEffects {
            stop: false,
            save: std::mem::take(&mut self.saver.due),
            scalars,
            summaries: std::mem::take(&mut self.summary.due),
        }
    }
}

/// Writes `loss`, `learning_rate` and the model_fn's summaries at a call's first step and every
/// `save_summary_steps` after (TF `SummarySaverHook`).
struct SummarySaverHook {
    schedule: Schedule,
    scalars: Vec<(&'static str, f64)>,
    /// This step writes the model_fn's summaries.
    due: bool,
}

impl Hook for SummarySaverHook {
    fn name(&self) -> &str {
        "SummarySaverHook"
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if self.schedule.fire(ctx.global_step) {
            self.due = true;
            self.scalars.extend(ctx.loss.map(|l| ("loss", l)));
            self.scalars
                .extend(ctx.learning_rate.map(|lr| ("learning_rate", lr)));
        }
        Ok(())
    }
}

/// Logs the loss line at a call's first step and every `log_step_count_steps` after (TF's
/// `LoggingTensorHook` of the loss, which prints the step the batch started from: `loss = ..,
/// step = 0` first), and `global_step/sec` over each interval (TF's `StepCounterHook`: none at
/// the first step, which only starts the clock).
struct StepCounter {
    schedule: Schedule,
    last: (u64, Instant),
    scalars: Vec<(&'static str, f64)>,
}

impl Hook for StepCounter {
    fn name(&self) -> &str {
        "StepCounterHook"
    }

    fn begin(&mut self, ctx: &HookContext) -> Result<(), Error> {
        self.last = (ctx.global_step, Instant::now());
        Ok(())
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let step = ctx.global_step;
        let first = self.schedule.last.is_none();
        if !self.schedule.fire(step) {
            return Ok(());
        }
        let loss = ctx.loss.unwrap_or(f64::NAN);
        let from = step.saturating_sub(1);
        let secs = self.last.1.elapsed().as_secs_f64();
        if first {
            tracing::info!("loss = {loss:.6}, step = {from}");
        } else {
            tracing::info!("loss = {loss:.6}, step = {from} ({secs:.3} sec)");
        }
        if !first && secs > 0.0 {
            let rate = (step - self.last.0) as f64 / secs;
            self.scalars.push(("global_step/sec", rate));
            tracing::info!("global_step/sec: {rate:.4}");
        }
        self.last = (step, Instant::now());
        Ok(())
    }
}

/// Decides when a checkpoint is due (TF `CheckpointSaverHook`). The last step of a call is
/// left to the final save.
struct CheckpointSaverHook {
    policy: CheckpointPolicy,
    target: Option<u64>,
    due: bool,
}

impl Hook for CheckpointSaverHook {
    fn name(&self) -> &str {
        "CheckpointSaverHook"
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let step = ctx.global_step;
        let now = self.policy.needs_clock().then(Instant::now);
        let last = self.target.is_some_and(|t| step >= t) || ctx.stop_requested();
        if !last && self.policy.should_save_at(step, now) {
            self.due = true;
            self.policy.saved(step, now.unwrap_or_else(Instant::now));
        }
        Ok(())
    }
}

/// The progress bar (on a TTY only).
struct ProgressHook(Progress);

impl Hook for ProgressHook {
    fn name(&self) -> &str {
        "ProgressHook"
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        self.0.step(ctx.loss.unwrap_or(f64::NAN));
        Ok(())
    }

    fn end(&mut self, _ctx: &HookContext) -> Result<(), Error> {
        self.0.finish();
        Ok(())
    }
}
