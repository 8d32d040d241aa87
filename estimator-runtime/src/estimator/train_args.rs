//! `TrainArgs` (how long one `train` call runs) and `TrainSummary` (what it did).

use crate::config::secs_to_duration;
use crate::error::Error;
use crate::hooks::{CheckpointSaverListener, Hook};
use std::time::Instant;

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
    /// Also limit to `n` more steps. As in TF, `train` refuses `steps` together with
    /// `max_steps`, and `steps` of 0.
    pub fn and_steps(mut self, n: u64) -> Self {
        self.steps = Some(n);
        self
    }

    /// Also limit the global step to `n`. As in TF, `train` refuses `max_steps` together with
    /// `steps`, and `max_steps` of 0.
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

    pub(crate) fn boxed_listener(mut self, listener: Box<dyn CheckpointSaverListener>) -> Self {
        self.listeners.push(listener);
        self
    }

    /// The global step this call trains to. TF's `ValueError`s: `steps` and `max_steps`
    /// together, or either of them 0.
    pub(crate) fn target(&self, global_step: u64) -> Result<Option<u64>, Error> {
        match (self.steps, self.max_steps) {
            (Some(_), Some(_)) => Err(Error::Config(
                "Can not provide both steps and max_steps.".into(),
            )),
            (Some(0), None) => Err(Error::Config("Must specify steps > 0, given: 0".into())),
            (None, Some(0)) => Err(Error::Config("Must specify max_steps > 0, given: 0".into())),
            (Some(s), None) => Ok(Some(global_step.saturating_add(s))),
            (None, m) => Ok(m),
        }
    }

    /// The call's wall-clock deadline from `max_secs`, counted from `start`; `None` when there
    /// is no limit or it lies past what an `Instant` can hold.
    pub(crate) fn deadline(&self, start: Instant) -> Result<Option<Instant>, Error> {
        let Some(secs) = self.max_secs else {
            return Ok(None);
        };
        let limit = secs_to_duration("max_secs", secs)?;
        Ok(start.checked_add(limit))
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
    pub(crate) fn skipped(global_step: u64) -> Self {
        TrainSummary {
            global_step,
            steps: 0,
            last_loss: None,
            seconds: 0.0,
            input_exhausted: false,
            stopped_by_hook: false,
        }
    }
}
