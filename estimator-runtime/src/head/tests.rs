//! Heads against values computed by hand on small batches.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::ModeKeys;
use crate::metrics::MetricOp;
use burn::tensor::{Device, Int, Tensor};

fn device() -> Device {
    Device::default()
}

fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-5, "got {got}, want {want}");
}

fn scalar(t: Tensor<1>) -> f64 {
    t.into_scalar::<f64>()
}

fn results(ops: crate::EvalMetricOps) -> Vec<(String, f64)> {
    ops.results().unwrap()
}

fn metric(all: &[(String, f64)], name: &str) -> f64 {
    all.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| *v)
        .unwrap()
}

/// Logits 0, ln 3, -ln 3, ln 3: probabilities .5, .75, .25, .75; labels 1 1 0 0; weights 1 1 1 2.
fn binary_batch() -> (Tensor<2>, Tensor<1, Int>, Tensor<1>) {
    let l3 = 3f32.ln();
    (
        Tensor::from_data([[0.0f32], [l3], [-l3], [l3]], &device()),
        Tensor::from_data([1i64, 1, 0, 0], &device()),
        Tensor::from_data([1.0f32, 1.0, 1.0, 2.0], &device()),
    )
}

#[test]
fn binary_loss_and_predictions() {
    let head = BinaryClassHead::default();
    let (logits, labels, weights) = binary_batch();
    let (ln2, ln43, ln4) = (2f64.ln(), (4.0f64 / 3.0).ln(), 4f64.ln());
    let unweighted = (ln2 + ln43 + ln43 + ln4) / 4.0;
    close(
        scalar(head.loss(logits.clone(), labels.clone(), None)),
        unweighted,
    );
    let weighted = (ln2 + ln43 + ln43 + 2.0 * ln4) / 4.0; // SUM_OVER_BATCH_SIZE
    close(
        scalar(head.loss(logits.clone(), labels, Some(weights))),
        weighted,
    );
    let p = head.predictions(logits);
    let names: Vec<&str> = p.names().collect();
    assert_eq!(
        names,
        [
            "logits",
            "logistic",
            "probabilities",
            "class_ids",
            "classes"
        ]
    );
    let probs = p
        .get("probabilities")
        .unwrap()
        .to_data()
        .try_to_vec::<f32>()
        .unwrap();
    let want = [0.5, 0.5, 0.25, 0.75, 0.75, 0.25, 0.25, 0.75];
    probs
        .iter()
        .zip(want)
        .for_each(|(&g, w)| close(f64::from(g), w));
    let ids = p
        .get("class_ids")
        .unwrap()
        .to_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .unwrap();
    assert_eq!(ids, [0, 1, 0, 1]);
}

#[test]
fn binary_metrics_weighted() {
    let head = BinaryClassHead::default();
    let (logits, labels, weights) = binary_batch();
    let m = results(head.metrics(logits, labels, Some(weights)));
    let names: Vec<&str> = m.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "accuracy",
            "accuracy_baseline",
            "auc",
            "auc_precision_recall",
            "average_loss",
            "label/mean",
            "prediction/mean",
            "precision",
            "recall"
        ]
    );
    let (ln2, ln43, ln4) = (2f64.ln(), (4.0f64 / 3.0).ln(), 4f64.ln());
    close(metric(&m, "accuracy"), 2.0 / 5.0); // examples 1 and 2 right, of weight 5
    close(metric(&m, "label/mean"), 2.0 / 5.0);
    close(metric(&m, "accuracy_baseline"), 3.0 / 5.0); // max(.4, 1 - .4)
    close(
        metric(&m, "prediction/mean"),
        (0.5 + 0.75 + 0.25 + 1.5) / 5.0,
    );
    close(
        metric(&m, "average_loss"),
        (ln2 + 2.0 * ln43 + 2.0 * ln4) / 5.0,
    );
    close(metric(&m, "precision"), 1.0 / 3.0); // tp 1 (ex 1), fp 2 (ex 3)
    close(metric(&m, "recall"), 1.0 / 2.0); // fn 1 (ex 0)
    // Pairs (positive, negative) by weight: .5>.25 (1), .5<.75 (2), .75>.25 (1), .75=.75 (2, half).
    close(metric(&m, "auc"), (1.0 + 1.0 + 0.5 * 2.0) / 6.0);
    // keras' interpolated PR AUC over the points (P=5,tp=2) (4,2) (3,1) (0,0).
    close(metric(&m, "auc_precision_recall"), 0.378_984_594_214_885_8);
}

#[test]
fn perfect_scores_give_unit_aucs() {
    let head = BinaryClassHead::default();
    let logits = Tensor::<2>::from_data([[-3.0f32], [-2.0], [2.0], [3.0]], &device());
    let labels = Tensor::<1, Int>::from_data([0i64, 0, 1, 1], &device());
    let m = results(head.metrics(logits, labels, None));
    close(metric(&m, "auc"), 1.0);
    close(metric(&m, "auc_precision_recall"), 1.0);
    close(metric(&m, "accuracy_baseline"), 0.5);
}

#[test]
fn metrics_stream_over_batches() {
    let head = BinaryClassHead::default();
    let (logits, labels, weights) = binary_batch();
    let mut all = head.metrics(logits.clone(), labels.clone(), Some(weights.clone()));
    all.merge(head.metrics(logits, labels, Some(weights)))
        .unwrap();
    let m = results(all);
    close(metric(&m, "accuracy"), 0.4);
    close(metric(&m, "auc_precision_recall"), 0.378_984_594_214_885_8);
    let _: Option<MetricOp> = None;
}

#[test]
fn multi_class_head() {
    let head = MultiClassHead::new(3);
    let l2 = 2f32.ln();
    let l3 = 3f32.ln();
    // softmax rows: [.25, .5, .25] and [.6, .2, .2]; labels 1 and 2.
    let logits = Tensor::<2>::from_data([[0.0f32, l2, 0.0], [l3, 0.0, 0.0]], &device());
    let labels = Tensor::<1, Int>::from_data([1i64, 2], &device());
    let weights = Tensor::<1>::from_data([1.0f32, 3.0], &device());
    let (a, b) = (2f64.ln(), 5f64.ln());
    close(
        scalar(head.loss(logits.clone(), labels.clone(), None)),
        (a + b) / 2.0,
    );
    close(
        scalar(head.loss(logits.clone(), labels.clone(), Some(weights.clone()))),
        (a + 3.0 * b) / 2.0,
    );
    let m = results(head.metrics(logits.clone(), labels.clone(), Some(weights)));
    assert_eq!(
        m.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["accuracy", "average_loss"]
    );
    close(metric(&m, "accuracy"), 0.25);
    close(metric(&m, "average_loss"), (a + 3.0 * b) / 4.0);
    let p = head.predictions(logits);
    let names: Vec<&str> = p.names().collect();
    assert_eq!(
        names,
        [
            "logits",
            "probabilities",
            "class_ids",
            "classes",
            "all_class_ids"
        ]
    );
    let all = p
        .get("all_class_ids")
        .unwrap()
        .to_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .unwrap();
    assert_eq!(all, [0, 1, 2, 0, 1, 2]);
    let ids = p
        .get("class_ids")
        .unwrap()
        .to_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .unwrap();
    assert_eq!(ids, [1, 0]);
}

#[test]
fn regression_head() {
    let head = RegressionHead::new();
    let logits = Tensor::<2>::from_data([[1.0f32], [2.0], [4.0]], &device());
    let labels = Tensor::<1>::from_data([1.5f32, 2.0, 2.0], &device());
    let weights = Tensor::<1>::from_data([2.0f32, 1.0, 1.0], &device());
    close(
        scalar(head.loss(logits.clone(), labels.clone(), None)),
        4.25 / 3.0,
    );
    close(
        scalar(head.loss(logits.clone(), labels.clone(), Some(weights.clone()))),
        4.5 / 3.0,
    );
    let m = results(head.metrics(logits, labels, Some(weights)));
    close(metric(&m, "average_loss"), 4.5 / 4.0);
    close(metric(&m, "label/mean"), 7.0 / 4.0);
    close(metric(&m, "prediction/mean"), 8.0 / 4.0);
}

#[test]
fn export_outputs_follow_tf() {
    let (logits, _, _) = binary_batch();
    let out = BinaryClassHead::default().export_outputs(logits);
    let names: Vec<(&str, &str)> = out.iter().map(|(n, o)| (n, o.kind())).collect();
    assert_eq!(
        names,
        [
            ("serving_default", "classify"),
            ("classification", "classify"),
            ("predict", "predict")
        ]
    );
    let reg = RegressionHead::new().export_outputs(Tensor::zeros([2, 1], &device()));
    let names: Vec<(&str, &str)> = reg.iter().map(|(n, o)| (n, o.kind())).collect();
    assert_eq!(
        names,
        [
            ("serving_default", "regress"),
            ("regression", "regress"),
            ("predict", "predict")
        ]
    );
}

#[test]
fn label_vocabulary() {
    let head = MultiClassHead::with_label_vocabulary(["Adelie", "Chinstrap", "Gentoo"]);
    let ids = head
        .classes
        .encode_strings(&["Gentoo", "Adelie"], &device())
        .unwrap();
    assert_eq!(
        ids.into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .unwrap(),
        [2, 0]
    );
    assert_eq!(head.classes.names(&[1, 2]), ["Chinstrap", "Gentoo"]);
    assert!(matches!(
        head.classes.encode_strings(&["Emperor"], &device()),
        Err(crate::feature_column::FeatureError::UnknownLabel { .. })
    ));
    assert!(head.classes.encode_ids(&[3], &device()).is_err());
    let binary = BinaryClassHead::default().with_label_vocabulary("no", "yes");
    let ids = binary
        .classes
        .encode_strings(&["yes", "no"], &device())
        .unwrap();
    assert_eq!(
        ids.into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .unwrap(),
        [1, 0]
    );
}

#[test]
fn specs_per_mode() {
    let head = MultiClassHead::new(3);
    let logits = || Tensor::<2>::zeros([2, 3], &device());
    let labels = || Some(Tensor::<1, Int>::from_data([0i64, 1], &device()));
    let predict =
        head.create_estimator_spec(ModeKeys::Predict, logits(), None, None, |_| unreachable!());
    assert!(predict.predictions.is_some() && predict.export_outputs.len() == 3);
    let eval =
        head.create_estimator_spec(ModeKeys::Eval, logits(), labels(), None, |_| unreachable!());
    assert!(eval.loss.is_some() && eval.eval_metric_ops.len() == 2);
    let ad = device().autodiff();
    let train = head.create_estimator_spec(
        ModeKeys::Train,
        Tensor::<2>::zeros([2, 3], &ad),
        Some(Tensor::<1, Int>::from_data([0i64, 1], &ad)),
        None,
        |loss| crate::TrainOp::minimize(loss, burn::optim::SgdConfig::new(), 0.1),
    );
    close(scalar(train.loss.clone().unwrap()), 3f64.ln());
    assert!(train.train_op.is_some());
    assert!(train.validate().is_ok());
}

/// Weighted losses 1·1, 2·0, 3·2: `SUM_OVER_BATCH_SIZE` divides their sum, 7, by the batch, 3;
/// `SUM` keeps it.
#[test]
fn loss_reductions_divide_the_weighted_sum_by_the_batch_or_not() {
    let losses = || Tensor::<1>::from_data([1.0f32, 2.0, 3.0], &device());
    let weights = || Some(Tensor::<1>::from_data([1.0f32, 0.0, 2.0], &device()));
    let over_batch = reduce_loss(losses(), weights(), LossReduction::SumOverBatchSize);
    close(scalar(over_batch), 7.0 / 3.0);
    close(
        scalar(reduce_loss(losses(), weights(), LossReduction::Sum)),
        7.0,
    );
    close(scalar(reduce_loss(losses(), None, LossReduction::Sum)), 6.0);
}

/// A head's `loss` follows its reduction: each head's summed loss is the batch size times its
/// averaged one, and the classifier choice keeps the reduction it was given.
#[test]
fn every_head_sums_its_loss_when_told() {
    let (logits, labels, weights) = binary_batch();
    let binary = BinaryClassHead::default();
    let mean = scalar(binary.loss(logits.clone(), labels.clone(), Some(weights.clone())));
    let summed = binary.with_loss_reduction(LossReduction::Sum);
    close(
        scalar(summed.loss(logits, labels, Some(weights))),
        4.0 * mean,
    );

    let logits = Tensor::<2>::from_data([[1.0f32, 0.0, -1.0], [0.5, 2.0, 0.0]], &device());
    let labels = Tensor::<1, Int>::from_data([0i64, 2], &device());
    let multi = MultiClassHead::new(3);
    let mean = scalar(multi.loss(logits.clone(), labels.clone(), None));
    let summed = multi.with_loss_reduction(LossReduction::Sum);
    close(scalar(summed.loss(logits, labels, None)), 2.0 * mean);

    let values = Tensor::<2>::from_data([[1.0f32], [3.0]], &device());
    let targets = Tensor::<1>::from_data([0.0f32, 1.0], &device());
    let regression = RegressionHead::new();
    close(
        scalar(regression.loss(values.clone(), targets.clone(), None)),
        2.5,
    );
    let summed = regression.with_loss_reduction(LossReduction::Sum);
    close(scalar(summed.loss(values, targets, None)), 5.0);
}

/// Configurations saved before heads had a reduction read back with TF 2's.
#[test]
fn a_head_saved_without_a_reduction_averages() {
    let head: MultiClassHead =
        serde_json::from_str(r#"{"classes":{"n_classes":3,"label_vocabulary":null}}"#).unwrap();
    assert_eq!(head.loss_reduction(), LossReduction::SumOverBatchSize);
    let head: RegressionHead = serde_json::from_str("{}").unwrap();
    assert_eq!(head.loss_reduction, LossReduction::SumOverBatchSize);
    let summed = serde_json::to_string(&head.with_loss_reduction(LossReduction::Sum)).unwrap();
    assert_eq!(summed, r#"{"loss_reduction":"sum"}"#);
}
