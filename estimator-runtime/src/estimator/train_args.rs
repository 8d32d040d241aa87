//! `TrainArgs` (how long one `train` call runs) and `TrainSummary` (what it did).

use crate::hooks::{CheckpointSaverListener, Hook};

/// How long `train` runs (TF's `steps` / `max_steps`), and extra hooks.
#[derive(Default)]
pub struct TrainArgs {
    steps: Option<u64>,
    max_steps: Option<u64>,
    pub(crate) hooks: Vec<Box<dyn Hook>>,
    pub(crate) listeners: Vec<Box<dyn CheckpointSaverListener>>,
    pub(crate) max_secs: Option<f64>,
}

impl TrainArgs {
    /// Also limit to `n` more steps.
    pub fn and_steps(mut self, n: u64) -> Self {
        self.steps = Some(n);
        self
    }

    /// Also limit the global step to `n`.
    pub fn and_max_steps(mut self, n: u64) -> Self {
        self.max_steps = Some(n);
        self
    }

    /// Also stop after `secs` seconds of training (checked between steps).
    pub fn and_max_secs(mut self, secs: f64) -> Self {
        self.max_secs = Some(secs);
        self
    }

    pub(crate) fn boxed_hook(mut self, hook: Box<dyn Hook>) -> Self {
        self.hooks.push(hook);
        self
    }

    /// Train `n` more steps (or until the input ends).
    pub fn steps(n: u64) -> Self {
        TrainArgs {
            steps: Some(n),
            ..Self::default()
        }
    }

    /// Train until the global step reaches `n` (or the input ends); nothing if it already has.
    pub fn max_steps(n: u64) -> Self {
        TrainArgs {
            max_steps: Some(n),
            ..Self::default()
        }
    }

    /// Adds a hook for this call.
    pub fn hook(self, hook: impl Hook + 'static) -> Self {
        self.boxed_hook(Box::new(hook))
    }

    /// Adds a listener called around every checkpoint save (TF `saving_listeners`).
    pub fn saving_listener(mut self, listener: impl CheckpointSaverListener + 'static) -> Self {
        self.listeners.push(Box::new(listener));
        self
    }

    pub(crate) fn target(&self, global_step: u64) -> Option<u64> {
        match (self.steps, self.max_steps) {
            (Some(s), Some(m)) => Some((global_step + s).min(m)),
            (Some(s), None) => Some(global_step + s),
            (None, m) => m,
        }
    }
}

/// What a `train` call did.
pub struct TrainSummary {
    /// The global step at the end.
    pub global_step: u64,
    /// Steps taken in this call.
    pub steps: u64,
    /// The loss of the last step.
    pub last_loss: Option<f64>,
    /// Wall time of the call, in seconds.
    pub seconds: f64,
    /// Whether the input ran out.
    pub input_exhausted: bool,
    /// Whether a hook or a saving listener asked to stop.
    pub stopped_by_hook: bool,
    /// The call's hooks, handed back for the next call (train_and_evaluate).
    pub(crate) returned_hooks: Vec<Box<dyn Hook>>,
}

impl std::fmt::Debug for TrainSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainSummary")
            .field("global_step", &self.global_step)
            .field("steps", &self.steps)
            .field("last_loss", &self.last_loss)
            .field("seconds", &self.seconds)
            .field("input_exhausted", &self.input_exhausted)
            .field("stopped_by_hook", &self.stopped_by_hook)
            .finish()
    }
}

impl TrainSummary {
    /// A call that took no step because the global step had already reached its target.
    pub(crate) fn skipped(global_step: u64, hooks: Vec<Box<dyn Hook>>) -> Self {
        TrainSummary {
            global_step,
            steps: 0,
            last_loss: None,
            seconds: 0.0,
            input_exhausted: false,
            stopped_by_hook: false,
            returned_hooks: hooks,
        }
    }
}
