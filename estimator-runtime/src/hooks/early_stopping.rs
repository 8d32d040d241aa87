//! Early stopping on an eval metric (TF `early_stopping.py`), reading eval results directly.

use super::{Hook, HookContext};
use crate::error::Error;
use crate::estimator::EvalResults;
use crate::metrics::Direction;

/// The early-stopping policy: stop when `metric` has not improved for `max_steps_without_improvement`
/// global steps. A decision as data, testable without a run.
///
/// ```
/// use estimator_runtime::hooks::EarlyStopping;
/// let mut p = EarlyStopping::no_decrease("loss", 200);
/// assert!(!p.observe(100, 0.5));
/// assert!(!p.observe(200, 0.6));
/// assert!(p.observe(300, 0.55)); // best was at step 100, 200 steps ago
/// ```
#[derive(Clone, Debug)]
pub struct EarlyStopping {
    metric: String,
    direction: Direction,
    patience: u64,
    min_steps: u64,
    best: Option<(f64, u64)>,
}

impl EarlyStopping {
    /// Stop when `metric` has not decreased for `max_steps_without_decrease` steps.
    pub fn no_decrease(metric: impl Into<String>, max_steps_without_decrease: u64) -> Self {
        EarlyStopping {
            metric: metric.into(),
            direction: Direction::Decrease,
            patience: max_steps_without_decrease,
            min_steps: 0,
            best: None,
        }
    }

    /// Stop when `metric` has not increased for `max_steps_without_increase` steps.
    pub fn no_increase(metric: impl Into<String>, max_steps_without_increase: u64) -> Self {
        EarlyStopping {
            direction: Direction::Increase,
            ..EarlyStopping::no_decrease(metric, max_steps_without_increase)
        }
    }

    /// Never stop before `min_steps`.
    pub fn min_steps(mut self, min_steps: u64) -> Self {
        self.min_steps = min_steps;
        self
    }

    /// The metric watched.
    pub fn metric(&self) -> &str {
        &self.metric
    }

    /// Records `value` at `step`; returns whether to stop.
    ///
    /// Values compare as the f32 an eval event file holds, so that a `train_and_evaluate`
    /// restarted after a kill, which reads its history back from those files, decides exactly
    /// as the uninterrupted run did.
    pub fn observe(&mut self, step: u64, value: f64) -> bool {
        let value = f64::from(value as f32);
        if self
            .direction
            .improves(value, self.best.map(|(best, _)| best))
        {
            self.best = Some((value, step));
        }
        let best_step = self.best.map_or(step, |(_, s)| s);
        step >= self.min_steps && step.saturating_sub(best_step) >= self.patience
    }

    /// Records an evaluation; returns whether to stop. Fails if the metric is missing.
    pub fn observe_eval(&mut self, results: &EvalResults) -> Result<bool, Error> {
        let value = results.metric(&self.metric).ok_or_else(|| {
            Error::Config(format!(
                "early stopping watches `{}`, which the evaluation does not report",
                self.metric
            ))
        })?;
        Ok(self.observe(results.global_step, value))
    }
}

/// A training hook that applies an [`EarlyStopping`] policy to the Estimator's latest
/// evaluation, each time a new one appears (TF `stop_if_no_decrease_hook`).
pub struct EarlyStoppingHook {
    policy: EarlyStopping,
    seen_step: Option<u64>,
}

impl EarlyStoppingHook {
    /// A hook applying `policy`.
    pub fn new(policy: EarlyStopping) -> Self {
        EarlyStoppingHook {
            policy,
            seen_step: None,
        }
    }
}

/// TF's `stop_if_no_decrease_hook(estimator, metric_name, max_steps_without_decrease)`.
pub fn stop_if_no_decrease_hook(
    metric: impl Into<String>,
    max_steps_without_decrease: u64,
) -> EarlyStoppingHook {
    EarlyStoppingHook::new(EarlyStopping::no_decrease(
        metric,
        max_steps_without_decrease,
    ))
}

/// TF's `stop_if_no_increase_hook(estimator, metric_name, max_steps_without_increase)`.
pub fn stop_if_no_increase_hook(
    metric: impl Into<String>,
    max_steps_without_increase: u64,
) -> EarlyStoppingHook {
    EarlyStoppingHook::new(EarlyStopping::no_increase(
        metric,
        max_steps_without_increase,
    ))
}

impl Hook for EarlyStoppingHook {
    fn name(&self) -> &str {
        "EarlyStoppingHook"
    }

    fn wants_loss(&self, _global_step: u64) -> bool {
        false
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        // Every evaluation not seen yet, in order: after a restart, the history a killed run
        // recorded comes first, so the decision is the uninterrupted run's.
        let mut stop = false;
        let mut any = false;
        for eval in ctx.evaluations() {
            if self.seen_step.is_some_and(|seen| eval.global_step <= seen) {
                continue;
            }
            self.seen_step = Some(eval.global_step);
            stop = self.policy.observe_eval(eval)?;
            any = true;
        }
        if any && stop {
            tracing::info!(
                "Requesting early stopping at global step {}",
                ctx.global_step
            );
            ctx.request_stop();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_increase_waits_for_patience() {
        let mut p = EarlyStopping::no_increase("accuracy", 300).min_steps(100);
        assert!(!p.observe(100, 0.9));
        assert!(!p.observe(200, 0.95));
        assert!(!p.observe(400, 0.94));
        assert!(p.observe(500, 0.93));
    }

    #[test]
    fn improvement_resets_the_count() {
        let mut p = EarlyStopping::no_decrease("loss", 100);
        assert!(!p.observe(100, 1.0));
        assert!(!p.observe(190, 0.9));
        assert!(!p.observe(280, 0.95));
        assert!(p.observe(290, 0.95));
    }
}
