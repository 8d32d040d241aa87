//! `Estimator::train`: the training loop.

use super::{Estimator, step_seed};
use crate::checkpoint::CheckpointPolicy;
use crate::distribute::StepAgreement;
use crate::error::Error;
use crate::hooks::{CheckpointSaverListener, Hook, HookContext};
use crate::input::InputItem;
use crate::mode::ModeKeys;
use crate::model_fn::ModelFn;
use burn::module::Module;
use std::time::Instant;

/// How long `train` runs (TF's `steps` / `max_steps`), and extra hooks.
#[derive(Default)]
pub struct TrainArgs {
    steps: Option<u64>,
    max_steps: Option<u64>,
    hooks: Vec<Box<dyn Hook>>,
    listeners: Vec<Box<dyn CheckpointSaverListener>>,
    max_secs: Option<f64>,
}

impl TrainArgs {
    /// Also limit to `n` more steps.
    pub fn and_steps(mut self, n: u64) -> Self {
        self.steps = Some(n);
        self
    }

    /// Also limit the global step to `n`.
    pub fn and_max_steps(mut self, n: u64) -> Self {
        self.max_steps = Some(n);
        self
    }

    /// Also stop after `secs` seconds of training (checked between steps).
    pub fn and_max_secs(mut self, secs: f64) -> Self {
        self.max_secs = Some(secs);
        self
    }

    pub(crate) fn boxed_hook(mut self, hook: Box<dyn Hook>) -> Self {
        self.hooks.push(hook);
        self
    }

    /// Train `n` more steps (or until the input ends).
    pub fn steps(n: u64) -> Self {
        TrainArgs {
            steps: Some(n),
            ..Self::default()
        }
    }

    /// Train until the global step reaches `n` (or the input ends); nothing if it already has.
    pub fn max_steps(n: u64) -> Self {
        TrainArgs {
            max_steps: Some(n),
            ..Self::default()
        }
    }

    /// Adds a hook for this call.
    pub fn hook(self, hook: impl Hook + 'static) -> Self {
        self.boxed_hook(Box::new(hook))
    }

    /// Adds a listener called around every checkpoint save (TF `saving_listeners`).
    pub fn saving_listener(mut self, listener: impl CheckpointSaverListener + 'static) -> Self {
        self.listeners.push(Box::new(listener));
        self
    }

    fn target(&self, global_step: u64) -> Option<u64> {
        match (self.steps, self.max_steps) {
            (Some(s), Some(m)) => Some((global_step + s).min(m)),
            (Some(s), None) => Some(global_step + s),
            (None, m) => m,
        }
    }
}

/// What a `train` call did.
pub struct TrainSummary {
    /// The global step at the end.
    pub global_step: u64,
    /// Steps taken in this call.
    pub steps: u64,
    /// The loss of the last step.
    pub last_loss: Option<f64>,
    /// Wall time of the call, in seconds.
    pub seconds: f64,
    /// Whether the input ran out.
    pub input_exhausted: bool,
    /// Whether a hook or a saving listener asked to stop.
    pub stopped_by_hook: bool,
    /// The call's hooks, handed back for the next call (train_and_evaluate).
    pub(crate) returned_hooks: Vec<Box<dyn Hook>>,
}

impl std::fmt::Debug for TrainSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainSummary")
            .field("global_step", &self.global_step)
            .field("steps", &self.steps)
            .field("last_loss", &self.last_loss)
            .field("seconds", &self.seconds)
            .field("input_exhausted", &self.input_exhausted)
            .field("stopped_by_hook", &self.stopped_by_hook)
            .finish()
    }
}

/// One batch's loss, and the learning rate when the batch ended an optimizer step.
type StepOutcome = (f64, Option<f64>);

/// State of one train call, threaded through the loop.
struct Run {
    hooks: Vec<Box<dyn Hook>>,
    /// How many of `hooks` came from the caller (the rest are the spec's).
    own_hooks: usize,
    listeners: Vec<Box<dyn CheckpointSaverListener>>,
    spec_hooks_taken: bool,
    position: u64,
    steps: u64,
    last_loss: Option<f64>,
    log_time: Instant,
    log_step: u64,
    policy: CheckpointPolicy,
    exhausted: bool,
    stop: bool,
    /// distribute: some rank is past `deadline` (all ranks leave together).
    past_deadline: bool,
    target: Option<u64>,
    deadline: Option<Instant>,
    progress: crate::progress::Progress,
    scaffold_seen: bool,
    warm_started: bool,
}

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
        let result = self.train_call(input, args);
        // distribute: an error on any rank ends the whole job (no rank can go on alone).
        self.replica().abort_on_error(result)
    }

    fn train_call<I>(&mut self, input: I, args: TrainArgs) -> Result<TrainSummary, Error>
    where
        I: IntoIterator,
        I::Item: InputItem<F::Features, F::Labels>,
    {
        let started = Instant::now();
        let target = args.target(self.global_step);
        if target.is_some_and(|t| self.global_step >= t) {
            tracing::info!("Skipping training since max_steps has already saved.");
            return Ok(TrainSummary {
                global_step: self.global_step,
                steps: 0,
                last_loss: None,
                seconds: 0.0,
                input_exhausted: false,
                stopped_by_hook: false,
                returned_hooks: args.hooks,
            });
        }
        let device = self.device.clone().autodiff();
        let model = self
            .model
            .take()
            .ok_or_else(|| Error::Config("no resident model".into()))?;
        let model = model.fork(&device).train();
        let skip = std::mem::take(&mut self.resume_position);
        let (every_steps, every_time) = self.config.checkpoint_every();
        let mut run = Run {
            own_hooks: args.hooks.len(),
            hooks: args.hooks,
            listeners: args.listeners,
            spec_hooks_taken: false,
            position: skip,
            steps: 0,
            last_loss: None,
            log_time: Instant::now(),
            log_step: self.global_step,
            policy: CheckpointPolicy::new(every_steps, every_time, self.global_step),
            exhausted: false,
            stop: false,
            past_deadline: false,
            target,
            progress: crate::progress::Progress::new(self.global_step, target),
            scaffold_seen: self.global_step > 0 || self.config.warm_start_from.is_some(),
            warm_started: false,
            deadline: args
                .max_secs
                .map(|s| Instant::now() + std::time::Duration::from_secs_f64(s.max(0.0))),
        };
        let mut iter = input
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX));
        let (model, result) = self.train_loop(model, &mut iter, &mut run);
        let saved = result.and_then(|()| self.finish(&model, &mut run));
        self.model = Some(model);
        saved?;
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(
            "Loss for final step: {}.",
            run.last_loss.map_or("n/a".into(), |l| format!("{l}"))
        );
        Ok(TrainSummary {
            global_step: self.global_step,
            steps: run.steps,
            last_loss: run.last_loss,
            seconds,
            input_exhausted: run.exhausted,
            stopped_by_hook: run.stop,
            returned_hooks: run
                .hooks
                .drain(..run.own_hooks.min(run.hooks.len()))
                .collect(),
        })
    }

    fn train_loop<It>(
        &mut self,
        model: F::Model,
        iter: &mut It,
        run: &mut Run,
    ) -> (F::Model, Result<(), Error>)
    where
        It: Iterator,
        It::Item: InputItem<F::Features, F::Labels>,
    {
        let mut model = model;
        if let Err(e) = begin_hooks(&mut run.hooks, self.global_step) {
            return (model, Err(e));
        }
        while !run.stop && run.target.is_none_or(|t| self.global_step < t) {
            let result = self.one_step(model, iter, run);
            model = result.0;
            if let Err(e) = result.1 {
                return (model, Err(e));
            }
            if run.exhausted || run.past_deadline {
                break;
            }
        }
        (model, Ok(()))
    }

    /// One optimizer step: `gradient_accumulation_steps` batches, then the update.
    fn one_step<It>(
        &mut self,
        model: F::Model,
        iter: &mut It,
        run: &mut Run,
    ) -> (F::Model, Result<(), Error>)
    where
        It: Iterator,
        It::Item: InputItem<F::Features, F::Labels>,
    {
        let accumulate = self.config.gradient_accumulation_steps.max(1);
        let mut model = model;
        let mut loss_sum = 0.0;
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
            let apply = micro + 1 == accumulate;
            let (m, result) = self.micro_step(model, item, run, apply);
            model = m;
            if std::mem::take(&mut run.warm_started) {
                return (model, Ok(()));
            }
            match result {
                Ok((loss, rate)) => {
                    loss_sum += loss;
                    lr = lr.or(rate);
                }
                Err(e) => return (model, Err(e)),
            }
        }
        self.global_step += 1;
        run.steps += 1;
        let loss = loss_sum / accumulate as f64;
        run.last_loss = Some(loss);
        run.progress.step(loss);
        let result = self.after_step(&model, run, loss, lr);
        (model, result)
    }

    /// One batch: the model_fn, the loss check, and the backward pass (plus the update when
    /// `apply`). The model is handed back on every path, errors included.
    fn micro_step(
        &mut self,
        model: F::Model,
        item: impl InputItem<F::Features, F::Labels>,
        run: &mut Run,
        apply: bool,
    ) -> (F::Model, Result<StepOutcome, Error>) {
        let spec = match self.micro_spec(&model, item, run, apply) {
            Ok(spec) => spec,
            Err(e) => return (model, Err(e)),
        };
        let (loss, mut train_op, warm) = spec;
        if let Some(ws) = warm {
            // The model_fn ran on the model as it was; warm-start it and spend this batch on
            // initialisation (no update, no step), as TF initialises before the first step.
            let (model, result) = super::warm_start_model(model, &ws);
            run.warm_started = result.is_ok();
            return (model, result.map(|()| (loss, None)));
        }
        if let Err(e) = self.optimizers.prepare(&mut train_op, self.global_step) {
            return (model, Err(e));
        }
        let (model, lr) = self.optimizers.apply(model, train_op, apply);
        (model, Ok((loss, apply.then_some(lr))))
    }

    /// Runs the model_fn on one batch; returns the (finite) loss and the train op.
    fn micro_spec(
        &mut self,
        model: &F::Model,
        item: impl InputItem<F::Features, F::Labels>,
        run: &mut Run,
        apply: bool,
    ) -> Result<
        (
            f64,
            crate::train_op::TrainOp,
            Option<crate::scaffold::WarmStart>,
        ),
        Error,
    > {
        let (features, labels) = item.into_batch()?;
        if let Some(seed) = self.config.random_seed {
            self.device.seed(step_seed(seed, self.global_step));
        }
        if apply && !run.hooks.is_empty() {
            let ctx = HookContext::new(ModeKeys::Train, self.global_step);
            for hook in &mut run.hooks {
                hook.before_step(&ctx)
                    .map_err(|e| hook_error(hook.as_ref(), e))?;
            }
        }
        let spec =
            self.model_fn
                .train_spec(model, features, labels, self.params()?, &self.config)?;
        if !run.spec_hooks_taken {
            run.spec_hooks_taken = true;
            let mut hooks = spec.hooks;
            begin_hooks(&mut hooks, self.global_step)?;
            run.hooks.extend(hooks);
        }
        let loss = spec.loss.into_scalar::<f64>();
        if !loss.is_finite() {
            return Err(Error::NanLoss {
                step: self.global_step,
            });
        }
        // A spec's Scaffold warm start applies once, at the first step of a fresh run.
        let warm = if self.global_step == 0 && !run.scaffold_seen {
            run.scaffold_seen = true;
            spec.scaffold.warm_start().cloned()
        } else {
            None
        };
        Ok((loss, spec.train_op, warm))
    }

    fn after_step(
        &mut self,
        model: &F::Model,
        run: &mut Run,
        loss: f64,
        lr: Option<f64>,
    ) -> Result<(), Error> {
        if !run.hooks.is_empty() {
            let mut ctx = HookContext::new(ModeKeys::Train, self.global_step);
            ctx.loss = Some(loss);
            ctx.learning_rate = lr;
            ctx.latest_eval = self.latest_eval.clone();
            for hook in &mut run.hooks {
                hook.after_step(&ctx)
                    .map_err(|e| hook_error(hook.as_ref(), e))?;
            }
            run.stop = ctx.stop_requested();
        }
        let now = run.policy.needs_clock().then(Instant::now);
        // distribute: one small all-reduce agrees the mean loss, a stop, the deadline and a save.
        let agreed = self.replica().agree_after_step(StepAgreement {
            loss,
            stop: run.stop,
            past_deadline: run.deadline.is_some_and(|d| Instant::now() >= d),
            save: run.policy.should_save_at(self.global_step, now),
        });
        let loss = agreed.loss;
        run.last_loss = Some(loss);
        (run.stop, run.past_deadline) = (agreed.stop, agreed.past_deadline);
        let summary_every = self.config.save_summary_steps;
        if summary_every > 0 && self.global_step.is_multiple_of(summary_every) {
            let mut scalars = vec![("loss", loss)];
            if let Some(lr) = lr {
                scalars.push(("learning_rate", lr));
            }
            self.write_scalars("", &scalars, self.global_step)?;
        }
        let every = self.config.log_step_count_steps;
        if every > 0 && self.global_step.is_multiple_of(every) {
            let secs = run.log_time.elapsed().as_secs_f64();
            let steps = self.global_step - run.log_step;
            tracing::info!(
                "loss = {loss:.6}, step = {} ({secs:.3} sec)",
                self.global_step
            );
            if secs > 0.0 {
                self.write_scalars(
                    "",
                    &[("global_step/sec", steps as f64 / secs)],
                    self.global_step,
                )?;
                tracing::info!("global_step/sec: {:.4}", steps as f64 / secs);
            }
            run.log_time = Instant::now();
            run.log_step = self.global_step;
        }
        let last = run.target.is_some_and(|t| self.global_step >= t) || run.stop;
        if !last && agreed.save {
            let now = now.unwrap_or_else(Instant::now);
            self.save_with_listeners(model, run.position, run)?;
            run.policy.saved(self.global_step, now);
        }
        Ok(())
    }

    fn save_with_listeners(
        &mut self,
        model: &F::Model,
        position: u64,
        run: &mut Run,
    ) -> Result<(), Error> {
        for l in &mut run.listeners {
            l.before_save(self.global_step)?;
        }
        let path = self.save(model, position)?;
        for l in &mut run.listeners {
            if l.after_save(self.global_step, &path)? {
                run.stop = true;
            }
        }
        // distribute: a listener's stop on any rank stops every rank.
        run.stop = self.replica().any_stop(run.stop);
        Ok(())
    }

    /// Ends a call: hooks' `end`, and the final checkpoint (position 0: the call is complete).
    fn finish(&mut self, model: &F::Model, run: &mut Run) -> Result<(), Error> {
        let ctx = HookContext::new(ModeKeys::Train, self.global_step);
        for hook in &mut run.hooks {
            hook.end(&ctx).map_err(|e| hook_error(hook.as_ref(), e))?;
        }
        run.progress.finish();
        if run.steps > 0 {
            self.save_with_listeners(model, 0, run)?;
        }
        self.flush_summaries()
    }
}

fn begin_hooks(hooks: &mut [Box<dyn Hook>], global_step: u64) -> Result<(), Error> {
    let ctx = HookContext::new(ModeKeys::Train, global_step);
    for hook in hooks {
        hook.begin(&ctx).map_err(|e| hook_error(hook.as_ref(), e))?;
    }
    Ok(())
}

fn hook_error(hook: &dyn Hook, e: Error) -> Error {
    match e {
        e @ (Error::Hook { .. } | Error::NanLoss { .. }) => e,
        other => Error::Hook {
            hook: hook.name().to_string(),
            message: other.to_string(),
        },
    }
}
