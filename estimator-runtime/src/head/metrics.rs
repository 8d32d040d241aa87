//! The heads' weighted metrics: host reads of a batch, and the states TF's heads use that the
//! `metrics` module has no weighted form of (`accuracy_baseline`, keras-style `auc` and
//! `auc_precision_recall`).

use crate::metrics::{Accuracy, Mean, Metric, MetricOp, Precision, Recall};
use crate::predictions::AnyTensor;

/// A tensor's values on the host, as `f64` (empty if it cannot be read).
pub(crate) fn host(t: impl Into<AnyTensor>) -> Vec<f64> {
    t.into()
        .to_data()
        .try_into_vec_as::<f64>()
        .unwrap_or_default()
}

/// The example weights on the host, ones when there are none.
pub(crate) fn host_weights(weights: Option<burn::tensor::Tensor<1>>, n: usize) -> Vec<f64> {
    weights.map_or_else(|| vec![1.0; n], host)
}

/// Weighted mean of `values` (TF `metrics.mean(values, weights)`).
pub fn weighted_mean(values: &[f64], weights: &[f64]) -> MetricOp {
    MetricOp::from(Mean {
        sum: values.iter().zip(weights).map(|(v, w)| v * w).sum(),
        count: weights.iter().sum(),
    })
}

/// Weighted accuracy of `predictions` against `labels`.
pub fn weighted_accuracy(labels: &[f64], predictions: &[f64], weights: &[f64]) -> MetricOp {
    MetricOp::from(Accuracy {
        correct: labels
            .iter()
            .zip(predictions)
            .zip(weights)
            .filter(|((l, p), _)| l == p)
            .map(|(_, w)| w)
            .sum(),
        total: weights.iter().sum(),
    })
}

/// Weighted precision and recall of binary `labels` and `predictions`.
pub fn weighted_precision_recall(
    labels: &[f64],
    predictions: &[f64],
    weights: &[f64],
) -> (MetricOp, MetricOp) {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for ((&l, &p), &w) in labels.iter().zip(predictions).zip(weights) {
        match (l != 0.0, p != 0.0) {
            (true, true) => tp += w,
            (false, true) => fp += w,
            (true, false) => fn_ += w,
            (false, false) => {}
        }
    }
    (
        MetricOp::from(Precision {
            true_positives: tp,
            false_positives: fp,
        }),
        MetricOp::from(Recall {
            true_positives: tp,
            false_negatives: fn_,
        }),
    )
}

/// State of `accuracy_baseline`: the weighted label mean `m`; the value is `max(m, 1 - m)`,
/// the accuracy of always predicting the majority class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccuracyBaseline(pub Mean);

impl Metric for AccuracyBaseline {
    fn merge(&mut self, other: Self) {
        self.0.merge(other.0);
    }
    fn result(&self) -> f64 {
        let m = self.0.result();
        m.max(1.0 - m)
    }
}

/// Which curve an [`AreaUnderCurve`] integrates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// Receiver operating characteristic (`auc`).
    Roc,
    /// Precision-recall (`auc_precision_recall`), with the Davis-Goadrich interpolation.
    PrecisionRecall,
}

/// Weighted confusion counts at TF's 200 thresholds, integrated as keras' `AUC` does (the
/// metric TF 2's heads use): trapezoids for ROC, Davis-Goadrich interpolation for PR.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaUnderCurve {
    curve: Curve,
    tp: Vec<f64>,
    fp: Vec<f64>,
    tn: Vec<f64>,
    fn_: Vec<f64>,
}

/// The thresholds: 0 - 1e-7, then `1/(n-1) .. (n-2)/(n-1)`, then 1 + 1e-7.
fn thresholds(n: usize) -> Vec<f64> {
    let eps = 1e-7;
    std::iter::once(-eps)
        .chain((1..n - 1).map(|i| i as f64 / (n - 1) as f64))
        .chain(std::iter::once(1.0 + eps))
        .collect()
}

impl AreaUnderCurve {
    /// The counts of one batch (`probabilities` in [0, 1]) at `num_thresholds` thresholds.
    pub fn new(
        curve: Curve,
        labels: &[f64],
        probabilities: &[f64],
        weights: &[f64],
        num_thresholds: usize,
    ) -> Self {
        let ts = thresholds(num_thresholds.max(3));
        let n = ts.len();
        let mut m = AreaUnderCurve {
            curve,
            tp: vec![0.0; n],
            fp: vec![0.0; n],
            tn: vec![0.0; n],
            fn_: vec![0.0; n],
        };
        for ((&l, &p), &w) in labels.iter().zip(probabilities).zip(weights) {
            for (i, &t) in ts.iter().enumerate() {
                match (l != 0.0, p > t) {
                    (true, true) => m.tp[i] += w,
                    (false, true) => m.fp[i] += w,
                    (false, false) => m.tn[i] += w,
                    (true, false) => m.fn_[i] += w,
                }
            }
        }
        m
    }

    fn roc(&self) -> f64 {
        let rate = |a: f64, b: f64| div_no_nan(a, a + b);
        let tpr: Vec<f64> = self
            .tp
            .iter()
            .zip(&self.fn_)
            .map(|(&a, &b)| rate(a, b))
            .collect();
        let fpr: Vec<f64> = self
            .fp
            .iter()
            .zip(&self.tn)
            .map(|(&a, &b)| rate(a, b))
            .collect();
        (0..tpr.len() - 1)
            .map(|i| (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2.0)
            .sum()
    }

    /// keras `interpolate_pr_auc` (Davis & Goadrich 2006).
    fn pr(&self) -> f64 {
        let n = self.tp.len();
        let p: Vec<f64> = self.tp.iter().zip(&self.fp).map(|(a, b)| a + b).collect();
        (0..n - 1)
            .map(|i| {
                let dtp = self.tp[i] - self.tp[i + 1];
                let dp = p[i] - p[i + 1];
                let slope = div_no_nan(dtp, dp.max(0.0));
                let intercept = self.tp[i + 1] - slope * p[i + 1];
                let ratio = if p[i] > 0.0 && p[i + 1] > 0.0 {
                    div_no_nan(p[i], p[i + 1].max(0.0))
                } else {
                    1.0
                };
                div_no_nan(
                    slope * (dtp + intercept * ratio.ln()),
                    (self.tp[i + 1] + self.fn_[i + 1]).max(0.0),
                )
            })
            .sum()
    }
}

fn div_no_nan(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

impl Metric for AreaUnderCurve {
    fn merge(&mut self, other: Self) {
        for (mine, theirs) in [
            (&mut self.tp, other.tp),
            (&mut self.fp, other.fp),
            (&mut self.tn, other.tn),
            (&mut self.fn_, other.fn_),
        ] {
            mine.iter_mut().zip(theirs).for_each(|(a, b)| *a += b);
        }
    }

    fn result(&self) -> f64 {
        match self.curve {
            Curve::Roc => self.roc(),
            Curve::PrecisionRecall => self.pr(),
        }
    }
}
