//! The metrics against values computed by hand, merged over batches as the evaluator does.

use estimator_runtime::prelude::*;

#[allow(deprecated)]
fn device() -> Device {
    Device::ndarray()
}

fn ints(v: &[i64]) -> Tensor<1, Int> {
    Tensor::from_data(TensorData::new(v.to_vec(), [v.len()]), &device())
}

fn floats(v: &[f32]) -> Tensor<1> {
    Tensor::from_data(TensorData::new(v.to_vec(), [v.len()]), &device())
}

/// Runs `f` on two batches and merges them, as `Estimator::evaluate` does.
fn two_batches(f: impl Fn(usize) -> MetricOp) -> f64 {
    let mut ops = EvalMetricOps::new().with("m", f(0));
    ops.merge(EvalMetricOps::new().with("m", f(1)))
        .expect("same metric merges");
    ops.results().expect("metric computes")[0].1
}

#[test]
fn accuracy_precision_recall() {
    // batch 0: labels 1 0 1 1, predictions 1 0 0 1; batch 1: labels 0 0 1, predictions 1 0 1.
    let labels = [vec![1, 0, 1, 1], vec![0, 0, 1]];
    let preds = [vec![1, 0, 0, 1], vec![1, 0, 1]];
    // Matches: 3 + 2 = 5 of 7. tp = 2 + 1 = 3, fp = 0 + 1 = 1, fn = 1 + 0 = 1.
    assert_eq!(
        two_batches(|b| metrics::accuracy(ints(&labels[b]), ints(&preds[b]))),
        5.0 / 7.0
    );
    assert_eq!(
        two_batches(|b| metrics::precision(ints(&labels[b]), ints(&preds[b]))),
        3.0 / 4.0
    );
    assert_eq!(
        two_batches(|b| metrics::recall(ints(&labels[b]), ints(&preds[b]))),
        3.0 / 4.0
    );
}

#[test]
fn regression_errors() {
    let labels = [vec![1.0f32, 2.0], vec![3.0]];
    let preds = [vec![1.5f32, 1.0], vec![5.0]];
    // Errors: 0.5, -1.0, 2.0 → MSE = (0.25 + 1 + 4) / 3 = 1.75, MAE = 3.5 / 3.
    let mse = two_batches(|b| metrics::mean_squared_error(floats(&labels[b]), floats(&preds[b])));
    assert!((mse - 1.75).abs() < 1e-9, "{mse}");
    let rmse =
        two_batches(|b| metrics::root_mean_squared_error(floats(&labels[b]), floats(&preds[b])));
    assert!((rmse - 1.75f64.sqrt()).abs() < 1e-9, "{rmse}");
    let mae = two_batches(|b| metrics::mean_absolute_error(floats(&labels[b]), floats(&preds[b])));
    assert!((mae - 3.5 / 3.0).abs() < 1e-9, "{mae}");
}

#[test]
fn mean_weights_every_element_not_every_batch() {
    let values = [vec![1.0f32, 2.0, 3.0], vec![10.0]];
    assert_eq!(
        two_batches(|b| metrics::mean(floats(&values[b]))),
        16.0 / 4.0
    );
}

#[test]
fn auc_over_batches() {
    // Scores 0.1(−) 0.35(+) | 0.4(−) 0.8(+): 3 of 4 positive/negative pairs ranked right.
    let labels = [vec![0, 1], vec![0, 1]];
    let scores = [vec![0.1f32, 0.35], vec![0.4, 0.8]];
    let auc = two_batches(|b| metrics::auc(ints(&labels[b]), floats(&scores[b])));
    assert!((auc - 0.75).abs() < 1e-3, "{auc}");
}

#[test]
fn mismatched_inputs_are_errors_not_panics() {
    let op = metrics::accuracy(ints(&[1, 0]), ints(&[1, 0, 1]));
    assert!(matches!(op.result(), Err(Error::InvalidMetricInput { .. })));
    let op = metrics::auc(ints(&[1]), floats(&[1.5]));
    assert!(op.result().is_err());
}

#[test]
fn merging_different_metrics_under_one_name_fails() {
    let mut ops = EvalMetricOps::new().with("m", metrics::mean(floats(&[1.0])));
    let err = ops
        .merge(EvalMetricOps::new().with("m", metrics::accuracy(ints(&[1]), ints(&[1]))))
        .unwrap_err();
    assert!(
        matches!(err, Error::MetricMismatch { ref name } if name == "m"),
        "{err:?}"
    );
}
