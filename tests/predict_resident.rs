//! `predict` keeps its inference model between calls and drops it when training changes the
//! weights.

mod common;

use common::*;
use estimator_runtime::prelude::*;

/// The logits `$est` predicts for the batch `$x`.
macro_rules! logits {
    ($est:expr, $x:expr) => {{
        let mut out = Vec::new();
        for p in $est.predict(
            [$x.clone()],
            PredictArgs::default().predict_keys(["logits"]),
        )? {
            out.extend(p?.values_f64("logits").unwrap_or_default());
        }
        out
    }};
}

#[test]
fn predict_sees_the_weights_of_the_latest_train_call() -> Result<(), Error> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let (x, _) = batch(&iris()[..8], &device());
    let before = logits!(est, x);
    assert_eq!(logits!(est, x), before, "the same model twice");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(5))?;
    let after = logits!(est, x);
    assert_ne!(after, before, "training changed the weights predict uses");
    let weights_now = weights(est.model().expect("resident"));
    est.train(stream(iris(), 16, device()), TrainArgs::steps(5))?;
    assert_ne!(weights(est.model().expect("resident")), weights_now);
    assert_ne!(logits!(est, x), after, "and again after a second call");
    Ok(())
}
