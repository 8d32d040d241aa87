//! `train_and_evaluate` (TF `training.py`) with its `TrainSpec` and `EvalSpec`: train, evaluate
//! at a cadence, run exporters, and stop at `max_steps` or when early stopping says so.

use crate::config::secs_to_duration;
use crate::error::Error;
use crate::estimator::{Estimator, EvalArgs, EvalResults, TrainArgs};
use crate::export::Exporter;
use crate::hooks::{EarlyStopping, Hook};
use crate::input::InputItem;
use crate::model_fn::ModelFn;
use burn::module::Module;
use std::path::{Path, PathBuf};

/// Batches an `EvalSpec` evaluates by default (TF's `EvalSpec(steps=100)`).
const DEFAULT_EVAL_STEPS: u64 = 100;

/// What and how long to train (TF `TrainSpec`).
pub struct TrainSpec<I> {
    input: I,
    max_steps: Option<u64>,
    hooks: Vec<Box<dyn Hook>>,
}

impl<I> TrainSpec<I> {
    /// Trains on `input` (consumed as one stream across evaluations) until `max_steps`.
    pub fn new(input: I, max_steps: Option<u64>) -> Self {
        TrainSpec {
            input,
            max_steps,
            hooks: Vec::new(),
        }
    }

    /// Adds a training hook (an early-stopping hook, say).
    pub fn hook(mut self, hook: impl Hook + 'static) -> Self {
        self.hooks.push(Box::new(hook));
        self
    }
}

/// When and how to evaluate (TF `EvalSpec`).
pub struct EvalSpec<J, F: ModelFn>
where
    F::Model: Module,
{
    input_fn: Box<dyn FnMut() -> J>,
    /// `steps` and `name` of each evaluation.
    args: EvalArgs,
    throttle_steps: Option<u64>,
    throttle_secs: f64,
    exporters: Vec<Box<dyn Exporter<F>>>,
    early_stopping: Option<EarlyStopping>,
}

impl<J, F: ModelFn> EvalSpec<J, F>
where
    F::Model: Module,
{
    /// Evaluates on a fresh `input_fn()` each time; by default every 600 s and on 100
    /// batches, as TF.
    pub fn new(input_fn: impl FnMut() -> J + 'static) -> Self {
        EvalSpec {
            input_fn: Box::new(input_fn),
            args: EvalArgs::default().steps(DEFAULT_EVAL_STEPS),
            throttle_steps: None,
            throttle_secs: 600.0,
            exporters: Vec::new(),
            early_stopping: None,
        }
    }

    /// At most `n` eval batches (default 100, as TF's `EvalSpec`).
    pub fn steps(mut self, n: u64) -> Self {
        self.args = self.args.steps(n);
        self
    }

    /// Evaluates the whole input each time (TF's `steps=None`).
    pub fn whole_input(mut self) -> Self {
        self.args.steps = None;
        self
    }

    /// A named evaluation.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.args = self.args.name(name);
        self
    }

    /// Evaluates every `n` training steps (replaces the seconds cadence).
    pub fn throttle_steps(mut self, n: u64) -> Self {
        self.throttle_steps = Some(n.max(1));
        self
    }

    /// Evaluates at most every `secs` seconds (TF `throttle_secs`).
    pub fn throttle_secs(mut self, secs: f64) -> Self {
        self.throttle_secs = secs;
        self.throttle_steps = None;
        self
    }

    /// Adds an exporter, run after each evaluation.
    pub fn exporter(mut self, exporter: impl Exporter<F> + 'static) -> Self {
        self.exporters.push(Box::new(exporter));
        self
    }

    /// Stops training when `policy` says so after an evaluation.
    pub fn early_stopping(mut self, policy: EarlyStopping) -> Self {
        self.early_stopping = Some(policy);
        self
    }
}

/// What `train_and_evaluate` did.
#[derive(Clone, Debug)]
pub struct TrainAndEvaluateResult {
    /// The last evaluation.
    pub last_eval: Option<EvalResults>,
    /// Every evaluation, in order.
    pub evals: Vec<EvalResults>,
    /// Directories written by exporters.
    pub exports: Vec<PathBuf>,
    /// Whether early stopping (a hook or the EvalSpec's policy) ended training.
    pub stopped_early: bool,
}

/// Trains and evaluates alternately, as TF's `tf.estimator.train_and_evaluate` in local mode.
pub fn train_and_evaluate<F, I, J>(
    estimator: &mut Estimator<F>,
    train_spec: TrainSpec<I>,
    eval_spec: EvalSpec<J, F>,
) -> Result<TrainAndEvaluateResult, Error>
where
    F: ModelFn,
    F::Model: Module,
    F::Params: 'static,
    I: IntoIterator,
    I::Item: InputItem<F::Features, F::Labels>,
    J: IntoIterator,
    J::Item: InputItem<F::Features, F::Labels>,
{
    let result = train_and_evaluate_locally(estimator, train_spec, eval_spec);
    // distribute: an error on any rank (an eval or export on the chief, say) ends the whole job.
    estimator.replica().abort_on_error(result)
}

fn train_and_evaluate_locally<F, I, J>(
    estimator: &mut Estimator<F>,
    train_spec: TrainSpec<I>,
    eval_spec: EvalSpec<J, F>,
) -> Result<TrainAndEvaluateResult, Error>
where
    F: ModelFn,
    F::Model: Module,
    F::Params: 'static,
    I: IntoIterator,
    I::Item: InputItem<F::Features, F::Labels>,
    J: IntoIterator,
    J::Item: InputItem<F::Features, F::Labels>,
{
    let mut eval_spec = eval_spec;
    secs_to_duration("throttle_secs", eval_spec.throttle_secs)?;
    let mut stream = train_spec.input.into_iter();
    let mut hooks = train_spec.hooks;
    let mut out = TrainAndEvaluateResult {
        last_eval: None,
        evals: Vec::new(),
        exports: Vec::new(),
        stopped_early: false,
    };
    loop {
        let args = train_args(
            train_spec.max_steps,
            estimator.global_step(),
            &eval_spec,
            std::mem::take(&mut hooks),
        );
        let summary = estimator.train(stream.by_ref(), args)?;
        hooks = summary.returned_hooks;
        let results = estimator.evaluate((eval_spec.input_fn)(), eval_spec.args.clone())?;
        out.exports.extend(run_exporters(
            estimator,
            &mut eval_spec.exporters,
            &results,
        )?);
        let policy_stop = match &mut eval_spec.early_stopping {
            Some(p) => p.observe_eval(&results)?,
            None => false,
        };
        // distribute: an early stop on any rank stops them all.
        let policy_stop = estimator.replica().any_stop(policy_stop);
        out.evals.push(results.clone());
        out.last_eval = Some(results);
        if policy_stop || summary.stopped_by_hook {
            out.stopped_early = true;
            return Ok(out);
        }
        let at_max = train_spec
            .max_steps
            .is_some_and(|m| estimator.global_step() >= m);
        if at_max || summary.input_exhausted || summary.steps == 0 {
            return Ok(out);
        }
    }
}

/// One training leg: up to `max_steps`, and until the next evaluation is due.
fn train_args<J, F: ModelFn>(
    max_steps: Option<u64>,
    global_step: u64,
    eval_spec: &EvalSpec<J, F>,
    hooks: Vec<Box<dyn Hook>>,
) -> TrainArgs
where
    F::Model: Module,
{
    let leg_end = eval_spec
        .throttle_steps
        .map(|n| global_step.saturating_add(n));
    let target = match (max_steps, leg_end) {
        (Some(m), Some(e)) => Some(m.min(e)),
        (m, e) => m.or(e),
    };
    let mut args = TrainArgs::default();
    if let Some(target) = target {
        args = args.and_max_steps(target);
    }
    if eval_spec.throttle_steps.is_none() {
        args = args.and_max_secs(eval_spec.throttle_secs);
    }
    hooks.into_iter().fold(args, TrainArgs::boxed_hook)
}

/// Runs every exporter on an evaluation; returns the directories written.
fn run_exporters<F: ModelFn>(
    estimator: &Estimator<F>,
    exporters: &mut [Box<dyn Exporter<F>>],
    results: &EvalResults,
) -> Result<Vec<PathBuf>, Error>
where
    F::Model: Module,
    F::Params: 'static,
{
    let mut written = Vec::new();
    // distribute: exports are the chief's.
    if !estimator.is_chief() {
        return Ok(written);
    }
    for exporter in exporters {
        // `export/<name>` never through a planted symlink, and the name a plain one.
        let relative = Path::new("export").join(exporter.name());
        let dir = crate::confined::create_dir_inside(estimator.model_dir(), &relative)?;
        written.extend(exporter.export(estimator, &dir, results)?);
    }
    Ok(written)
}
