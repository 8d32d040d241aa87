//! `Estimator::evaluate`: streaming metrics over an input.

use super::Estimator;
use crate::error::Error;
use crate::hooks::HookContext;
use crate::input::InputItem;
use crate::metrics::EvalMetricOps;
use crate::mode::ModeKeys;
use crate::model_fn::ModelFn;
use burn::module::Module;
use std::path::PathBuf;

/// Options of `evaluate` (TF's `steps`, `name`, `checkpoint_path`).
#[derive(Clone, Debug, Default)]
pub struct EvalArgs {
    /// Evaluate at most this many batches (default: the whole input).
    pub steps: Option<u64>,
    /// Keeps separate evaluations apart (TF writes them under `eval_<name>`).
    pub name: Option<String>,
    /// Evaluate this checkpoint (file or model_dir) instead of the resident model.
    pub checkpoint_path: Option<PathBuf>,
}

impl EvalArgs {
    /// At most `n` batches.
    pub fn steps(mut self, n: u64) -> Self {
        self.steps = Some(n);
        self
    }

    /// A named evaluation.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Evaluate a given checkpoint.
    pub fn checkpoint_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint_path = Some(path.into());
        self
    }
}

/// What `evaluate` returns: the mean loss, the global step, and every metric.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalResults {
    /// The evaluation's name, if any.
    pub name: Option<String>,
    /// Mean loss over all examples (each batch weighted by its size).
    pub loss: f64,
    /// The global step of the evaluated model.
    pub global_step: u64,
    /// Every metric, in the order the model_fn declared them.
    pub metrics: Vec<(String, f64)>,
    /// Batches evaluated.
    pub batches: u64,
}

impl EvalResults {
    /// The metric `name` (also `loss` and `global_step`).
    pub fn metric(&self, name: &str) -> Option<f64> {
        match name {
            "loss" => Some(self.loss),
            "global_step" => Some(self.global_step as f64),
            _ => self
                .metrics
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| *v),
        }
    }

    /// TF's summary line: `accuracy = 0.97, global_step = 1200, loss = 0.09` (sorted by name).
    pub fn summary(&self) -> String {
        let mut items: Vec<(String, String)> = self
            .metrics
            .iter()
            .map(|(n, v)| (n.clone(), format!("{v}")))
            .collect();
        items.push(("global_step".into(), self.global_step.to_string()));
        items.push(("loss".into(), format!("{}", self.loss)));
        items.sort();
        items
            .iter()
            .map(|(n, v)| format!("{n} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Evaluates on `input`: the mean loss, the global step and each `eval_metric_ops` metric,
    /// accumulated over every batch.
    pub fn evaluate<I>(&mut self, input: I, args: EvalArgs) -> Result<EvalResults, Error>
    where
        I: IntoIterator,
        I::Item: InputItem<F::Features, F::Labels>,
    {
        let (model, global_step) = match &args.checkpoint_path {
            Some(path) => self.model_from(path)?,
            None => (self.resident()?.clone(), self.global_step),
        };
        let model = model.valid();
        let (mut loss_sum, mut weight, mut batches) = (0.0, 0.0, 0u64);
        let mut metrics = EvalMetricOps::new();
        let mut hooks = Vec::new();
        for item in input.into_iter().take(
            args.steps
                .map_or(usize::MAX, |s| usize::try_from(s).unwrap_or(usize::MAX)),
        ) {
            let (features, labels) = item.into_batch()?;
            let spec =
                self.model_fn
                    .eval_spec(&model, features, labels, self.params()?, &self.config)?;
            let size = spec
                .predictions
                .as_ref()
                .and_then(|p| p.iter().next())
                .and_then(|(_, t)| t.dims().first().copied())
                .unwrap_or(1);
            let loss = spec.loss.into_scalar::<f64>();
            loss_sum += loss * size as f64;
            weight += size as f64;
            metrics.merge(spec.eval_metric_ops)?;
            if batches == 0 {
                hooks = spec.hooks;
                let ctx = HookContext::new(ModeKeys::Eval, global_step);
                for h in &mut hooks {
                    h.begin(&ctx)?;
                }
            }
            batches += 1;
            let mut ctx = HookContext::new(ModeKeys::Eval, batches);
            ctx.loss = Some(loss);
            for h in &mut hooks {
                h.after_step(&ctx)?;
            }
            if ctx.stop_requested() {
                break;
            }
        }
        let ctx = HookContext::new(ModeKeys::Eval, global_step);
        for h in &mut hooks {
            h.end(&ctx)?;
        }
        let results = EvalResults {
            name: args.name,
            loss: if weight > 0.0 { loss_sum / weight } else { 0.0 },
            global_step,
            metrics: metrics.results()?,
            batches,
        };
        tracing::info!(
            "Saving dict for global step {}: {}",
            global_step,
            results.summary()
        );
        let subdir = results
            .name
            .as_ref()
            .map_or_else(|| "eval".to_string(), |n| format!("eval_{n}"));
        let mut scalars: Vec<(&str, f64)> = results
            .metrics
            .iter()
            .map(|(n, v)| (n.as_str(), *v))
            .collect();
        scalars.push(("loss", results.loss));
        self.write_scalars(&subdir, &scalars, global_step)?;
        self.flush_summaries()?;
        self.latest_eval = Some(std::sync::Arc::new(results.clone()));
        Ok(results)
    }
}
