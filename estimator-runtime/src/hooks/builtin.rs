//! Built-in hooks in the spirit of TF's `basic_session_run_hooks.py`.

use super::{Hook, HookContext, Schedule};
use crate::error::Error;
use std::path::Path;
use std::time::Instant;

/// Logs named scalars (`loss`, `learning_rate`, `global_step`) at a train call's first step and
/// every `every_n_iter` steps after it (TF `LoggingTensorHook`, which counts its own iterations
/// from 0).
///
/// ```
/// use estimator_runtime::hooks::LoggingTensorHook;
/// let hook = LoggingTensorHook::new(["loss", "learning_rate"], 100);
/// ```
pub struct LoggingTensorHook {
    names: Vec<String>,
    schedule: Schedule,
}

impl LoggingTensorHook {
    /// Logs `names` every `every_n_iter` steps.
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>, every_n_iter: u64) -> Self {
        LoggingTensorHook {
            names: names.into_iter().map(Into::into).collect(),
            schedule: Schedule::new(every_n_iter.max(1)),
        }
    }

    /// The line logged for `ctx` (`loss = 0.31, learning_rate = 0.001`).
    pub fn line(&self, ctx: &HookContext) -> String {
        let parts: Vec<String> = self
            .names
            .iter()
            .map(|n| match ctx.scalar(n) {
                Some(v) => format!("{n} = {v}"),
                None => format!("{n} = n/a"),
            })
            .collect();
        parts.join(", ")
    }
}

impl Hook for LoggingTensorHook {
    fn name(&self) -> &str {
        "LoggingTensorHook"
    }

    fn wants_loss(&self, global_step: u64) -> bool {
        self.schedule.due(global_step) && self.names.iter().any(|n| n == "loss")
    }

    fn begin(&mut self, _ctx: &HookContext) -> Result<(), Error> {
        self.schedule = Schedule::new(self.schedule.every);
        Ok(())
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if self.schedule.fire(ctx.global_step) {
            tracing::info!("{}", self.line(ctx));
        }
        Ok(())
    }
}

/// Requests a stop at a global step (TF `StopAtStepHook`): `num_steps` after `begin`, or at
/// `last_step`.
pub struct StopAtStepHook {
    num_steps: Option<u64>,
    last_step: Option<u64>,
}

impl StopAtStepHook {
    /// Stops `num_steps` steps after the hook begins.
    pub fn num_steps(num_steps: u64) -> Self {
        StopAtStepHook {
            num_steps: Some(num_steps),
            last_step: None,
        }
    }

    /// Stops once the global step reaches `last_step`.
    pub fn last_step(last_step: u64) -> Self {
        StopAtStepHook {
            num_steps: None,
            last_step: Some(last_step),
        }
    }
}

impl Hook for StopAtStepHook {
    fn name(&self) -> &str {
        "StopAtStepHook"
    }

    fn wants_loss(&self, _global_step: u64) -> bool {
        false
    }

    fn begin(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if let Some(n) = self.num_steps.take() {
            // A run cannot pass u64::MAX steps; saturate instead of overflowing.
            self.last_step = Some(ctx.global_step.saturating_add(n));
        }
        if self.last_step.is_some_and(|last| ctx.global_step >= last) {
            ctx.request_stop();
        }
        Ok(())
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if self.last_step.is_some_and(|last| ctx.global_step >= last) {
            ctx.request_stop();
        }
        Ok(())
    }
}

/// Counts steps per second (TF `StepCounterHook`), logged every `every_n_steps`.
pub struct StepCounterHook {
    every_n_steps: u64,
    last: Option<(u64, Instant)>,
    /// The latest measured rate, in global steps per second.
    pub steps_per_sec: Option<f64>,
}

impl StepCounterHook {
    /// Measures every `every_n_steps` steps.
    pub fn new(every_n_steps: u64) -> Self {
        StepCounterHook {
            every_n_steps: every_n_steps.max(1),
            last: None,
            steps_per_sec: None,
        }
    }
}

impl Hook for StepCounterHook {
    fn name(&self) -> &str {
        "StepCounterHook"
    }

    fn wants_loss(&self, _global_step: u64) -> bool {
        false
    }

    fn begin(&mut self, ctx: &HookContext) -> Result<(), Error> {
        self.last = Some((ctx.global_step, Instant::now()));
        Ok(())
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let Some((step, time)) = self.last else {
            return Ok(());
        };
        if ctx.global_step >= step.saturating_add(self.every_n_steps) {
            let secs = time.elapsed().as_secs_f64();
            if secs > 0.0 {
                let rate = ctx.global_step.saturating_sub(step) as f64 / secs;
                self.steps_per_sec = Some(rate);
                tracing::info!("global_step/sec: {rate:.4}");
            }
            self.last = Some((ctx.global_step, Instant::now()));
        }
        Ok(())
    }
}

/// Fails on a NaN or infinite loss (TF `NanTensorHook`), or only requests a stop when
/// `fail_on_nan_loss` is false.
pub struct NanTensorHook {
    fail_on_nan_loss: bool,
}

impl NanTensorHook {
    /// A hook that fails (`true`) or stops (`false`) on a NaN loss.
    pub fn new(fail_on_nan_loss: bool) -> Self {
        NanTensorHook { fail_on_nan_loss }
    }
}

impl Hook for NanTensorHook {
    fn name(&self) -> &str {
        "NanTensorHook"
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        match ctx.loss {
            Some(loss) if !loss.is_finite() && self.fail_on_nan_loss => Err(Error::NanLoss {
                step: ctx.global_step,
            }),
            Some(loss) if !loss.is_finite() => {
                tracing::warn!("Model diverged with loss = NaN.");
                ctx.request_stop();
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Called around every checkpoint save (TF `CheckpointSaverListener`).
pub trait CheckpointSaverListener {
    /// Before the checkpoint at `global_step` is written.
    fn before_save(&mut self, global_step: u64) -> Result<(), Error> {
        let _ = global_step;
        Ok(())
    }

    /// After the checkpoint at `global_step` was written to `path`. Returning `true` asks
    /// training to stop.
    fn after_save(&mut self, global_step: u64, path: &Path) -> Result<bool, Error> {
        let _ = (global_step, path);
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ModeKeys;

    fn at(step: u64) -> HookContext {
        HookContext::new(ModeKeys::Train, step)
    }

    #[test]
    fn stop_at_step_with_u64_max_steps_does_not_overflow() -> Result<(), Error> {
        let mut hook = StopAtStepHook::num_steps(u64::MAX);
        let ctx = at(5);
        hook.begin(&ctx)?;
        hook.after_step(&at(6))?;
        assert!(!ctx.stop_requested());
        let end = at(u64::MAX);
        hook.after_step(&end)?;
        assert!(end.stop_requested());
        Ok(())
    }

    #[test]
    fn step_counter_near_u64_max_does_not_overflow() -> Result<(), Error> {
        let mut hook = StepCounterHook::new(u64::MAX);
        hook.begin(&at(10))?;
        hook.after_step(&at(11))?;
        assert_eq!(hook.steps_per_sec, None);
        let mut hook = StepCounterHook::new(100);
        hook.begin(&at(u64::MAX - 1))?;
        hook.after_step(&at(u64::MAX))?;
        assert!(hook.steps_per_sec.is_none_or(|rate| rate.is_finite()));
        Ok(())
    }
}
