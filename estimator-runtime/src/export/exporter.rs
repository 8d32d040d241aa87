//! `Exporter`s: what `train_and_evaluate` keeps after each evaluation (TF `exporter.py`).

use crate::error::Error;
use crate::estimator::{Estimator, EvalResults};
use crate::metrics::Direction;
use crate::model_fn::ModelFn;
use burn::module::Module;
use std::path::{Path, PathBuf};

/// Picks what to keep after an evaluation (TF `Exporter`).
pub trait Exporter<F: ModelFn>
where
    F::Model: Module,
{
    /// The exporter's name; exports go under `model_dir/export/<name>`.
    fn name(&self) -> &str;

    /// Called after every evaluation; returns the export directory if it exported.
    fn export(
        &mut self,
        estimator: &Estimator<F>,
        export_base: &Path,
        results: &EvalResults,
    ) -> Result<Option<PathBuf>, Error>;

    /// Rebuilds what the exporter remembers from the evaluations an earlier run of
    /// `train_and_evaluate` recorded (read back from the eval event files after a restart), as
    /// TF's `BestExporter` reads them. The default remembers nothing.
    fn restore(&mut self, history: &[EvalResults]) {
        let _ = history;
    }
}

/// Exports when the evaluation is the best so far by a metric (TF `BestExporter`).
pub struct BestExporter<Feat> {
    name: String,
    metric: String,
    direction: Direction,
    best: Option<f64>,
    serving_features: Box<dyn Fn() -> Feat>,
}

impl<Feat> BestExporter<Feat> {
    /// Exports when `metric` reaches a new best; `serving_features` makes an example batch.
    pub fn new(
        name: impl Into<String>,
        metric: impl Into<String>,
        higher_is_better: bool,
        serving_features: impl Fn() -> Feat + 'static,
    ) -> Self {
        BestExporter {
            name: name.into(),
            metric: metric.into(),
            direction: Direction::from_higher_is_better(higher_is_better),
            best: None,
            serving_features: Box::new(serving_features),
        }
    }
}

impl<F: ModelFn> Exporter<F> for BestExporter<F::Features>
where
    F::Model: Module,
    F::Params: 'static,
    F::Features: 'static,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn export(
        &mut self,
        estimator: &Estimator<F>,
        export_base: &Path,
        results: &EvalResults,
    ) -> Result<Option<PathBuf>, Error> {
        let value = results.metric(&self.metric).ok_or_else(|| {
            Error::Config(format!(
                "BestExporter: the evaluation has no metric `{}`",
                self.metric
            ))
        })?;
        // As the f32 an eval event file holds: a restarted run compares against those.
        let value = f64::from(value as f32);
        if !self.direction.improves(value, self.best) {
            return Ok(None);
        }
        self.best = Some(value);
        estimator
            .export(export_base, (self.serving_features)())
            .map(Some)
    }

    fn restore(&mut self, history: &[EvalResults]) {
        for value in history.iter().filter_map(|r| r.metric(&self.metric)) {
            let value = f64::from(value as f32);
            if self.direction.improves(value, self.best) {
                self.best = Some(value);
            }
        }
    }
}
