//! `ModeKeys`: which of TRAIN, EVAL and PREDICT a model_fn is called for.

use std::fmt;

/// The mode a model_fn is called in, as TF's `tf.estimator.ModeKeys`.
///
/// `Display` gives TF's string values: `train`, `eval` and `infer`.
///
/// ```
/// use estimator_runtime::prelude::*;
/// assert_eq!(ModeKeys::Predict.to_string(), "infer");
/// assert_ne!(ModeKeys::Train, ModeKeys::Eval);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum ModeKeys {
    /// Training: the spec needs `loss` and `train_op`.
    Train,
    /// Evaluation: the spec needs `loss`; metrics are accumulated over the input.
    Eval,
    /// Inference: the spec needs `predictions`. Labels are `None`.
    Predict,
}

impl ModeKeys {
    /// TF's string value of the mode (`train`, `eval`, `infer`).
    pub fn as_str(self) -> &'static str {
        match self {
            ModeKeys::Train => "train",
            ModeKeys::Eval => "eval",
            ModeKeys::Predict => "infer",
        }
    }
}

impl fmt::Display for ModeKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_uses_tf_names() {
        let names: Vec<String> = [ModeKeys::Train, ModeKeys::Eval, ModeKeys::Predict]
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(names, ["train", "eval", "infer"]);
    }
}
