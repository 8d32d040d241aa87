//! Crash and resume: bit-identical weights. In a test binary of its own, because burn's
//! ndarray and flex backends draw random numbers from one process-wide generator, which tests
//! running in parallel threads would share.

mod common;

use common::*;
use estimator_runtime::prelude::*;

/// Fails the run at a given step, as a crash would: no final checkpoint is written.
struct CrashAt(u64);

impl Hook for CrashAt {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if ctx.global_step == self.0 {
            return Err(Error::Config(format!("simulated crash at step {}", self.0)));
        }
        Ok(())
    }
}

fn train_weights(dir: &std::path::Path, crash_at: Option<u64>) -> Result<Vec<f32>, Error> {
    let rows = iris();
    let cfg = config(dir).save_checkpoints_steps(10);
    if let Some(step) = crash_at {
        let mut est = Estimator::new(iris_classifier, Net::new(&device()), cfg.clone())?;
        let err = est
            .train(
                stream(rows.clone(), 16, device()),
                TrainArgs::max_steps(60).hook(CrashAt(step)),
            )
            .err();
        let crash = format!("simulated crash at step {step}");
        assert!(
            matches!(&err, Some(Error::Hook { message, .. }) if *message == format!("invalid configuration: {crash}")),
            "the crash hook stops the run at step {step}: {err:?}"
        );
        // A failed call goes back to the last checkpoint (every 10 steps), as TF's next call.
        assert_eq!(
            est.global_step(),
            step / 10 * 10,
            "back at the last checkpoint"
        );
    }
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), cfg)?;
    est.train(stream(rows, 16, device()), TrainArgs::max_steps(60))?;
    let model = est
        .model()
        .ok_or_else(|| Error::Config("model lost".into()))?;
    Ok(weights(model))
}

#[test]
fn resume_after_a_crash_gives_bit_identical_weights() -> Result<(), Error> {
    let straight = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let crashed = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let a = train_weights(straight.path(), None)?;
    let b = train_weights(crashed.path(), Some(27))?;
    assert_eq!(a.len(), b.len());
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&a),
        bits(&b),
        "resumed weights differ from an uninterrupted run"
    );
    Ok(())
}
