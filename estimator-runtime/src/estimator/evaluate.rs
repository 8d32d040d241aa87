//! `Estimator::evaluate`: streaming metrics over an input.

use super::Estimator;
use crate::error::Error;
use crate::hooks::{HookContext, HookSet};
use crate::input::InputItem;
use crate::metrics::EvalMetricOps;
use crate::mode::ModeKeys;
use crate::model_fn::ModelFn;
use crate::spec::EvalModeSpec;
use burn::module::Module;
use std::path::PathBuf;

/// Options of `evaluate` (TF's `steps`, `name`, `checkpoint_path`).
#[derive(Clone, Debug, Default)]
pub struct EvalArgs {
    /// Evaluate at most this many batches (default: the whole input; `EvalSpec` defaults to
    /// 100, as TF's).
    pub steps: Option<u64>,
    /// Keeps separate evaluations apart (TF writes them under `eval_<name>`).
    pub name: Option<String>,
    /// Evaluate this checkpoint (file or model_dir) instead of the resident model.
    pub checkpoint_path: Option<PathBuf>,
    /// In a distributed run, split the input across the replicas (see
    /// [`sharded`](Self::sharded)); `false` (the default): every replica evaluates all of it.
    pub sharded: bool,
}

/// `steps(n)` and `name(name)`: the builders of the options with `steps` and `name` fields
/// (`EvalArgs`, `ContinuousEvalArgs`).
macro_rules! steps_and_name_builders {
    ($args:ty, $steps_doc:literal) => {
        impl $args {
            #[doc = $steps_doc]
            pub fn steps(mut self, n: u64) -> Self {
                self.steps = Some(n);
                self
            }

            /// A named evaluation.
            pub fn name(mut self, name: impl Into<String>) -> Self {
                self.name = Some(name.into());
                self
            }
        }
    };
}
pub(super) use steps_and_name_builders;

steps_and_name_builders!(EvalArgs, "At most `n` batches.");

impl EvalArgs {
    /// In a distributed run (`RunConfig::distribute`), each replica evaluates every
    /// `num_replicas`-th batch of the input (batch `i` on replica `i % num_replicas`, the
    /// input's order: no batch dropped or repeated, whatever the count), and the loss sums and
    /// every metric's state ([`Metric::sums`](crate::metrics::Metric::sums): counts, sums, AUC
    /// histograms) are added across replicas with one all-reduce. The result equals one
    /// process evaluating the whole input: counts and accuracies exactly, means to float
    /// rounding. Every replica returns it; only the chief writes the eval summaries. Every
    /// replica must be given the same input. An error on any replica ends the job. Without a
    /// distribution it changes nothing.
    pub fn sharded(mut self) -> Self {
        self.sharded = true;
        self
    }

    /// Evaluate a given checkpoint.
    pub fn checkpoint_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint_path = Some(path.into());
        self
    }
}

/// What `evaluate` returns: the mean loss, the global step, and every metric.
///
/// `loss` is TF's: the plain mean of the per-batch losses, each batch counting once whatever
/// its size. When every batch's size is known (the EVAL spec returns predictions, whose first
/// dimension is the batch), `metrics` also holds `average_loss`, the mean over examples (each
/// batch's loss weighted by its size), as TF's canned heads report it; a model_fn's own
/// `average_loss` metric takes precedence.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalResults {
    /// The evaluation's name, if any.
    pub name: Option<String>,
    /// The mean of the per-batch losses (TF's `loss`; see `average_loss` in `metrics` for the
    /// mean over examples).
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

/// Running sums over the evaluated batches.
pub(super) struct EvalTotals {
    /// Sum of the per-batch losses (TF's `loss` is their mean).
    pub(super) loss_sum: f64,
    /// Sum of loss × batch size and of the sizes, while every batch's size is known.
    pub(super) weighted: Option<(f64, f64)>,
    pub(super) batches: u64,
    pub(super) metrics: EvalMetricOps,
}

impl Default for EvalTotals {
    fn default() -> Self {
        EvalTotals {
            loss_sum: 0.0,
            weighted: Some((0.0, 0.0)),
            batches: 0,
            metrics: EvalMetricOps::default(),
        }
    }
}

impl EvalTotals {
    /// Adds one batch: its loss and metric updates.
    fn add(&mut self, spec: EvalModeSpec) -> Result<f64, Error> {
        let size = spec
            .predictions
            .as_ref()
            .and_then(|p| p.iter().next())
            .and_then(|(_, t)| t.dims().first().copied());
        let loss = spec.loss.into_scalar::<f64>();
        self.loss_sum += loss;
        self.weighted = match (self.weighted, size) {
            (Some((sum, n)), Some(size)) => Some((sum + loss * size as f64, n + size as f64)),
            _ => None,
        };
        self.metrics.merge(spec.eval_metric_ops)?;
        self.batches += 1;
        Ok(loss)
    }

    pub(super) fn results(
        self,
        name: Option<String>,
        global_step: u64,
    ) -> Result<EvalResults, Error> {
        let mut metrics = self.metrics.results()?;
        if let Some((sum, n)) = self.weighted.filter(|&(_, n)| n > 0.0)
            && !metrics.iter().any(|(m, _)| m == AVERAGE_LOSS)
        {
            metrics.push((AVERAGE_LOSS.to_string(), sum / n));
        }
        if self.batches == 0 {
            return Err(Error::EmptyEvaluation);
        }
        Ok(EvalResults {
            name,
            loss: self.loss_sum / self.batches as f64,
            global_step,
            metrics,
            batches: self.batches,
        })
    }
}

/// The example-weighted mean loss's metric name (TF's canned heads).
const AVERAGE_LOSS: &str = "average_loss";

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Evaluates on `input`: the mean loss, the global step and each `eval_metric_ops` metric,
    /// accumulated over every batch.
    ///
    /// An input that yields no batch is [`Error::EmptyEvaluation`]. This deviates from TF,
    /// whose means divide with `div_no_nan` and report `loss = 0` (and zero metrics) for an
    /// empty evaluation, which is almost always an input bug.
    pub fn evaluate<I>(&mut self, input: I, args: EvalArgs) -> Result<EvalResults, Error>
    where
        I: IntoIterator,
        I::Item: InputItem<F::Features, F::Labels>,
    {
        let (model, global_step) = match &args.checkpoint_path {
            Some(path) => self.model_from(path)?,
            None => (self.resident()?.clone(), self.global_step),
        };
        let limit = args
            .steps
            .map_or(usize::MAX, |s| usize::try_from(s).unwrap_or(usize::MAX));
        let model = model.valid();
        let shard = self.eval_shard(&args);
        let (index, count) = shard.as_ref().map_or((0, 1), |s| (s.index, s.count));
        let mine = input
            .into_iter()
            .take(limit)
            .enumerate()
            .filter(move |(i, _)| i % count == index)
            .map(|(_, item)| item);
        let totals = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.eval_loop(&model, mine, global_step)
        }))
        .map_err(|panic| Error::from_panic(ModeKeys::Eval, panic))
        .and_then(|totals| totals);
        let results = match shard {
            None => totals?.results(args.name, global_step)?,
            // distribute: an error on any replica ends the job (the others would wait for it).
            Some(shard) => {
                let totals = self.replica().abort_on_error(totals)?;
                let results = shard.merge(totals, args.name, global_step);
                self.replica().abort_on_error(results)?
            }
        };
        tracing::info!(
            "Saving dict for global step {}: {}",
            global_step,
            results.summary()
        );
        self.write_eval_summaries(&results)?;
        self.record_eval(&results);
        Ok(results)
    }

    /// The model_fn on every batch, with the spec's evaluation hooks around it.
    fn eval_loop(
        &self,
        model: &F::Model,
        input: impl Iterator<Item = impl InputItem<F::Features, F::Labels>>,
        global_step: u64,
    ) -> Result<EvalTotals, Error> {
        let mut totals = EvalTotals::default();
        let mut hooks = HookSet::new(ModeKeys::Eval, Vec::new());
        for item in input {
            let mut ctx = HookContext::new(ModeKeys::Eval, global_step);
            ctx.batch = Some(totals.batches + 1);
            let first = totals.batches == 0;
            if !first {
                hooks.before_step_with(&ctx)?;
            }
            let (features, labels) = item.into_batch()?;
            let mut spec: EvalModeSpec = self.model_fn.mode_spec(
                model,
                features,
                Some(labels),
                self.params()?,
                &self.config,
            )?;
            hooks.add_spec_hooks(std::mem::take(&mut spec.hooks), global_step)?;
            if first {
                // The spec's hooks exist once the model_fn ran on the first batch.
                hooks.before_step_with(&ctx)?;
            }
            ctx.loss = Some(totals.add(spec)?);
            if hooks.after_step(&ctx)?.stop {
                break;
            }
        }
        hooks.end(global_step)?;
        Ok(totals)
    }

    /// The evaluation's scalars, in `eval` (or `eval_<name>`) under model_dir.
    fn write_eval_summaries(&mut self, results: &EvalResults) -> Result<(), Error> {
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
        self.write_scalars(&subdir, &scalars, results.global_step)?;
        self.flush_summaries()
    }
}
