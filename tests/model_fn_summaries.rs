//! Summaries from the model_fn (issue 25): a TRAIN model_fn records `accuracy` (and the batch's
//! mean label) with `summary::scalar`, as `tf.summary.scalar` in a TF model_fn, and its logits
//! with `summary::histogram`; they are in model_dir's event file at the summary steps (TF's: a
//! call's first step, then every `save_summary_steps` after it) and at no other step. Read back with
//! this crate's reader (Rust only) and, with the TF venv (CI), by TensorBoard's own
//! `EventAccumulator`.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns

mod common;

use common::*;
use estimator_runtime::prelude::*;
use estimator_runtime::summary;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

const EVERY: u64 = 5;
const STEPS: u64 = 12;
const BATCH: usize = 16;
/// TF's `SummarySaverHook` schedule for one call of `STEPS` steps: its first step, then every
/// `EVERY` after it.
const SUMMARY_STEPS: [u64; 3] = [1, 6, 11];

#[model_fn]
fn classifier_with_summaries(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let predictions = Predictions::new().with("class", classes.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    summary::scalar("accuracy", classes.equal(labels.clone()).float().mean());
    summary::scalar("mean_label", labels.clone().float().mean());
    summary::histogram("logits", logits.clone());
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), AdamConfig::new(), 0.01));
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

/// Trains `STEPS` steps writing summaries every `EVERY`; also evaluates (EVAL records nothing).
fn train(dir: &Path) {
    let config = config(dir).save_summary_steps(EVERY);
    let mut est = Estimator::new(classifier_with_summaries, Net::new(&device()), config).unwrap();
    let input = stream(iris(), BATCH, device());
    est.train(input, TrainArgs::steps(STEPS)).unwrap();
    est.evaluate(stream(iris(), BATCH, device()).take(2), EvalArgs::default())
        .unwrap();
}

/// The mean label of the `step`th batch (1-based) of the input stream.
fn mean_label(step: u64) -> f64 {
    let (_, labels) = stream(iris(), BATCH, device())
        .nth(step as usize - 1)
        .unwrap();
    let labels = labels.into_data().try_into_vec_as::<i64>().unwrap();
    labels.iter().sum::<i64>() as f64 / labels.len() as f64
}

#[test]
fn the_model_fns_scalars_are_written_at_the_summary_steps() {
    let dir = tempfile::tempdir().unwrap();
    train(dir.path());
    let scalars = summary::read_scalars(dir.path()).unwrap();
    let steps_with = |tag: &str| -> Vec<u64> {
        scalars
            .iter()
            .filter(|(_, tags)| tags.contains_key(tag))
            .map(|(step, _)| *step)
            .collect()
    };
    assert_eq!(
        steps_with("accuracy"),
        SUMMARY_STEPS,
        "accuracy at the summary steps only"
    );
    assert_eq!(steps_with("mean_label"), SUMMARY_STEPS);
    assert_eq!(steps_with("loss"), SUMMARY_STEPS, "next to the loss");
    for step in SUMMARY_STEPS {
        let accuracy = scalars[&step]["accuracy"];
        assert!((0.0..=1.0).contains(&accuracy), "step {step}: {accuracy}");
        let want = mean_label(step);
        let got = scalars[&step]["mean_label"];
        assert!(
            (got - want).abs() < 1e-6,
            "step {step}: mean label {got}, batch's {want}"
        );
    }
    assert!(
        steps_with("logits").is_empty(),
        "a histogram is not a scalar"
    );
    let eval = summary::read_scalars(&dir.path().join("eval")).unwrap();
    assert!(eval.values().all(|tags| !tags.contains_key("mean_label")));
}

#[test]
fn tensorboards_reader_finds_the_accuracy_at_the_summary_steps() {
    let Some(python) = common::tf::python("TensorBoard reading model_fn summaries") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    train(dir.path());
    let script = r#"
import sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1], size_guidance={"histograms": 0, "scalars": 0}); acc.Reload()
for tag in ("accuracy", "mean_label"):
    print(tag, " ".join(f"{e.step}:{e.value!r}" for e in acc.Scalars(tag)))
h = acc.Histograms("logits")
print("histograms", " ".join(f"{e.step}:{e.histogram_value.num:g}" for e in h))
"#;
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = summary::read_scalars(dir.path()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let (scalars, histograms) = (&lines[..2], lines[2]);
    // Each step's logits (3 per example: the 5th batch has 16 examples, the 10th 6, iris's
    // last 150 - 9·16), at the summary steps.
    assert_eq!(histograms, "histograms 1:48 6:48 11:48", "{stdout}");
    for line in scalars.iter() {
        let (tag, events) = line.split_once(' ').unwrap();
        let events: Vec<(u64, f64)> = events
            .split(' ')
            .map(|e| {
                let (step, value) = e.split_once(':').unwrap();
                (step.parse().unwrap(), value.parse().unwrap())
            })
            .collect();
        let steps: Vec<u64> = events.iter().map(|e| e.0).collect();
        assert_eq!(steps, SUMMARY_STEPS, "TensorBoard's {tag} steps");
        for (step, value) in events {
            assert_eq!(value, ours[&step][tag], "{tag} at {step}");
        }
    }
}

/// The TRAIN calls of `classifier_with_a_bad_summary` so far.
static BAD_SUMMARY_CALLS: AtomicU64 = AtomicU64::new(0);

/// From its second TRAIN call on, records a two-element "scalar", which fails only when it is
/// read back.
#[model_fn]
fn classifier_with_a_bad_summary(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    if mode == ModeKeys::Train && BAD_SUMMARY_CALLS.fetch_add(1, Ordering::SeqCst) >= 1 {
        summary::scalar("bad", Tensor::<1>::zeros([2], &features.device()));
    }
    iris_classifier(model, features, labels, mode).expect("a valid spec")
}

/// The recorded values are read back on summary steps only: steps 2 to 5 record a summary that
/// cannot be read and succeed, since only summary steps (1, then 6) read it; a call reaching
/// step 6 fails there.
#[test]
fn recorded_values_are_read_on_summary_steps_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path()).save_summary_steps(EVERY);
    let mut est =
        Estimator::new(classifier_with_a_bad_summary, Net::new(&device()), config).unwrap();
    let input = || stream(iris(), BATCH, device());
    est.train(input(), TrainArgs::max_steps(EVERY)).unwrap();
    assert_eq!(BAD_SUMMARY_CALLS.load(Ordering::SeqCst), EVERY);
    let err = est
        .train(input(), TrainArgs::max_steps(EVERY + 1))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("summary::scalar(\"bad\") got 2 values"),
        "{err}"
    );
}
