//! Per-mode partial evaluation of a model_fn body.
//!
//! For each of TRAIN, EVAL and PREDICT the walker fixes `mode`, decides every condition on it
//! that it can, keeps only the code that mode reaches, and records every return point with the
//! abstract value it returns. A spec value says, for each required field, whether it is
//! present, absent or unknown, and where that was decided.

mod cond;
mod env;
mod names;
mod snippet;
mod spec;
mod syntax;
mod value;
mod walk;

pub use names::{LiteralNames, literal_names};
pub use snippet::snippet;
pub use value::{Field, Form, Presence, Site, SpecCandidate, Value};

use syn::Block;

/// One of the three modes; the analysis runs once for each.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// `ModeKeys::Train`.
    Train,
    /// `ModeKeys::Eval`.
    Eval,
    /// `ModeKeys::Predict`.
    Predict,
}

impl Mode {
    /// All modes, in TF's order.
    pub const ALL: [Mode; 3] = [Mode::Train, Mode::Eval, Mode::Predict];

    /// The variant name of `ModeKeys`.
    pub fn variant(self) -> &'static str {
        match self {
            Mode::Train => "Train",
            Mode::Eval => "Eval",
            Mode::Predict => "Predict",
        }
    }

    /// The mode with variant name `name`, if any.
    pub fn from_variant(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.variant() == name)
    }
}

/// A place where the function returns, as seen in one mode.
pub struct ReturnPoint {
    /// What is returned there ([`Value::Unknown`] where the walker could not follow: a
    /// macro that may return, or code nested past its depth limit).
    pub value: Value,
    /// The mode condition that selected this path, as written (`mode == ModeKeys::Predict` is false).
    pub reason: Option<String>,
}

/// The return points of one mode.
pub struct ModeAnalysis {
    /// The mode analysed.
    pub mode: Mode,
    /// Every return point the mode may reach: a superset, never a subset, so that a field
    /// absent at all of them is certainly absent.
    pub returns: Vec<ReturnPoint>,
}

impl ModeAnalysis {
    /// The calls whose result the mode may return unread (a spec built in a helper), each
    /// with its callee's name, in the order written.
    pub fn spec_calls(&self) -> Vec<(&str, &Site)> {
        self.returns
            .iter()
            .filter_map(|point| match &point.value {
                Value::Call(name, site) => Some((name.as_str(), site)),
                _ => None,
            })
            .collect()
    }
}

/// Analyses `body` once per mode; `mode_ident` is the name of the `mode` parameter.
pub fn analyse(body: &Block, mode_ident: &str) -> Vec<ModeAnalysis> {
    Mode::ALL
        .into_iter()
        .map(|mode| walk::Walker::run(mode, mode_ident, body))
        .collect()
}

#[cfg(test)]
mod tests;
