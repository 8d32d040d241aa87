//! `Scaffold`: how the model is initialised before the first step.

use std::path::PathBuf;

/// Initialisation of a run (TF's `Scaffold` and `WarmStartSettings`).
///
/// ```
/// use estimator_runtime::prelude::*;
/// let s = Scaffold::new().warm_start_from("runs/pretrained");
/// assert!(s.warm_start().is_some());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Scaffold {
    warm_start: Option<WarmStart>,
}

/// Initialise the model from another run's checkpoint.
#[derive(Clone, Debug)]
pub struct WarmStart {
    /// A checkpoint file, or a model_dir whose latest checkpoint is used.
    pub from: PathBuf,
    /// Only parameters whose path starts with one of these prefixes; empty means all.
    pub vars_to_warm_start: Vec<String>,
}

impl Scaffold {
    /// A scaffold that changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Warm-starts every parameter from `path` (a checkpoint or a model_dir).
    pub fn warm_start_from(mut self, path: impl Into<PathBuf>) -> Self {
        self.warm_start = Some(WarmStart {
            from: path.into(),
            vars_to_warm_start: Vec::new(),
        });
        self
    }

    /// Restricts warm start to parameters under these path prefixes.
    pub fn vars_to_warm_start<S: Into<String>>(
        mut self,
        prefixes: impl IntoIterator<Item = S>,
    ) -> Self {
        if let Some(ws) = &mut self.warm_start {
            ws.vars_to_warm_start = prefixes.into_iter().map(Into::into).collect();
        }
        self
    }

    /// The warm start settings, if any.
    pub fn warm_start(&self) -> Option<&WarmStart> {
        self.warm_start.as_ref()
    }
}
