//! `train_and_evaluate` (TF `training.py`) with its `TrainSpec` and `EvalSpec`: train, evaluate
//! at a cadence, run exporters, and stop at `max_steps` or when early stopping says so.

use crate::config::secs_to_duration;
use crate::error::Error;
use crate::estimator::{BetweenSteps, Estimator, EvalArgs, EvalResults, TrainArgs};
use crate::export::Exporter;
use crate::hooks::{CheckpointSaverListener, EarlyStopping, Hook};
use crate::input::InputItem;
use crate::model_fn::ModelFn;
use crate::summary::read_scalars;
use burn::module::Module;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Batches an `EvalSpec` evaluates by default (TF's `EvalSpec(steps=100)`).
const DEFAULT_EVAL_STEPS: u64 = 100;

/// What and how long to train (TF `TrainSpec`).
pub struct TrainSpec<I> {
    input: I,
    max_steps: Option<u64>,
    hooks: Vec<Box<dyn Hook>>,
    listeners: Vec<Box<dyn CheckpointSaverListener>>,
}

impl<I> TrainSpec<I> {
    /// Trains on `input` (consumed as one stream across evaluations) until `max_steps`.
    pub fn new(input: I, max_steps: Option<u64>) -> Self {
        TrainSpec {
            input,
            max_steps,
            hooks: Vec::new(),
            listeners: Vec::new(),
        }
    }

    /// Adds a training hook (an early-stopping hook, say).
    pub fn hook(mut self, hook: impl Hook + 'static) -> Self {
        self.hooks.push(Box::new(hook));
        self
    }

    /// Adds a checkpoint-saving listener (TF `TrainSpec(saving_listeners=...)`): it runs around
    /// every checkpoint of the training run; an evaluation follows the listener's `after_save`.
    pub fn saving_listener(mut self, listener: impl CheckpointSaverListener + 'static) -> Self {
        self.listeners.push(Box::new(listener));
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

    /// In a distributed run, splits each evaluation's input across the replicas and merges
    /// their metrics exactly ([`EvalArgs::sharded`]); by default every replica evaluates all of
    /// it.
    pub fn sharded(mut self) -> Self {
        self.args = self.args.sharded();
        self
    }

    /// Evaluates at every multiple of `n` training steps, after a checkpoint there (replaces
    /// the seconds cadence). Multiples, not `n` steps after the start: a run restarted after a
    /// kill evaluates at the steps the uninterrupted run did.
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

/// Trains and evaluates, as TF's `tf.estimator.train_and_evaluate` in local mode.
///
/// Training is one [`Estimator::train`] call, so its hooks see one run (`begin` once, `end`
/// once) and the train input is one stream whose position every checkpoint records. An
/// evaluation runs between two steps of that call, right after a checkpoint, as TF's executor
/// evaluates from a checkpoint listener: with `throttle_steps(n)` a checkpoint is saved and
/// evaluated at every multiple of `n`; with `throttle_secs` the first checkpoint after
/// `throttle_secs` seconds is. The final checkpoint is evaluated too. Training hooks are not
/// called during an evaluation; their next `after_step` sees it in
/// [`HookContext::latest_eval`](crate::hooks::HookContext::latest_eval) and
/// [`HookContext::evaluations`](crate::hooks::HookContext::evaluations).
///
/// **Resume.** Killed and started again with the same arguments, it goes on from the latest
/// checkpoint: the train input skips what that checkpoint had consumed, the evaluation history
/// is read back from the eval event files (as TF's early stopping and `BestExporter` read it),
/// and an evaluation that the kill interrupted is run first. With a deterministic train input
/// (the same batches in the same order on every run), a random seed in `RunConfig`, and an
/// eval input that yields the same batches each time, the restarted run makes the same
/// evaluations at the same steps, the same exports, and stops early at the same step as an
/// uninterrupted run. With a shuffling input that is not seeded, it still resumes at the right
/// step and position, but sees other batches than the uninterrupted run would have.
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
    // One closure, so that every `?` below reaches `abort_on_error`.
    let result = (|| {
        secs_to_duration("throttle_secs", eval_spec.throttle_secs)?;
        let mut evals = Evaluations::new(eval_spec);
        // distribute: the chief's history decides; every rank learns whether it already stopped.
        let history_stops = evals.restore(estimator)?;
        if estimator.replica().any_stop(history_stops) {
            evals.out.stopped_early = true;
            return Ok(evals.out);
        }
        // A restart right after the checkpoint of an evaluation the killed run did not finish.
        let missing = evals.missing_at(estimator);
        if estimator.replica().any_stop(missing) && evals.evaluate(estimator)? {
            return Ok(evals.out);
        }
        let mut args = TrainArgs::default();
        if let Some(max_steps) = train_spec.max_steps {
            args = args.and_max_steps(max_steps);
        }
        let args = train_spec
            .hooks
            .into_iter()
            .fold(args, TrainArgs::boxed_hook);
        let args = train_spec
            .listeners
            .into_iter()
            .fold(args, TrainArgs::boxed_listener);
        let summary = estimator.train_between(train_spec.input, args, &mut evals)?;
        evals.out.stopped_early |= summary.stopped_by_hook;
        // TF evaluates the final checkpoint too, unless it was just evaluated (the chief decides:
        // after a restart only it knows the history read from disk).
        let unevaluated = estimator.is_chief() && evals.last_step != Some(estimator.global_step());
        if estimator.replica().any_stop(unevaluated) {
            evals.evaluate(estimator)?;
        }
        Ok(evals.out)
    })();
    // distribute: an error on any rank (an eval or export on the chief, say) ends the whole job.
    estimator.replica().abort_on_error(result)
}

/// A model_fn whose model `train_and_evaluate` evaluates and saves.
trait EvaluatedModelFn: ModelFn<Model: Module, Params: 'static> {}
impl<F: ModelFn<Model: Module, Params: 'static>> EvaluatedModelFn for F {}

/// An eval input of `F`'s batches.
trait EvalBatches<F: ModelFn>: IntoIterator<Item: InputItem<F::Features, F::Labels>> {}
impl<F: ModelFn, J: IntoIterator<Item: InputItem<F::Features, F::Labels>>> EvalBatches<F> for J {}

/// `train_and_evaluate`'s evaluations: when they are due, what they found, and what the
/// exporters and the early-stopping policy made of them.
struct Evaluations<J, F: ModelFn>
where
    F::Model: Module,
{
    spec: EvalSpec<J, F>,
    out: TrainAndEvaluateResult,
    /// The global step of the latest evaluation, this call's or one read back from disk.
    last_step: Option<u64>,
    last_time: Instant,
}

impl<J: EvalBatches<F>, F: EvaluatedModelFn> Evaluations<J, F> {
    fn new(spec: EvalSpec<J, F>) -> Self {
        Evaluations {
            spec,
            out: TrainAndEvaluateResult {
                last_eval: None,
                evals: Vec::new(),
                exports: Vec::new(),
                stopped_early: false,
            },
            last_step: None,
            last_time: Instant::now(),
        }
    }

    /// Reads back the evaluations an earlier (killed) run recorded up to the restored global
    /// step, and replays them into the early-stopping policy, the exporters and the hooks' history,
    /// as TF's `stop_if_no_decrease_hook` and `BestExporter` read the eval event files. Returns
    /// whether that history already says stop.
    fn restore(&mut self, estimator: &mut Estimator<F>) -> Result<bool, Error> {
        // distribute: model_dir is the chief's.
        if !estimator.is_chief() {
            return Ok(false);
        }
        let history = eval_history(estimator, self.spec.args.name.as_deref())?;
        let mut stop = false;
        for results in &history {
            if let Some(policy) = &mut self.spec.early_stopping {
                stop = policy.observe_eval(results)?;
            }
        }
        for exporter in &mut self.spec.exporters {
            exporter.restore(&history);
        }
        self.last_step = history.last().map(|r| r.global_step);
        estimator.set_eval_history(history);
        Ok(stop)
    }

    /// Whether an evaluation is due at the restored global step and none is on disk.
    fn missing_at(&self, estimator: &Estimator<F>) -> bool {
        // distribute: only the chief read the history; it decides for every rank.
        let step = estimator.global_step();
        estimator.is_chief() && step > 0 && self.forces_save(step) && self.last_step != Some(step)
    }

    /// Evaluates the resident model, runs the exporters and the policy; `true` stops training.
    fn evaluate(&mut self, estimator: &mut Estimator<F>) -> Result<bool, Error> {
        let results = estimator.evaluate((self.spec.input_fn)(), self.spec.args.clone())?;
        self.last_step = Some(results.global_step);
        self.last_time = Instant::now();
        let exports = run_exporters(estimator, &mut self.spec.exporters, &results)?;
        self.out.exports.extend(exports);
        let policy_stop = match &mut self.spec.early_stopping {
            Some(p) => p.observe_eval(&results)?,
            None => false,
        };
        // distribute: an early stop on any rank stops them all.
        let policy_stop = estimator.replica().any_stop(policy_stop);
        self.out.evals.push(results.clone());
        self.out.last_eval = Some(results);
        self.out.stopped_early |= policy_stop;
        Ok(policy_stop)
    }
}

impl<J: EvalBatches<F>, F: EvaluatedModelFn> BetweenSteps<F> for Evaluations<J, F> {
    /// With `throttle_steps(n)`, every multiple of `n` is evaluated (after a checkpoint there),
    /// whatever step a call starts from: a restarted run evaluates where the killed one did.
    fn forces_save(&self, global_step: u64) -> bool {
        self.spec
            .throttle_steps
            .is_some_and(|n| global_step.is_multiple_of(n))
    }

    /// With `throttle_secs`, as TF: after a checkpoint, once `throttle_secs` have passed since
    /// the last evaluation.
    fn wants_eval(&self, global_step: u64) -> bool {
        match self.spec.throttle_steps {
            Some(_) => self.forces_save(global_step),
            None => self.last_time.elapsed().as_secs_f64() >= self.spec.throttle_secs,
        }
    }

    fn evaluate(&mut self, estimator: &mut Estimator<F>) -> Result<bool, Error> {
        Evaluations::evaluate(self, estimator)
    }
}

/// The evaluations recorded in model_dir's `eval` (or `eval_<name>`) event files, up to the
/// Estimator's global step, oldest first; their values are the f32 the files hold.
fn eval_history<F: ModelFn>(
    estimator: &Estimator<F>,
    name: Option<&str>,
) -> Result<Vec<EvalResults>, Error>
where
    F::Model: Module,
    F::Params: 'static,
{
    let subdir = name.map_or_else(|| "eval".to_string(), |n| format!("eval_{n}"));
    let scalars = read_scalars(&estimator.model_dir().join(subdir))?;
    let upto = estimator.global_step();
    Ok(scalars
        .into_iter()
        .take_while(|(step, _)| *step <= upto)
        .filter_map(|(global_step, mut metrics)| {
            let loss = metrics.remove("loss")?;
            Some(EvalResults {
                name: name.map(str::to_string),
                loss,
                global_step,
                metrics: metrics.into_iter().collect(),
                batches: 0,
            })
        })
        .collect())
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
