//! Where a train call starts: model_dir's trainer lock (restoring what another trainer saved
//! meanwhile), the input position an interrupted call had reached, and the run's state.

use super::super::losses::PendingLosses;
use super::{BetweenSteps, Limits, TrainRun};
use crate::checkpoint::{TrainerLock, checkpoint_file_name};
use crate::error::Error;
use crate::estimator::{Estimator, TrainArgs};
use crate::hooks::{BuiltinHooks, HookSet};
use crate::mode::ModeKeys;
use crate::model_fn::ModelFn;
use crate::summary::RecordedSummaries;
use burn::module::Module;

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Takes model_dir's trainer lock on the first train call: one writer per model_dir. A
    /// trainer that held it before may have saved since this Estimator restored; its latest
    /// checkpoint is restored then, as TF's train restores the latest at every call.
    pub(super) fn lock_model_dir(&mut self) -> Result<(), Error> {
        // distribute: only the chief touches model_dir.
        if self.trainer_lock.is_some() || !self.is_chief() {
            return Ok(());
        }
        let lock = TrainerLock::acquire(self.checkpointer.dir())?;
        // With the lock held no other trainer is saving: what a killed one left can go.
        crate::checkpoint::remove_leftovers(self.checkpointer.dir());
        let ours = self
            .checkpointer
            .dir()
            .join(checkpoint_file_name(self.global_step));
        // distribute: the replicas started from the chief's broadcast state; restoring on the
        // chief alone would part them.
        if self.config.distribute.is_none()
            && self
                .latest_checkpoint()?
                .is_some_and(|latest| latest != ours)
        {
            self.restore_latest()?;
        }
        self.trainer_lock = Some(lock);
        Ok(())
    }

    /// The batches of the input an interrupted call already consumed. A checkpoint cannot
    /// have consumed more than `gradient_accumulation_steps` batches per step (plus a warm
    /// start's batch); a bigger position would skip an endless input for ever.
    pub(super) fn resume_skip(&mut self) -> Result<u64, Error> {
        let skip = self.resume_position;
        let accumulate = self.config.gradient_accumulation_steps.max(1);
        let most = self
            .global_step
            .saturating_mul(accumulate)
            .saturating_add(1);
        if skip > most {
            return Err(Error::CorruptCheckpoint {
                path: self.latest_checkpoint()?.unwrap_or_default(),
                reason: format!(
                    "input_position {skip} is more than {} steps of {accumulate} batches could have consumed",
                    self.global_step
                ),
            });
        }
        self.resume_position = 0;
        Ok(skip)
    }

    pub(super) fn start_run<'a>(
        &self,
        args: TrainArgs,
        limits: Limits,
        skip: u64,
        between: Option<&'a mut dyn BetweenSteps<F>>,
    ) -> TrainRun<'a, F> {
        let builtin = BuiltinHooks::new(&self.config, self.global_step, limits.target);
        TrainRun {
            hooks: HookSet::new(ModeKeys::Train, args.hooks).with_builtins(builtin),
            listeners: args.listeners,
            limits,
            position: skip,
            steps: 0,
            losses: PendingLosses::new(self.config.nan_check_every_step),
            last_loss: None,
            exhausted: false,
            stopped: false,
            past_deadline: false,
            scaffold_pending: self.global_step == 0 && self.config.warm_start_from.is_none(),
            summaries: RecordedSummaries::default(),
            between,
        }
    }
}
