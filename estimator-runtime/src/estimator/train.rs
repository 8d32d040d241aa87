//! `Estimator::train`: the training loop. Hooks before the step, the step, hooks after it; the
//! built-in behaviours (summaries, logging, checkpoint cadence, the NaN check) are hooks too.

use super::losses::PendingLosses;
use super::{Estimator, TrainArgs, TrainSummary, step_seed};
use crate::checkpoint::Checkpointer;
use crate::distribute::StepAgreement;
use crate::error::Error;
use crate::hooks::{CheckpointSaverListener, HookContext, HookSet};
use crate::input::InputItem;
use crate::mode::ModeKeys;
use crate::model_fn::ModelFn;
use crate::scaffold::WarmStart;
use crate::summary::RecordedSummaries;
use crate::train_op::TrainOp;
use burn::module::Module;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

mod start;

/// What `train_and_evaluate` does between the steps of its one train call: it evaluates (and
/// exports) the checkpoint just saved, as TF's executor does from a `CheckpointSaverListener`,
/// so that hooks see one run and the input keeps one position.
pub(crate) trait BetweenSteps<F: ModelFn>
where
    F::Model: Module,
{
    /// Whether to save a checkpoint after `global_step` whatever the cadence says, because an
    /// evaluation is due there.
    fn forces_save(&self, global_step: u64) -> bool;
    /// Whether to evaluate the checkpoint just saved at `global_step`.
    fn wants_eval(&self, global_step: u64) -> bool;
    /// Evaluates the Estimator's resident model (the one just saved); `true` stops training.
    fn evaluate(&mut self, estimator: &mut Estimator<F>) -> Result<bool, Error>;
}

/// State of one train call.
struct TrainRun<'a, F: ModelFn>
where
    F::Model: Module,
{
    hooks: HookSet,
    listeners: Vec<Box<dyn CheckpointSaverListener>>,
    limits: Limits,
    /// Batches of this call's input consumed so far (saved for a resume).
    position: u64,
    steps: u64,
    /// The losses not read back yet (and the NaN check on them).
    losses: PendingLosses,
    last_loss: Option<f64>,
    exhausted: bool,
    stopped: bool,
    /// Past the deadline (distribute: on some rank; all ranks leave together).
    past_deadline: bool,
    /// Whether a spec's Scaffold warm start may still apply (a fresh run, before its first step).
    scaffold_pending: bool,
    /// The summaries the model_fn recorded for this step (its last batch), still on the device.
    summaries: RecordedSummaries,
    /// `train_and_evaluate`'s evaluations, run after the checkpoints they need.
    between: Option<&'a mut dyn BetweenSteps<F>>,
}

/// Where a call ends: a global step and a wall-clock deadline.
pub(super) struct Limits {
    pub(super) target: Option<u64>,
    pub(super) deadline: Option<Instant>,
}

impl Limits {
    fn reached(&self, global_step: u64) -> bool {
        self.target.is_some_and(|t| global_step >= t)
    }

    fn timed_out(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

/// What one batch gave: when it ended an optimizer step, the learning rate; or the spec's warm
/// start, which spends the batch on initialisation. (Its loss waits in `TrainRun::losses`.)
enum Batch {
    Trained(Option<f64>),
    WarmStarted,
}

/// What the model_fn gave for one batch.
type BatchSpec = (TrainOp, Option<(WarmStart, Renames)>);

/// Warm start renames: parameter path → path in the checkpoint.
type Renames = std::collections::BTreeMap<String, String>;

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Trains on `input` (any `IntoIterator` of `(features, labels)` batches, or of `Result`s of
    /// them, such as a burn `DataLoader`'s `iter()`), until `args`' step limit or the input's end.
    ///
    /// Resumes where the last checkpoint in `model_dir` left off, including the position in the
    /// input of a call that was interrupted, and saves a checkpoint at the end.
    pub fn train<I>(&mut self, input: I, args: TrainArgs) -> Result<TrainSummary, Error>
    where
        I: IntoIterator,
        I::Item: InputItem<F::Features, F::Labels>,
    {
        let result = self.train_call(input, args, None);
        // distribute: an error on any rank ends the whole job (no rank can go on alone).
        self.replica().abort_on_error(result)
    }

    /// One train call with `train_and_evaluate`'s evaluations between its steps.
    pub(crate) fn train_between<I>(
        &mut self,
        input: I,
        args: TrainArgs,
        between: &mut dyn BetweenSteps<F>,
    ) -> Result<TrainSummary, Error>
    where
        I: IntoIterator,
        I::Item: InputItem<F::Features, F::Labels>,
    {
        let result = self.train_call(input, args, Some(between));
        self.replica().abort_on_error(result)
    }

    fn train_call<I>(
        &mut self,
        input: I,
        args: TrainArgs,
        between: Option<&mut dyn BetweenSteps<F>>,
    ) -> Result<TrainSummary, Error>
    where
        I: IntoIterator,
        I::Item: InputItem<F::Features, F::Labels>,
    {
        let started = Instant::now();
        // Refuse bad arguments before any side effect; the target is computed again below,
        // since taking the lock may restore a newer checkpoint (another global step).
        args.target(self.global_step)?;
        let deadline = args.deadline(started)?;
        self.lock_model_dir()?;
        let target = args.target(self.global_step)?;
        if target.is_some_and(|t| self.global_step >= t) {
            tracing::info!("Skipping training since max_steps has already saved.");
            return Ok(TrainSummary::skipped(self.global_step));
        }
        let skip = self.resume_skip()?;
        if self.global_step > 0 {
            self.session_log_start()?;
        }
        // The model to go back to if the call fails, with buffers of its own (see
        // `unshared_clone`).
        let before = crate::record::unshared_clone(self.resident()?);
        let start_step = self.global_step;
        let model = self.take_model()?.fork(&self.device.clone().autodiff());
        let mut run = self.start_run(args, Limits { target, deadline }, skip, between);
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let input = input
                .into_iter()
                .skip(usize::try_from(skip).unwrap_or(usize::MAX));
            let (model, result) = self.train_loop(model.train(), input, &mut run);
            let finished = result.and_then(|()| self.finish(&model, &mut run));
            (model, finished)
        }));
        self.optimizers.drop_pending();
        match outcome {
            Ok((model, Ok(()))) => self.model = Some(model),
            Ok((_, Err(e))) => {
                self.recover(before, start_step);
                return Err(e);
            }
            Err(panic) => {
                self.recover(before, start_step);
                return Err(Error::from_panic(ModeKeys::Train, panic));
            }
        }
        let last = run.last_loss.map_or("n/a".into(), |l| format!("{l}"));
        tracing::info!("Loss for final step: {last}.");
        Ok(run.summary(self.global_step, started.elapsed().as_secs_f64()))
    }

    /// Steps until a limit, the input's end or a stop request. The model comes back on every
    /// path, errors included.
    fn train_loop(
        &mut self,
        mut model: F::Model,
        mut input: impl Iterator<Item = impl InputItem<F::Features, F::Labels>>,
        run: &mut TrainRun<'_, F>,
    ) -> (F::Model, Result<(), Error>) {
        if let Err(e) = run.hooks.begin(self.global_step) {
            return (model, Err(e));
        }
        while !run.stopped && !run.limits.reached(self.global_step) {
            let result;
            (model, result) = self.one_step(model, &mut input, run);
            if result.is_err() || run.exhausted || run.past_deadline {
                return (model, result);
            }
        }
        (model, Ok(()))
    }

    /// One optimizer step: `gradient_accumulation_steps` batches, then the update.
    fn one_step<It>(
        &mut self,
        mut model: F::Model,
        iter: &mut It,
        run: &mut TrainRun<'_, F>,
    ) -> (F::Model, Result<(), Error>)
    where
        It: Iterator,
        It::Item: InputItem<F::Features, F::Labels>,
    {
        let accumulate = self.config.gradient_accumulation_steps.max(1);
        let mut lr = None;
        for micro in 0..accumulate {
            let next = iter.next();
            // distribute: a step runs only if every rank has a batch; exhaustion ends all together.
            let has_batch = self.replica().all_have_batch(next.is_some());
            let Some(item) = next.filter(|_| has_batch) else {
                run.exhausted = true;
                return (model, Ok(()));
            };
            run.position += 1;
            let batch;
            (model, batch) = self.train_batch(model, item, run, micro + 1 == accumulate);
            match batch {
                Ok(Batch::Trained(rate)) => lr = lr.or(rate),
                Ok(Batch::WarmStarted) => return (model, Ok(())),
                Err(e) => return (model, Err(e)),
            }
        }
        self.global_step = match self.global_step.checked_add(1) {
            Some(step) => step,
            None => {
                return (
                    model,
                    Err(Error::Config("the global step overflowed".into())),
                );
            }
        };
        run.steps += 1;
        let result = self.after_step(&model, run, lr);
        (model, result)
    }

    /// One batch: the model_fn, then the backward pass (plus the update when `apply`).
    fn train_batch(
        &mut self,
        model: F::Model,
        item: impl InputItem<F::Features, F::Labels>,
        run: &mut TrainRun<'_, F>,
        apply: bool,
    ) -> (F::Model, Result<Batch, Error>) {
        let (mut train_op, warm) = match self.batch_spec(&model, item, run, apply) {
            Ok(spec) => spec,
            Err(e) => return (model, Err(e)),
        };
        if let Some((ws, renames)) = warm {
            // The model_fn ran on the model as it was; warm-start it and spend this batch on
            // initialisation (no update, no step), as TF initialises before the first step.
            return match Checkpointer::warm_start(&model, &ws, &renames) {
                Ok(model) => (model, Ok(Batch::WarmStarted)),
                Err(e) => (model, Err(e)),
            };
        }
        if let Err(e) = self.optimizers.prepare(&mut train_op, self.global_step) {
            return (model, Err(e));
        }
        let accumulate = self.config.gradient_accumulation_steps;
        if accumulate > 1 {
            // The mean of the n batches' gradients: n batches of b examples with a mean loss
            // give one batch of n·b's update (Keras's and Lightning's rule).
            train_op.scale_objectives(1.0 / accumulate as f64);
        }
        let (model, lr) = self.optimizers.apply(model, train_op, apply);
        (model, Ok(Batch::Trained(apply.then_some(lr))))
    }

    /// Runs the hooks' `before_step` (on a step's last batch) and the model_fn on one batch;
    /// keeps the loss for a later read (or checks it now, in every-step mode); returns the
    /// train op and a warm start still to apply.
    fn batch_spec(
        &mut self,
        model: &F::Model,
        item: impl InputItem<F::Features, F::Labels>,
        run: &mut TrainRun<'_, F>,
        apply: bool,
    ) -> Result<BatchSpec, Error> {
        let (features, labels) = item.into_batch()?;
        let seed = self
            .config
            .random_seed
            .map(|s| step_seed(s, self.global_step));
        // The step's draws (dropout) follow its seed with no other seeded Estimator of the
        // process drawing in between.
        let (spec, summaries) = crate::seeding::seeded(&self.device, seed, || {
            if apply {
                run.hooks.before_step(self.global_step)?;
            }
            let params = self.params()?;
            Ok::<_, Error>(crate::summary::recording(|| {
                self.model_fn
                    .train_spec(model, features, labels, params, &self.config)
            }))
        })?;
        let spec = spec?;
        run.summaries = summaries;
        run.hooks.add_spec_hooks(spec.hooks, self.global_step)?;
        let fresh = self.global_step == 0 && std::mem::take(&mut run.scaffold_pending);
        let scaffold = &spec.scaffold;
        let warm = fresh
            .then(|| scaffold.warm_start().cloned())
            .flatten()
            .map(|ws| (ws, scaffold.prev_var_names().clone()));
        if warm.is_none() {
            run.losses.push(self.global_step, spec.loss)?;
        }
        Ok((spec.train_op, warm))
    }

    /// The hooks' `after_step` (with the loss read back if one of them wants it), then what
    /// they decided, agreed across replicas in a distributed run: summaries and a checkpoint.
    fn after_step(
        &mut self,
        model: &F::Model,
        run: &mut TrainRun<'_, F>,
        lr: Option<f64>,
    ) -> Result<(), Error> {
        let mut ctx = HookContext::new(ModeKeys::Train, self.global_step);
        // distribute: every step reads the loss, so that all replicas agree on its mean.
        if run.hooks.wants_loss(self.global_step) || self.config.distribute.is_some() {
            ctx.loss = self.read_loss(run)?;
            run.last_loss = ctx.loss;
        }
        ctx.learning_rate = lr;
        ctx.latest_eval = self.latest_eval.clone();
        ctx.eval_history = self.eval_history.clone();
        let effects = run.hooks.after_step(&ctx)?;
        let step = self.global_step;
        let forced = run.between.as_ref().is_some_and(|b| b.forces_save(step));
        // distribute: one small all-reduce agrees a stop, the deadline and a save.
        let agreed = self.replica().agree_after_step(StepAgreement {
            stop: effects.stop,
            past_deadline: run.limits.timed_out(),
            save: effects.save || forced,
        });
        (run.stopped, run.past_deadline) = (agreed.stop, agreed.past_deadline);
        if !effects.scalars.is_empty() {
            self.write_scalars("", &effects.scalars, self.global_step)?;
        }
        let summaries = std::mem::take(&mut run.summaries);
        if effects.summaries && !summaries.is_empty() {
            self.write_recorded("", summaries)?;
        }
        if agreed.save {
            // No checkpoint of a state that a non-finite loss led to.
            run.last_loss = self.read_loss(run)?;
            self.save_with_listeners(model, run.position, run)?;
            if let Some(between) = run.between.as_deref_mut() {
                run.stopped |= self.evaluate_between(model, between)?;
            }
            // distribute: a listener's stop on any rank stops every rank.
            run.stopped = self.replica().any_stop(run.stopped);
        }
        Ok(())
    }

    /// `train_and_evaluate`'s evaluation of the checkpoint just saved, when one is due: the
    /// training model becomes the resident one while it runs. Returns whether to stop.
    fn evaluate_between(
        &mut self,
        model: &F::Model,
        between: &mut dyn BetweenSteps<F>,
    ) -> Result<bool, Error> {
        // distribute: a time-based cadence may differ between ranks; any rank's turn is all's.
        let due = between.wants_eval(self.global_step);
        if !self.replica().any_stop(due) {
            return Ok(false);
        }
        self.model = Some(model.valid());
        let stop = between.evaluate(self);
        // The training loop holds the weights again; nothing keeps an inference copy of them.
        self.take_model()?;
        stop
    }

    /// Reads the pending losses back and checks them; returns the latest step's loss, in a
    /// distributed run its mean over the replicas (what logs, summaries and hooks see).
    fn read_loss(&self, run: &mut TrainRun<'_, F>) -> Result<Option<f64>, Error> {
        let loss = run.losses.read()?;
        Ok(loss.map(|l| self.replica().mean_loss(l)))
    }

    fn save_with_listeners(
        &mut self,
        model: &F::Model,
        position: u64,
        run: &mut TrainRun<'_, F>,
    ) -> Result<(), Error> {
        for l in &mut run.listeners {
            l.before_save(self.global_step)?;
        }
        let path = self.save(model, position)?;
        // Events reach the disk at every checkpoint: TensorBoard shows what was saved.
        self.flush_summaries()?;
        for l in &mut run.listeners {
            run.stopped |= l.after_save(self.global_step, &path)?;
        }
        Ok(())
    }

    /// Ends a call: hooks' `end`, and the final checkpoint (position 0: the call is complete).
    fn finish(&mut self, model: &F::Model, run: &mut TrainRun<'_, F>) -> Result<(), Error> {
        run.last_loss = self.read_loss(run)?;
        run.hooks.end(self.global_step)?;
        if run.steps > 0 {
            self.save_with_listeners(model, 0, run)?;
        }
        self.flush_summaries()
    }
}

impl<F: ModelFn> TrainRun<'_, F>
where
    F::Model: Module,
{
    fn summary(self, global_step: u64, seconds: f64) -> TrainSummary {
        TrainSummary {
            global_step,
            steps: self.steps,
            last_loss: self.last_loss,
            seconds,
            input_exhausted: self.exhausted,
            stopped_by_hook: self.stopped,
        }
    }
}
