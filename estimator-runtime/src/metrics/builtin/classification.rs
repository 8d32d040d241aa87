//! Classification metrics: accuracy, precision, recall and AUC.

use super::{op, pair, ratio};
use crate::error::Error;
use crate::metrics::{Metric, MetricOp};
use crate::predictions::AnyTensor;

/// State of [`accuracy`]: matches and count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Accuracy {
    /// Elements where prediction equals label.
    pub correct: f64,
    /// Elements seen.
    pub total: f64,
}

impl Metric for Accuracy {
    fn sums(&self) -> Option<Vec<f64>> {
        Some(vec![self.correct, self.total])
    }

    fn set_sums(&mut self, sums: &[f64]) {
        if let [correct, total] = *sums {
            (self.correct, self.total) = (correct, total);
        }
    }

    fn merge(&mut self, other: Self) {
        self.correct += other.correct;
        self.total += other.total;
    }
    fn result(&self) -> f64 {
        ratio(self.correct, self.total)
    }
}

/// How often `predictions` equals `labels` (TF `metrics.accuracy`).
pub fn accuracy(labels: impl Into<AnyTensor>, predictions: impl Into<AnyTensor>) -> MetricOp {
    op(
        "accuracy",
        pair("accuracy", labels.into(), predictions.into()).map(|(l, p)| Accuracy {
            correct: l.iter().zip(&p).filter(|(a, b)| a == b).count() as f64,
            total: l.len() as f64,
        }),
    )
}

/// Binary confusion counts at one threshold; labels and predictions are read as `!= 0`.
fn confusion(l: &[f64], p: &[f64]) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (&label, &pred) in l.iter().zip(p) {
        match (label != 0.0, pred != 0.0) {
            (true, true) => tp += 1.0,
            (false, true) => fp += 1.0,
            (true, false) => fn_ += 1.0,
            (false, false) => {}
        }
    }
    (tp, fp, fn_)
}

/// State of [`precision`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Precision {
    /// True positives.
    pub true_positives: f64,
    /// False positives.
    pub false_positives: f64,
}

impl Metric for Precision {
    fn sums(&self) -> Option<Vec<f64>> {
        Some(vec![self.true_positives, self.false_positives])
    }

    fn set_sums(&mut self, sums: &[f64]) {
        if let [true_positives, false_positives] = *sums {
            (self.true_positives, self.false_positives) = (true_positives, false_positives);
        }
    }

    fn merge(&mut self, other: Self) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
    }
    fn result(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }
}

/// `tp / (tp + fp)` for binary labels and predictions (TF `metrics.precision`).
pub fn precision(labels: impl Into<AnyTensor>, predictions: impl Into<AnyTensor>) -> MetricOp {
    op(
        "precision",
        pair("precision", labels.into(), predictions.into()).map(|(l, p)| {
            let (tp, fp, _) = confusion(&l, &p);
            Precision {
                true_positives: tp,
                false_positives: fp,
            }
        }),
    )
}

/// State of [`recall`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recall {
    /// True positives.
    pub true_positives: f64,
    /// False negatives.
    pub false_negatives: f64,
}

impl Metric for Recall {
    fn sums(&self) -> Option<Vec<f64>> {
        Some(vec![self.true_positives, self.false_negatives])
    }

    fn set_sums(&mut self, sums: &[f64]) {
        if let [true_positives, false_negatives] = *sums {
            (self.true_positives, self.false_negatives) = (true_positives, false_negatives);
        }
    }

    fn merge(&mut self, other: Self) {
        self.true_positives += other.true_positives;
        self.false_negatives += other.false_negatives;
    }
    fn result(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
}

/// `tp / (tp + fn)` for binary labels and predictions (TF `metrics.recall`).
pub fn recall(labels: impl Into<AnyTensor>, predictions: impl Into<AnyTensor>) -> MetricOp {
    op(
        "recall",
        pair("recall", labels.into(), predictions.into()).map(|(l, p)| {
            let (tp, _, fn_) = confusion(&l, &p);
            Recall {
                true_positives: tp,
                false_negatives: fn_,
            }
        }),
    )
}

/// State of [`auc`]: confusion counts at each threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Auc {
    thresholds: Vec<f64>,
    tp: Vec<f64>,
    fp: Vec<f64>,
    tn: Vec<f64>,
    fn_: Vec<f64>,
}

const KEPSILON: f64 = 1e-7;

/// The most thresholds [`auc_with_thresholds`] accepts: each costs four counters and a
/// comparison per example, so more is a mistake, not a finer curve (TF's default is 200).
pub const MAX_AUC_THRESHOLDS: usize = 100_000;

impl Auc {
    /// TF's thresholds: `num` values spread over [0, 1], the ends pushed out by 1e-7.
    fn thresholds(num: usize) -> Vec<f64> {
        let num = num.max(2);
        let inner = (0..num - 2).map(|i| (i + 1) as f64 / (num - 1) as f64);
        std::iter::once(-KEPSILON)
            .chain(inner)
            .chain(std::iter::once(1.0 + KEPSILON))
            .collect()
    }

    fn new(labels: &[f64], predictions: &[f64], num_thresholds: usize) -> Auc {
        let thresholds = Auc::thresholds(num_thresholds);
        let n = thresholds.len();
        let mut auc = Auc {
            thresholds,
            tp: vec![0.0; n],
            fp: vec![0.0; n],
            tn: vec![0.0; n],
            fn_: vec![0.0; n],
        };
        for (&label, &pred) in labels.iter().zip(predictions) {
            for (i, &t) in auc.thresholds.iter().enumerate() {
                match (label != 0.0, pred > t) {
                    (true, true) => auc.tp[i] += 1.0,
                    (false, true) => auc.fp[i] += 1.0,
                    (false, false) => auc.tn[i] += 1.0,
                    (true, false) => auc.fn_[i] += 1.0,
                }
            }
        }
        auc
    }
}

impl Metric for Auc {
    /// The four confusion counts at every threshold (the thresholds themselves are the same on
    /// every shard of one evaluation).
    fn sums(&self) -> Option<Vec<f64>> {
        Some([self.tp.as_slice(), &self.fp, &self.tn, &self.fn_].concat())
    }

    fn set_sums(&mut self, sums: &[f64]) {
        let n = self.thresholds.len();
        if sums.len() != 4 * n {
            return;
        }
        for (k, counts) in [&mut self.tp, &mut self.fp, &mut self.tn, &mut self.fn_]
            .into_iter()
            .enumerate()
        {
            counts.copy_from_slice(&sums[k * n..(k + 1) * n]);
        }
    }

    fn mergeable(&self, other: &Self) -> Result<(), String> {
        if self.thresholds == other.thresholds {
            Ok(())
        } else {
            Err(format!(
                "auc states with {} and {} thresholds cannot be merged; give every batch the same `num_thresholds`",
                self.thresholds.len(),
                other.thresholds.len()
            ))
        }
    }

    /// Adds `other`'s counts; a state with other thresholds (see [`Metric::mergeable`]) is
    /// left out rather than mixed in.
    fn merge(&mut self, other: Self) {
        if self.mergeable(&other).is_err() {
            return;
        }
        for (mine, theirs) in [
            (&mut self.tp, other.tp),
            (&mut self.fp, other.fp),
            (&mut self.tn, other.tn),
            (&mut self.fn_, other.fn_),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }

    /// ROC AUC by the trapezoidal rule over the thresholds, as TF's `compute_auc`.
    fn result(&self) -> f64 {
        let n = self.thresholds.len();
        let tpr: Vec<f64> = (0..n)
            .map(|i| (self.tp[i] + KEPSILON) / (self.tp[i] + self.fn_[i] + KEPSILON))
            .collect();
        let fpr: Vec<f64> = (0..n)
            .map(|i| self.fp[i] / (self.fp[i] + self.tn[i] + KEPSILON))
            .collect();
        (0..n - 1)
            .map(|i| (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2.0)
            .sum()
    }
}

/// ROC AUC with TF's 200 bucketed thresholds (TF `metrics.auc`); predictions in [0, 1].
pub fn auc(labels: impl Into<AnyTensor>, predictions: impl Into<AnyTensor>) -> MetricOp {
    auc_with_thresholds(labels, predictions, 200)
}

/// [`auc`] with `num_thresholds` thresholds, from 2 to [`MAX_AUC_THRESHOLDS`] (TF:
/// `num_thresholds must be > 1`); outside that range the op is an error.
pub fn auc_with_thresholds(
    labels: impl Into<AnyTensor>,
    predictions: impl Into<AnyTensor>,
    num_thresholds: usize,
) -> MetricOp {
    if !(2..=MAX_AUC_THRESHOLDS).contains(&num_thresholds) {
        return MetricOp::failed(Error::InvalidMetricInput {
            metric: "auc",
            message: format!(
                "num_thresholds is {num_thresholds}; give 2 to {MAX_AUC_THRESHOLDS} (TF's default is 200)"
            ),
        });
    }
    op(
        "auc",
        pair("auc", labels.into(), predictions.into()).and_then(|(l, p)| {
            if p.iter().any(|v| !(0.0..=1.0).contains(v)) {
                return Err(Error::InvalidMetricInput {
                    metric: "auc",
                    message: "predictions must lie in [0, 1]".into(),
                });
            }
            Ok(Auc::new(&l, &p, num_thresholds))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::EvalMetricOps;

    #[test]
    fn auc_of_a_perfect_ranking_is_one_and_of_a_reversed_one_zero() {
        let labels = [0.0, 0.0, 1.0, 1.0];
        assert!((Auc::new(&labels, &[0.1, 0.2, 0.8, 0.9], 200).result() - 1.0).abs() < 1e-6);
        assert!(Auc::new(&labels, &[0.9, 0.8, 0.2, 0.1], 200).result().abs() < 1e-6);
    }

    #[test]
    fn auc_matches_hand_computed_value() {
        // One positive ranked below one negative out of four pairs: AUC = 3/4.
        let labels = [0.0, 1.0, 0.0, 1.0];
        let preds = [0.1, 0.35, 0.4, 0.8];
        assert!((Auc::new(&labels, &preds, 200).result() - 0.75).abs() < 1e-3);
    }

    #[test]
    fn auc_merges_batches_exactly() {
        let mut a = Auc::new(&[0.0, 1.0], &[0.1, 0.35], 50);
        a.merge(Auc::new(&[0.0, 1.0], &[0.4, 0.8], 50));
        let whole = Auc::new(&[0.0, 1.0, 0.0, 1.0], &[0.1, 0.35, 0.4, 0.8], 50);
        assert_eq!(a, whole);
    }

    fn tensor(values: [f32; 4]) -> burn::tensor::Tensor<1> {
        burn::tensor::Tensor::from_data(values, &burn::tensor::Device::default())
    }

    #[test]
    fn auc_with_absurd_threshold_counts_is_an_error_not_an_abort() {
        for n in [usize::MAX, MAX_AUC_THRESHOLDS + 1, 1, 0] {
            let labels = tensor([0.0, 1.0, 0.0, 1.0]);
            let op = auc_with_thresholds(labels, tensor([0.1, 0.35, 0.4, 0.8]), n);
            let err = op.result().unwrap_err();
            assert!(err.to_string().contains("num_thresholds"), "{n}: {err}");
        }
    }

    #[test]
    fn auc_states_with_other_threshold_counts_do_not_merge() {
        let batch = || (tensor([0.0, 1.0, 0.0, 1.0]), tensor([0.1, 0.35, 0.4, 0.8]));
        let (l, p) = batch();
        let mut ops = EvalMetricOps::new().with("auc", auc_with_thresholds(l, p, 200));
        let (l, p) = batch();
        let other = EvalMetricOps::new().with("auc", auc_with_thresholds(l, p, 10));
        let err = ops.merge(other).unwrap_err();
        assert!(
            err.to_string()
                .contains("`auc`: auc states with 200 and 10 thresholds"),
            "{err}"
        );
    }

    #[test]
    fn confusion_counts() {
        assert_eq!(
            confusion(&[1.0, 1.0, 0.0, 0.0, 1.0], &[1.0, 0.0, 1.0, 0.0, 1.0]),
            (2.0, 1.0, 1.0)
        );
    }
}
