//! `Estimator::evaluate_continuously`: TF's evaluator task. Watches `model_dir`, evaluates each
//! new checkpoint once, and stops at a final step or after a timeout.

use super::{Estimator, EvalArgs, EvalResults};
use crate::checkpoint;
use crate::error::Error;
use crate::input::InputItem;
use crate::model_fn::ModelFn;
use burn::module::Module;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options of [`Estimator::evaluate_continuously`] (TF's `continuous_eval` with
/// `checkpoints_iterator`'s `min_interval_secs` and `timeout`).
#[derive(Clone, Debug)]
pub struct ContinuousEvalArgs {
    /// Stop after evaluating a checkpoint at or past this global step (TF: `max_steps`).
    pub final_step: Option<u64>,
    /// Stop when no new checkpoint has appeared for this long (default: wait forever unless a
    /// final step is set, then 600 s).
    pub timeout: Option<Duration>,
    /// How often to look at `model_dir` (default 1 s).
    pub poll_interval: Duration,
    /// At most this many eval batches per checkpoint.
    pub steps: Option<u64>,
    /// A named evaluation (summaries under `eval_<name>`).
    pub name: Option<String>,
}

impl Default for ContinuousEvalArgs {
    fn default() -> Self {
        ContinuousEvalArgs {
            final_step: None,
            timeout: None,
            poll_interval: Duration::from_secs(1),
            steps: None,
            name: None,
        }
    }
}

impl ContinuousEvalArgs {
    /// Evaluates until a checkpoint at or past `step` has been evaluated.
    pub fn final_step(step: u64) -> Self {
        ContinuousEvalArgs {
            final_step: Some(step),
            timeout: Some(Duration::from_secs(600)),
            ..Self::default()
        }
    }

    /// Also stops when no new checkpoint appears for `timeout`.
    pub fn and_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Looks for new checkpoints every `interval`.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }
}

super::evaluate::steps_and_name_builders!(
    ContinuousEvalArgs,
    "At most `n` eval batches per checkpoint."
);

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// TF's evaluator task: watches `model_dir` and evaluates each new checkpoint once, on a
    /// fresh `input_fn()`, writing the `eval` summaries (as `evaluate` does). Returns every
    /// evaluation, oldest first, once a checkpoint at or past `args.final_step` is evaluated
    /// or no new checkpoint appeared for `args.timeout`.
    ///
    /// Run it in its own process beside training (single-process or distributed; it needs only
    /// to see `model_dir`, and must not itself be distributed). It looks at the latest
    /// checkpoint each time, so a slow evaluator skips intermediate ones, as TF's does; a
    /// checkpoint that the trainer deletes (`keep_checkpoint_max`) before it is read is skipped.
    ///
    /// ```no_run
    /// # use estimator_runtime::prelude::*;
    /// # use estimator_runtime::ContinuousEvalArgs;
    /// # fn demo<F: ModelFn<Features = Tensor<2>, Labels = Tensor<1, Int>>>(mut estimator: Estimator<F>, test: Vec<(Tensor<2>, Tensor<1, Int>)>) -> Result<(), Error>
    /// # where F::Model: Module, F::Params: 'static {
    /// let evals = estimator.evaluate_continuously(|| test.clone(), ContinuousEvalArgs::final_step(2000))?;
    /// println!("final: {}", evals.last().map(|r| r.summary()).unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn evaluate_continuously<I>(
        &mut self,
        mut input_fn: impl FnMut() -> I,
        args: ContinuousEvalArgs,
    ) -> Result<Vec<EvalResults>, Error>
    where
        I: IntoIterator,
        I::Item: InputItem<F::Features, F::Labels>,
    {
        let mut results: Vec<EvalResults> = Vec::new();
        let mut last_new = Instant::now();
        loop {
            let done_before = results.last().map(|r| r.global_step);
            if let Some(path) = newer_checkpoint(self.checkpointer.dir(), done_before)? {
                last_new = Instant::now();
                let eval = EvalArgs {
                    steps: args.steps,
                    name: args.name.clone(),
                    checkpoint_path: Some(path.clone()),
                    ..EvalArgs::default()
                };
                match self.evaluate(input_fn(), eval) {
                    Ok(r) => {
                        let finished = args.final_step.is_some_and(|f| r.global_step >= f);
                        results.push(r);
                        if finished {
                            return Ok(results);
                        }
                    }
                    Err(e) if vanished(&e) => {
                        tracing::info!("{} was deleted before it was read", path.display());
                    }
                    Err(e) => return Err(e),
                }
                continue;
            }
            if args.timeout.is_some_and(|t| last_new.elapsed() >= t) {
                tracing::info!(
                    "No new checkpoint in {} for {:?}; the evaluator stops",
                    self.checkpointer.dir().display(),
                    args.timeout.unwrap_or_default()
                );
                return Ok(results);
            }
            std::thread::sleep(args.poll_interval);
        }
    }
}

/// The latest checkpoint in `dir` if it is past `done` (the last step evaluated).
fn newer_checkpoint(dir: &Path, done: Option<u64>) -> Result<Option<PathBuf>, Error> {
    let Some(path) = checkpoint::latest(dir)? else {
        return Ok(None);
    };
    let step = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.rsplit('-').next())
        .and_then(|s| s.parse::<u64>().ok());
    match (step, done) {
        (Some(step), Some(done)) if step <= done => Ok(None),
        _ => Ok(Some(path)),
    }
}

/// Whether an evaluation failed because its checkpoint was deleted meanwhile.
fn vanished(e: &Error) -> bool {
    match e {
        Error::NoCheckpoint(_) => true,
        Error::Io { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
        _ => false,
    }
}
