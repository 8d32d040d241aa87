//! The NaN check when losses stay on the device until something reads them: a NaN is found at
//! the next read at the latest, named by its first step, and never checkpointed; TF's
//! every-step check is an option.

mod common;

use common::*;
use estimator_runtime::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

/// Iris batches of 16, where batch `bad` (0-based, so the step run at global step `bad`) has
/// NaN features.
fn poisoned(bad: usize) -> impl Iterator<Item = Batch> {
    stream(iris(), 16, device())
        .enumerate()
        .map(move |(i, (x, y))| {
            if i == bad {
                (x.mul_scalar(f32::NAN), y)
            } else {
                (x, y)
            }
        })
}

/// Records the last step it saw and whether any step had a loss; asks for no loss.
#[derive(Clone, Default)]
struct Steps {
    last: Rc<Cell<u64>>,
    saw_loss: Rc<Cell<bool>>,
}

impl Hook for Steps {
    fn wants_loss(&self, _global_step: u64) -> bool {
        false
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        self.last.set(ctx.global_step);
        self.saw_loss.set(self.saw_loss.get() | ctx.loss.is_some());
        Ok(())
    }
}

fn step_of(path: Option<std::path::PathBuf>) -> Option<String> {
    path.and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
}

#[test]
fn a_nan_is_found_at_the_next_checkpoint_which_is_not_written() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path())
        .save_summary_steps(0)
        .save_checkpoints_steps(2);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config.clone())?;
    let steps = Steps::default();
    let err = est
        .train(poisoned(2), TrainArgs::steps(10).hook(steps.clone()))
        .unwrap_err();
    assert!(matches!(err, Error::NanLoss { step: 2 }), "{err:?}");
    assert_eq!(
        steps.last.get(),
        4,
        "no read until the checkpoint at step 4"
    );
    assert!(!steps.saw_loss.get(), "no hook asked for the loss");
    assert_eq!(
        step_of(est.latest_checkpoint()?).as_deref(),
        Some("model.ckpt-2")
    );
    let resumed = Estimator::new(iris_classifier, Net::new(&device()), config)?;
    assert_eq!(resumed.global_step(), 2, "a restart resumes before the NaN");
    Ok(())
}

#[test]
fn a_nan_is_found_at_the_end_of_the_call_at_the_latest() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path()).save_summary_steps(0);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config)?;
    let steps = Steps::default();
    let err = est
        .train(poisoned(2), TrainArgs::steps(6).hook(steps.clone()))
        .unwrap_err();
    assert!(matches!(err, Error::NanLoss { step: 2 }), "{err:?}");
    assert_eq!(steps.last.get(), 6);
    assert_eq!(
        est.latest_checkpoint()?,
        None,
        "the final checkpoint is not written"
    );
    Ok(())
}

#[test]
fn a_hook_that_wants_the_loss_gets_it_and_the_nan_is_found_then() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path()).save_summary_steps(0);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config)?;
    let steps = Steps::default();
    let logger = estimator_runtime::hooks::LoggingTensorHook::new(["loss"], 1);
    let args = TrainArgs::steps(6).hook(steps.clone()).hook(logger);
    let err = est.train(poisoned(2), args).unwrap_err();
    assert!(matches!(err, Error::NanLoss { step: 2 }), "{err:?}");
    assert_eq!(steps.last.get(), 2, "the read after step 3 found it");
    Ok(())
}

#[test]
fn the_every_step_check_stops_before_the_update_uses_the_nan() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path())
        .save_summary_steps(0)
        .nan_check_every_step(true);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config)?;
    let steps = Steps::default();
    let err = est
        .train(poisoned(2), TrainArgs::steps(6).hook(steps.clone()))
        .unwrap_err();
    assert!(matches!(err, Error::NanLoss { step: 2 }), "{err:?}");
    assert_eq!(steps.last.get(), 2, "step 3 never finished");
    let model = est.model().expect("the model comes back");
    assert!(
        weights(model).iter().all(|w| w.is_finite()),
        "no NaN update"
    );
    Ok(())
}

#[test]
fn the_summary_reports_the_last_steps_loss() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path()).save_summary_steps(0);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config)?;
    let summary = est.train(stream(iris(), 16, device()), TrainArgs::steps(5))?;
    assert!(summary.last_loss.is_some_and(f64::is_finite), "{summary:?}");
    Ok(())
}
