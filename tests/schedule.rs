//! A learning-rate schedule across a resume: the restored run continues the schedule where
//! the interrupted one stopped, as one uninterrupted run would. In a test binary of its own, so
//! that no other test shares burn's process-wide random generator.

mod common;

use common::*;
use estimator_runtime::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

/// Records each step's learning rate.
struct Rates(Rc<RefCell<Vec<(u64, f64)>>>);

impl Hook for Rates {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let rate = ctx
            .learning_rate
            .ok_or_else(|| Error::Config("no learning rate in TRAIN".into()))?;
        self.0.borrow_mut().push((ctx.global_step, rate));
        Ok(())
    }
}

/// The rate of every step of runs to each of `stops`, each in a new Estimator (a restart).
fn rates(stops: &[u64]) -> Result<Vec<(u64, f64)>, Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let log = Rc::new(RefCell::new(Vec::new()));
    for &stop in stops {
        let mut est = Estimator::new(scheduled, Net::new(&device()), config(dir.path()))?;
        let args = TrainArgs::max_steps(stop).hook(Rates(log.clone()));
        est.train(stream(iris(), 16, device()), args)?;
    }
    Ok(log.take())
}

#[test]
fn a_learning_rate_schedule_continues_across_a_resume() -> Result<(), Error> {
    let straight = rates(&[20])?;
    let resumed = rates(&[8, 20])?;
    let steps: Vec<u64> = straight.iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, (1..=20).collect::<Vec<u64>>());
    for (step, rate) in &straight {
        let want = 0.01 + 0.0045 * (21 - step) as f64;
        assert!(
            (rate - want).abs() < 1e-12,
            "step {step}: {rate}, want {want}"
        );
    }
    assert_eq!(resumed, straight, "the resumed run's rates, step by step");
    Ok(())
}
