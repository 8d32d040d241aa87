//! Seeding: `Estimator::build` seeds parameter initialisation, and what depends on a
//! reproducible initialisation. In a test binary of its own, with its tests run one at a time,
//! so that no other test draws from burn's process-wide random generator in between.

mod common;

use common::*;
use estimator_runtime::prelude::*;
use std::sync::{Mutex, MutexGuard};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Weights after two calls: the first on `first` batches, the second one step of 4 batches.
fn accumulated(first: usize) -> Vec<f32> {
    let dir = tmp();
    let config = config(dir.path()).gradient_accumulation_steps(4);
    let mut est = Estimator::build(iris_classifier, Net::new, config).expect("build");
    let batches: Vec<Batch> = stream(iris(), 16, device()).take(first).collect();
    est.train(batches, TrainArgs::steps(10))
        .expect("first call");
    let batches: Vec<Batch> = stream(iris(), 16, device()).skip(20).take(4).collect();
    est.train(batches, TrainArgs::steps(1))
        .expect("second call");
    weights(est.model().expect("model"))
}

#[test]
fn gradients_pending_at_the_end_of_a_call_are_dropped() {
    let _serial = serial();
    // 6 batches: one step of 4, and 2 left pending when the input ends.
    assert_eq!(accumulated(6), accumulated(4));
}

#[test]
fn build_seeds_parameter_initialisation() {
    let _serial = serial();
    let (a, b) = (tmp(), tmp());
    let one = Estimator::build(iris_classifier, Net::new, config(a.path())).expect("build");
    let two = Estimator::build(iris_classifier, Net::new, config(b.path())).expect("build");
    assert_eq!(
        weights(one.model().expect("model")),
        weights(two.model().expect("model"))
    );
    let other = Estimator::build(
        iris_classifier,
        Net::new,
        config(b.path())
            .random_seed(8)
            .model_dir(a.path().join("x")),
    )
    .expect("build");
    assert_ne!(
        weights(one.model().expect("model")),
        weights(other.model().expect("model"))
    );
}
