//! The evaluator task without MPI: `evaluate_continuously` beside a trainer (a thread here) that
//! saves every 10 steps and keeps only 2 checkpoints.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use estimator_runtime::ContinuousEvalArgs;
use estimator_runtime::prelude::*;
use std::time::Duration;

/// Slows the trainer down so the evaluator sees most checkpoints.
struct Pace;

impl Hook for Pace {
    fn after_step(&mut self, _: &HookContext) -> Result<(), Error> {
        std::thread::sleep(Duration::from_millis(5));
        Ok(())
    }
}

#[test]
fn evaluates_each_new_checkpoint_once_and_stops_at_the_final_step() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let trainer_dir = dir.clone();
    let trainer = std::thread::spawn(move || {
        let device = device();
        let config = config(&trainer_dir)
            .save_checkpoints_steps(10)
            .keep_checkpoint_max(2);
        let mut estimator = Estimator::new(iris_classifier, Net::new(&device), config).unwrap();
        estimator
            .train(
                stream(iris(), 16, device),
                TrainArgs::max_steps(100).hook(Pace),
            )
            .unwrap();
    });
    let device = device();
    let mut evaluator = Estimator::new(iris_classifier, Net::new(&device), config(&dir)).unwrap();
    let rows = iris();
    let evals = evaluator
        .evaluate_continuously(
            || vec![batch(&rows, &device)],
            ContinuousEvalArgs::final_step(100)
                .and_timeout(Duration::from_secs(60))
                .poll_interval(Duration::from_millis(20)),
        )
        .unwrap();
    trainer.join().unwrap();
    let steps: Vec<u64> = evals.iter().map(|r| r.global_step).collect();
    assert!(
        steps.windows(2).all(|w| w[0] < w[1]),
        "once each: {steps:?}"
    );
    assert_eq!(steps.last(), Some(&100), "{steps:?}");
    assert!(evals.iter().all(|r| r.metric("accuracy").is_some()));
    assert!(dir.join("eval").exists(), "eval summaries written");
}

#[test]
fn times_out_when_no_checkpoint_appears() {
    let tmp = tempfile::tempdir().unwrap();
    let device = device();
    let mut evaluator =
        Estimator::new(iris_classifier, Net::new(&device), config(tmp.path())).unwrap();
    let rows = iris();
    let evals = evaluator
        .evaluate_continuously(
            || vec![batch(&rows, &device)],
            ContinuousEvalArgs::final_step(10)
                .and_timeout(Duration::from_millis(200))
                .poll_interval(Duration::from_millis(20)),
        )
        .unwrap();
    assert!(evals.is_empty());
}
