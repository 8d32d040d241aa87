//! Checkpoint policies as data: when to save, and which files to delete.

use std::time::{Duration, Instant};

/// When to save: every N steps or every T seconds (TF's `CheckpointSaverHook` timer).
#[derive(Clone, Debug)]
pub struct CheckpointPolicy {
    every_steps: Option<u64>,
    every: Option<Duration>,
    last_step: u64,
    last_time: Instant,
}

impl CheckpointPolicy {
    /// A policy saving every `every_steps` steps, or every `every` (one of them).
    pub fn new(every_steps: Option<u64>, every: Option<Duration>, start_step: u64) -> Self {
        CheckpointPolicy {
            every_steps,
            every,
            last_step: start_step,
            last_time: Instant::now(),
        }
    }

    /// Whether to save after reaching `step`, at time `now`.
    pub fn should_save(&self, step: u64, now: Instant) -> bool {
        if step <= self.last_step {
            return false;
        }
        match (self.every_steps, self.every) {
            (Some(n), _) => n > 0 && step >= self.last_step.saturating_add(n),
            (None, Some(t)) => now.duration_since(self.last_time) >= t,
            (None, None) => false,
        }
    }

    /// Whether deciding needs the time (a seconds cadence).
    pub fn needs_clock(&self) -> bool {
        self.every_steps.is_none() && self.every.is_some()
    }

    /// [`should_save`](Self::should_save) with the time read only when the policy needs it.
    pub fn should_save_at(&self, step: u64, now: Option<Instant>) -> bool {
        match now {
            Some(now) => self.should_save(step, now),
            None => self.every_steps.is_some() && self.should_save(step, self.last_time),
        }
    }

    /// Records a save at `step`.
    pub fn saved(&mut self, step: u64, now: Instant) {
        self.last_step = step;
        self.last_time = now;
    }
}

/// Which checkpoints to keep (TF's `keep_checkpoint_max`; 0 keeps all).
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// How many of the most recent to keep.
    pub keep_max: usize,
}

impl Retention {
    /// Splits `all` (oldest first, after adding the new one) into (kept, deleted).
    pub fn apply(&self, all: Vec<String>) -> (Vec<String>, Vec<String>) {
        if self.keep_max == 0 || all.len() <= self.keep_max {
            return (all, Vec::new());
        }
        let cut = all.len() - self.keep_max;
        let mut all = all;
        let kept = all.split_off(cut);
        (kept, all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_n() {
        let names: Vec<String> = (1..=7).map(|i| format!("c{i}")).collect();
        let (kept, deleted) = Retention { keep_max: 5 }.apply(names.clone());
        assert_eq!(kept, names[2..]);
        assert_eq!(deleted, names[..2]);
        assert_eq!(Retention { keep_max: 0 }.apply(names.clone()).0, names);
    }

    #[test]
    fn saves_by_steps() {
        let now = Instant::now();
        let p = CheckpointPolicy::new(Some(100), None, 0);
        assert!(!p.should_save(99, now));
        assert!(p.should_save(100, now));
        let mut p = p;
        p.saved(100, now);
        assert!(!p.should_save(150, now) && p.should_save(200, now));
    }

    #[test]
    fn a_huge_step_count_never_overflows() {
        let p = CheckpointPolicy::new(Some(u64::MAX), None, 100);
        assert!(!p.should_save(u64::MAX - 1, Instant::now()));
    }

    #[test]
    fn saves_by_time() {
        let start = Instant::now();
        let p = CheckpointPolicy::new(None, Some(Duration::from_secs(10)), 0);
        assert!(!p.should_save(5, start));
        assert!(p.should_save(5, start + Duration::from_secs(11)));
    }
}
