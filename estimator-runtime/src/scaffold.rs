//! `Scaffold`: how the model is initialised before the first step.

use crate::error::Error;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// TF's `var_name_to_prev_var_name`: parameter path in this model → its path in the
    /// warm-start checkpoint.
    var_name_to_prev_var_name: BTreeMap<String, String>,
}

/// Initialise the model from another run's checkpoint.
#[derive(Clone, Debug)]
pub struct WarmStart {
    /// A checkpoint file, or a model_dir whose latest checkpoint is used.
    pub from: PathBuf,
    /// Only parameters whose path matches one of these regular expressions at its start (TF's
    /// `vars_to_warm_start`, matched as `re.match`; a plain name such as `hidden` is a
    /// prefix); empty means all.
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

    /// Restricts warm start to parameters whose path matches one of these regular expressions
    /// at its start (TF semantics; `["hidden"]` takes every parameter under `hidden`). An
    /// invalid expression, or one that matches no parameter, fails the warm start.
    pub fn vars_to_warm_start<S: Into<String>>(
        mut self,
        prefixes: impl IntoIterator<Item = S>,
    ) -> Self {
        if let Some(ws) = &mut self.warm_start {
            ws.vars_to_warm_start = prefixes.into_iter().map(Into::into).collect();
        }
        self
    }

    /// Renames for warm start (TF's `var_name_to_prev_var_name`): each pair maps a parameter
    /// path of this model to the path it had in the warm-start checkpoint, for parameters that
    /// were renamed since. A pair whose parameter is not warm-started fails the warm start, as
    /// in TF.
    ///
    /// ```
    /// use estimator_runtime::prelude::*;
    /// let s = Scaffold::new()
    ///     .warm_start_from("runs/pretrained")
    ///     .var_name_to_prev_var_name([("encoder.weight", "hidden.weight")]);
    /// assert_eq!(s.prev_var_names().get("encoder.weight").map(String::as_str), Some("hidden.weight"));
    /// ```
    pub fn var_name_to_prev_var_name<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.var_name_to_prev_var_name = crate::tf_checkpoint::warm::renames(pairs);
        self
    }

    /// The warm start settings, if any.
    pub fn warm_start(&self) -> Option<&WarmStart> {
        self.warm_start.as_ref()
    }

    /// The warm start's renames (see [`Scaffold::var_name_to_prev_var_name`]).
    pub fn prev_var_names(&self) -> &BTreeMap<String, String> {
        &self.var_name_to_prev_var_name
    }
}

impl WarmStart {
    /// Checks every `vars_to_warm_start` entry is a valid regular expression, before any
    /// checkpoint is read.
    ///
    /// ```
    /// use estimator_runtime::prelude::*;
    /// let ok = Scaffold::new().warm_start_from("runs/a").vars_to_warm_start(["hidden", "out.*bias"]);
    /// assert!(ok.warm_start().is_some_and(|ws| ws.validate().is_ok()));
    /// let bad = Scaffold::new().warm_start_from("runs/a").vars_to_warm_start(["hidden("]);
    /// assert!(bad.warm_start().is_some_and(|ws| ws.validate().is_err()));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        self.patterns().map(drop)
    }

    /// The store filters: each entry anchored at the start of the path, `^(?:entry)`, checked
    /// to compile (burn-store panics on an invalid one). Empty: every parameter.
    pub(crate) fn patterns(&self) -> Result<Vec<String>, Error> {
        self.vars_to_warm_start
            .iter()
            .map(|entry| {
                let anchored = format!("^(?:{entry})");
                match regex::Regex::new(&anchored) {
                    Ok(_) => Ok(anchored),
                    Err(e) => Err(Error::Config(format!(
                        "vars_to_warm_start entry {entry:?} is not a valid regular expression: {e}"
                    ))),
                }
            })
            .collect()
    }

    /// An error naming the renames whose parameter was not warm-started (TF: `You provided
    /// the following variables in var_name_to_prev_var_name that were not used`).
    pub(crate) fn check_renames_used(
        renames: &BTreeMap<String, String>,
        applied: &[String],
    ) -> Result<(), Error> {
        let unused: Vec<&String> = renames.keys().filter(|k| !applied.contains(k)).collect();
        if unused.is_empty() {
            return Ok(());
        }
        Err(Error::Config(format!(
            "You provided the following variables in var_name_to_prev_var_name that were not used: {unused:?}. Perhaps you misspelled them? (or the checkpoint has no such previous name)"
        )))
    }

    /// An error when entries were given and `applied` parameters matched none (TF: a warm
    /// start that selects no variable is an error).
    pub(crate) fn check_matched(&self, applied: usize, from: &Path) -> Result<(), Error> {
        if applied > 0 || self.vars_to_warm_start.is_empty() {
            return Ok(());
        }
        Err(Error::Config(format!(
            "vars_to_warm_start {:?} matched no parameter of the checkpoint {}; check the parameter paths (`hidden.weight`, ...)",
            self.vars_to_warm_start,
            from.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(entries: &[&str]) -> Option<WarmStart> {
        Scaffold::new()
            .warm_start_from("runs/a")
            .vars_to_warm_start(entries.iter().copied())
            .warm_start()
            .cloned()
    }

    #[test]
    fn entries_are_anchored_regular_expressions() {
        let patterns = ws(&["hidden", "out.*bias"]).map(|w| w.patterns());
        let expected = vec!["^(?:hidden)".to_string(), "^(?:out.*bias)".to_string()];
        assert_eq!(patterns.and_then(Result::ok), Some(expected));
    }

    #[test]
    fn an_invalid_entry_is_a_typed_error() {
        for bad in ["hidden(", "[", "a{99999999}"] {
            let err = ws(&[bad]).map(|w| w.validate());
            assert!(
                matches!(&err, Some(Err(Error::Config(m))) if m.contains("vars_to_warm_start")),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn entries_matching_nothing_are_an_error() {
        let w = ws(&["encoder"]).expect("warm start");
        assert!(w.check_matched(0, Path::new("x")).is_err());
        assert!(w.check_matched(3, Path::new("x")).is_ok());
        let all = ws(&[]).expect("warm start");
        assert!(all.check_matched(0, Path::new("x")).is_ok());
    }
}
