//! Seeding: `Estimator::build` seeds parameter initialisation, and what depends on a
//! reproducible initialisation; seeded Estimators on several threads draw as if alone. In a test
//! binary of its own, with its tests run one at a time, so that no other test draws from burn's
//! process-wide random generator in between.

mod common;

use common::*;
use estimator_runtime::prelude::*;
use std::sync::{Mutex, MutexGuard, mpsc};
use std::time::Duration;

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

/// The fixture's classifier with half the hidden units dropped in TRAIN, by a mask drawn from
/// burn's generator at every step.
#[model_fn]
fn dropout_classifier(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let hidden = burn::tensor::activation::relu(model.hidden.forward(features));
    let hidden = if mode == ModeKeys::Train {
        let keep = hidden.random_like(burn::tensor::Distribution::Bernoulli(0.5));
        hidden * keep * 2.0
    } else {
        hidden
    };
    let logits = model.output.forward(hidden);
    sgd_logits_spec(mode, logits, labels)
}

/// Weights after 150 dropout steps with `seed`.
fn trained_with_dropout(seed: u64) -> Vec<f32> {
    let dir = tmp();
    let config = config(dir.path()).random_seed(seed);
    let mut est = Estimator::build(dropout_classifier, Net::new, config).expect("build");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(150))
        .expect("train");
    weights(est.model().expect("model"))
}

#[test]
fn two_seeded_estimators_training_at_once_end_as_each_does_alone() {
    let _serial = serial();
    let alone = (trained_with_dropout(7), trained_with_dropout(8));
    assert_ne!(alone.0, alone.1, "the seeds differ, so do the runs");
    let other = std::thread::spawn(|| trained_with_dropout(8));
    let this = trained_with_dropout(7);
    assert_eq!((this, other.join().expect("other thread")), alone);
}

/// Builds with `seed` a model drawn after a first draw; between the two, tells `entered` and
/// waits 200 ms.
fn built_in_two_draws(seed: u64, entered: Option<mpsc::Sender<()>>) -> Vec<f32> {
    let dir = tmp();
    let build = move |device: &Device| {
        let _first = Net::new(device);
        if let Some(entered) = entered {
            entered.send(()).expect("main thread waits");
            std::thread::sleep(Duration::from_millis(200));
        }
        Net::new(device)
    };
    let config = config(dir.path()).random_seed(seed);
    let est = Estimator::build(iris_classifier, build, config).expect("build");
    weights(est.model().expect("model"))
}

/// A build on another thread, seeded and drawing while this one waits between two draws, does
/// not change this one's model; it waits its turn and gets its own seed's model.
#[test]
fn a_seeded_build_waits_for_another_threads_seeded_build() {
    let _serial = serial();
    let alone = (built_in_two_draws(7, None), built_in_two_draws(9, None));
    let (entered, inside) = mpsc::channel();
    let slow = std::thread::spawn(move || built_in_two_draws(7, Some(entered)));
    inside.recv().expect("the slow build started");
    let quick = built_in_two_draws(9, None);
    assert_eq!((slow.join().expect("slow thread"), quick), alone);
}

/// A build closure that builds another seeded Estimator finishes (no deadlock on the process's
/// seeding lock), and the inner Estimator gets its own seed's model.
#[test]
fn a_seeded_build_inside_a_build_closure_finishes_with_its_own_seed() {
    let _serial = serial();
    let (a, b) = (tmp(), tmp());
    let inner_config = config(b.path()).random_seed(3);
    let alone = {
        let c = tmp();
        let est = Estimator::build(iris_classifier, Net::new, config(c.path()).random_seed(3))
            .expect("build");
        weights(est.model().expect("model"))
    };
    let (done, finished) = mpsc::channel();
    let outer_config = config(a.path());
    std::thread::spawn(move || {
        let mut inner = None;
        let outer = Estimator::build(
            iris_classifier,
            |device: &Device| {
                let est =
                    Estimator::build(iris_classifier, Net::new, inner_config).expect("inner build");
                inner = Some(weights(est.model().expect("model")));
                Net::new(device)
            },
            outer_config,
        );
        done.send((outer.is_ok(), inner)).expect("test waits");
    });
    let (outer_ok, inner) = finished
        .recv_timeout(Duration::from_secs(120))
        .expect("the nested build finished (no deadlock)");
    assert!(outer_ok);
    assert_eq!(inner, Some(alone));
}
