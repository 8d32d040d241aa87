//! Optimizers: the one module that talks to burn's training APIs (gradients, optimizers, LR
//! schedules). burn's API changed shape in each of 0.19 through 0.22; keeping it here keeps the
//! rest of the crate stable. Model serialization lives in `record`.

mod fused_adam;

pub(crate) use fused_adam::FusedAdam;

use crate::distribute::Distribution;
use crate::error::Error;
use crate::train_op::{LearningRate, TrainOp};
use burn::module::Module;
use burn::optim::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::{GradientsAccumulator, GradientsParams, ModuleOptimizer};
use burn::tensor::Bytes;

/// One optimizer of the run, created from the first TRAIN step's `TrainOp`.
struct Slot<M: Module> {
    kind: &'static str,
    optimizer: ModuleOptimizer,
    schedule: Option<ModuleLrScheduler>,
    accumulator: GradientsAccumulator<M>,
    /// Whether the accumulator holds gradients not yet applied.
    pending: bool,
}

/// One optimizer update with `grads` (or the slot's accumulated gradients when `None`).
fn step_slot<M: Module>(
    slot: &mut Slot<M>,
    rate: &LearningRate,
    model: M,
    grads: Option<GradientsParams>,
    first_lr: &mut Option<f64>,
    distribution: Option<&Distribution>,
) -> M {
    let grads = grads.unwrap_or_else(|| slot.accumulator.grads());
    // distribute: average the gradients over the replicas, so every rank applies the same update.
    let grads = match distribution {
        Some(d) if d.num_replicas() > 1 => crate::distribute::all_reduce_mean(d, &model, grads),
        _ => grads,
    };
    let (model, lr) = match (&mut slot.schedule, rate) {
        (Some(s), _) => {
            let lr = s.step();
            let base = lr.base();
            (slot.optimizer.step(lr, model, grads), base)
        }
        (None, LearningRate::Constant(lr)) => (slot.optimizer.step(*lr, model, grads), *lr),
        // `prepare` refused a schedule where the run has a constant rate.
        (None, LearningRate::Schedule(_)) => (model, 0.0),
    };
    first_lr.get_or_insert(lr);
    model
}

/// The most steps an LR schedule is fast-forwarded on resume. burn's schedules are stepped one
/// at a time, so a (corrupt) global step near `u64::MAX` would loop for ever.
const MAX_SCHEDULE_FAST_FORWARD: u64 = 1 << 28;

/// Steps `schedule` to `global_step`, or a typed error past [`MAX_SCHEDULE_FAST_FORWARD`].
fn fast_forward(schedule: &mut ModuleLrScheduler, global_step: u64) -> Result<(), Error> {
    if global_step > MAX_SCHEDULE_FAST_FORWARD {
        return Err(Error::Config(format!(
            "cannot fast-forward the learning-rate schedule to global step {global_step} (at most {MAX_SCHEDULE_FAST_FORWARD} steps)"
        )));
    }
    for _ in 0..global_step {
        schedule.step();
    }
    Ok(())
}

/// Loads checkpointed optimizer state (checked by `record::check_optimizer_state` on
/// restore). burn's loader panics on some malformed records; that is a typed error here.
fn load_state(optimizer: ModuleOptimizer, bytes: Vec<u8>) -> Result<ModuleOptimizer, Error> {
    let corrupt = |reason: String| Error::CorruptCheckpoint {
        path: "optimizer state".into(),
        reason,
    };
    let load = std::panic::AssertUnwindSafe(|| optimizer.from_bytes(Bytes::from_bytes_vec(bytes)));
    match std::panic::catch_unwind(load) {
        Ok(loaded) => loaded.map_err(|e| corrupt(format!("{e:?}"))),
        Err(_) => Err(corrupt("burn could not load the optimizer record".into())),
    }
}

/// The run's optimizers: created on the first step, kept, and saved in checkpoints.
pub(crate) struct Optimizers<M: Module> {
    slots: Vec<Slot<M>>,
    /// Optimizer states read from a checkpoint, loaded when the optimizers are created.
    restored: Vec<(String, Vec<u8>)>,
    /// The restored step when every optimizer must find its state among `restored`
    /// ([`Error::MissingOptimizerState`] otherwise); `None` lets a missing one start fresh.
    expect_state_of_step: Option<u64>,
    /// distribute: the replicas whose gradients each update averages.
    distribution: Option<Distribution>,
}

impl<M: Module> Default for Optimizers<M> {
    fn default() -> Self {
        Optimizers {
            slots: Vec::new(),
            restored: Vec::new(),
            expect_state_of_step: None,
            distribution: None,
        }
    }
}

impl<M: Module> Optimizers<M> {
    /// distribute: averages gradients over `distribution`'s replicas before every update.
    pub fn all_reduced_by(mut self, distribution: Option<Distribution>) -> Self {
        self.distribution = distribution;
        self
    }

    /// Keeps checkpointed optimizer states until the first step creates the optimizers. With
    /// `expect_state_of_step` (the restored step), an optimizer without a state is an error.
    pub fn restore(&mut self, sections: Vec<(String, Vec<u8>)>, expect_state_of_step: Option<u64>) {
        self.slots.clear();
        self.restored = sections;
        self.expect_state_of_step = expect_state_of_step;
    }

    /// Creates the optimizers on the first step (loading restored state and fast-forwarding
    /// schedules to `global_step`), or checks that the step asks for the same kinds.
    fn ensure(&mut self, op: &mut TrainOp, global_step: u64) -> Result<(), Error> {
        if !self.slots.is_empty() {
            return self.check_kinds(op);
        }
        for (i, part) in op.parts.iter_mut().enumerate() {
            let kind = part.optimizer.kind();
            let mut optimizer = part.optimizer.build();
            match (self.restored_state(i, kind)?, self.expect_state_of_step) {
                (Some(bytes), _) => optimizer = load_state(optimizer, bytes)?,
                (None, Some(step)) => {
                    return Err(Error::MissingOptimizerState {
                        step,
                        index: i,
                        kind: kind.to_string(),
                    });
                }
                (None, None) => {}
            }
            let schedule =
                match std::mem::replace(&mut part.learning_rate, LearningRate::Constant(0.0)) {
                    LearningRate::Schedule(mut s) => {
                        fast_forward(&mut s, global_step)?;
                        Some(s)
                    }
                    constant => {
                        part.learning_rate = constant;
                        None
                    }
                };
            self.slots.push(Slot {
                kind,
                optimizer,
                schedule,
                accumulator: GradientsAccumulator::new(),
                pending: false,
            });
        }
        self.restored.clear();
        self.expect_state_of_step = None;
        Ok(())
    }

    fn restored_state(&self, i: usize, kind: &str) -> Result<Option<Vec<u8>>, Error> {
        let find = |name: String| {
            self.restored
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| b.clone())
        };
        let Some(saved_kind) = find(format!("optimizer.{i}.kind")) else {
            return Ok(None);
        };
        let saved_kind = String::from_utf8_lossy(&saved_kind).into_owned();
        if saved_kind != kind {
            return Err(Error::OptimizerChanged {
                existing: saved_kind,
                requested: kind.to_string(),
            });
        }
        Ok(find(format!("optimizer.{i}")))
    }

    fn check_kinds(&self, op: &TrainOp) -> Result<(), Error> {
        let same = self.slots.len() == op.parts.len()
            && self
                .slots
                .iter()
                .zip(&op.parts)
                .all(|(s, p)| s.kind == p.optimizer.kind());
        if !same {
            let existing: Vec<&str> = self.slots.iter().map(|s| s.kind).collect();
            let requested = op.optimizer_kinds();
            return Err(Error::OptimizerChanged {
                existing: existing.join("+"),
                requested: requested.join("+"),
            });
        }
        Ok(())
    }

    /// Creates the optimizers on the first step, or checks that `op` asks for the same kinds
    /// and learning-rate form. After this, [`apply`](Self::apply) cannot fail.
    pub fn prepare(&mut self, op: &mut TrainOp, global_step: u64) -> Result<(), Error> {
        self.ensure(op, global_step)?;
        for (slot, part) in self.slots.iter().zip(&op.parts) {
            if slot.schedule.is_none() && matches!(part.learning_rate, LearningRate::Schedule(_)) {
                return Err(Error::OptimizerChanged {
                    existing: format!("{} with a constant learning rate", slot.kind),
                    requested: format!("{} with a schedule", slot.kind),
                });
            }
        }
        Ok(())
    }

    /// Backpropagates each objective of a [prepared](Self::prepare) `op`; when `apply`, steps
    /// each optimizer with the gradients (accumulated over the batches since the last update).
    /// Returns the model and the first optimizer's learning rate.
    pub fn apply(&mut self, model: M, op: TrainOp, apply: bool) -> (M, f64) {
        let mut model = model;
        let mut first_lr = None;
        let dist = self.distribution.as_ref();
        // Every objective's gradients first, against the weights the step started from (as
        // TF's grouped `minimize`s read them): burn finds a gradient through the parameter's
        // tensor, which an earlier optimizer's update replaces.
        let parts: Vec<_> = op
            .parts
            .into_iter()
            .map(|part| {
                let grads = GradientsParams::from_grads(part.objective.backward(), &model);
                (grads, part.learning_rate)
            })
            .collect();
        for (slot, (grads, learning_rate)) in self.slots.iter_mut().zip(parts) {
            if !apply || slot.pending {
                slot.accumulator.accumulate(&model, grads);
                slot.pending = !apply;
                if !apply {
                    continue;
                }
                model = step_slot(slot, &learning_rate, model, None, &mut first_lr, dist);
            } else {
                let grads = Some(grads);
                model = step_slot(slot, &learning_rate, model, grads, &mut first_lr, dist);
            }
        }
        (model, first_lr.unwrap_or(0.0))
    }

    /// Drops gradients accumulated in an unfinished window, so a call's leftovers never reach
    /// the next call's first update.
    pub fn drop_pending(&mut self) {
        for slot in &mut self.slots {
            if std::mem::take(&mut slot.pending) {
                slot.accumulator = GradientsAccumulator::new();
            }
        }
    }

    /// Checkpoint sections holding each optimizer's kind and state.
    pub fn sections(&self) -> Result<Vec<(String, Bytes)>, Error> {
        if self.slots.is_empty() {
            let restored = self.restored.iter();
            return Ok(restored
                .map(|(n, b)| (n.clone(), Bytes::from_bytes_vec(b.clone())))
                .collect());
        }
        let mut out = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            let bytes = slot
                .optimizer
                .into_bytes()
                .map_err(|e| Error::Config(format!("serialising optimizer state: {e:?}")))?;
            let kind = Bytes::from_bytes_vec(slot.kind.as_bytes().to_vec());
            out.push((format!("optimizer.{i}.kind"), kind));
            out.push((format!("optimizer.{i}"), bytes));
        }
        Ok(out)
    }
}
