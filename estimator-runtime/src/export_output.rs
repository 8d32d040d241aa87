//! `ExportOutputs`: the serving signatures a model exports, with TF's `serving_default` rules.

use crate::error::Error;
use crate::predictions::Predictions;
use burn::tensor::{Int, Tensor};

/// The signature key TF serves by default.
pub const DEFAULT_SERVING_SIGNATURE_DEF_KEY: &str = "serving_default";

/// One serving signature, as TF's `ExportOutput` subclasses.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // built once per batch; boxing would only add noise for users
pub enum ExportOutput {
    /// Class scores and/or class ids (TF `ClassificationOutput`); at least one is needed.
    Classification {
        /// Scores per class, `[batch, classes]`.
        scores: Option<Tensor<2>>,
        /// Predicted class ids, `[batch]`.
        classes: Option<Tensor<1, Int>>,
    },
    /// One predicted value per example (TF `RegressionOutput`), `[batch]`.
    Regression {
        /// The predicted values.
        value: Tensor<1>,
    },
    /// Any named outputs (TF `PredictOutput`).
    Predict(Predictions),
}

impl ExportOutput {
    /// The signature's kind, as TF names its method (`classify`, `regress`, `predict`).
    pub fn kind(&self) -> &'static str {
        match self {
            ExportOutput::Classification { .. } => "classify",
            ExportOutput::Regression { .. } => "regress",
            ExportOutput::Predict(_) => "predict",
        }
    }

    /// The named tensors this signature outputs.
    pub fn outputs(&self) -> Predictions {
        match self {
            ExportOutput::Classification { scores, classes } => {
                let mut p = Predictions::new();
                if let Some(s) = scores {
                    p = p.with("scores", s.clone());
                }
                if let Some(c) = classes {
                    p = p.with("classes", c.clone());
                }
                p
            }
            ExportOutput::Regression { value } => Predictions::new().with("value", value.clone()),
            ExportOutput::Predict(p) => p.clone(),
        }
    }
}

/// Named serving signatures.
///
/// ```
/// use estimator_runtime::prelude::*;
/// let device = Device::default();
/// let value = Tensor::<1>::from_data([1.5f32, 2.0], &device);
/// let outputs = ExportOutputs::new().with("regression", ExportOutput::Regression { value });
/// // A single output is also served as `serving_default`.
/// let resolved = outputs.resolve(None).unwrap();
/// assert!(resolved.get("serving_default").is_some());
/// ```
#[derive(Clone, Debug, Default)]
pub struct ExportOutputs {
    entries: Vec<(String, ExportOutput)>,
}

impl ExportOutputs {
    /// No signatures.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the signature `name`.
    pub fn with(mut self, name: impl Into<String>, output: ExportOutput) -> Self {
        let name = name.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = output,
            None => self.entries.push((name, output)),
        }
        self
    }

    /// The signature `name`.
    pub fn get(&self, name: &str) -> Option<&ExportOutput> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, o)| o)
    }

    /// Every `(name, output)` pair.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ExportOutput)> {
        self.entries.iter().map(|(n, o)| (n.as_str(), o))
    }

    /// How many signatures there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks TF's rule: several outputs need one named `serving_default`.
    pub fn check(&self) -> Result<(), Error> {
        if self.entries.len() > 1 && self.get(DEFAULT_SERVING_SIGNATURE_DEF_KEY).is_none() {
            return Err(Error::NoDefaultExportOutput {
                names: self.entries.iter().map(|(n, _)| n.clone()).collect(),
            });
        }
        Ok(())
    }

    /// Applies TF's `serving_default` rules (`export_helpers.get_export_outputs`): none given →
    /// `serving_default` = `Predict(predictions)`; one given under another name → it is also stored
    /// as `serving_default`; several → one must be `serving_default`.
    pub fn resolve(&self, predictions: Option<&Predictions>) -> Result<ExportOutputs, Error> {
        self.check()?;
        let mut out = self.clone();
        match (self.entries.len(), predictions) {
            (0, Some(p)) => {
                out = out.with(
                    DEFAULT_SERVING_SIGNATURE_DEF_KEY,
                    ExportOutput::Predict(p.clone()),
                )
            }
            (1, _) if self.get(DEFAULT_SERVING_SIGNATURE_DEF_KEY).is_none() => {
                let only = self.entries[0].1.clone();
                out = out.with(DEFAULT_SERVING_SIGNATURE_DEF_KEY, only);
            }
            _ => {}
        }
        Ok(out)
    }
}
