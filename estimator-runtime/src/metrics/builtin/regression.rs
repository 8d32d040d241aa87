//! Regression metrics: mean, and the mean squared, root mean squared and absolute errors.

use super::{host_values, op, pair, ratio};
use crate::error::Error;
use crate::metrics::{Metric, MetricOp};
use crate::predictions::AnyTensor;

/// State of [`mean`]: sum and count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mean {
    /// Sum of the values.
    pub sum: f64,
    /// Number of values.
    pub count: f64,
}

impl Metric for Mean {
    fn sums(&self) -> Option<Vec<f64>> {
        Some(vec![self.sum, self.count])
    }

    fn set_sums(&mut self, sums: &[f64]) {
        if let [sum, count] = *sums {
            (self.sum, self.count) = (sum, count);
        }
    }

    fn merge(&mut self, other: Self) {
        self.sum += other.sum;
        self.count += other.count;
    }
    fn result(&self) -> f64 {
        ratio(self.sum, self.count)
    }
}

/// The mean of every element of `values` over all batches (TF `metrics.mean`).
pub fn mean(values: impl Into<AnyTensor>) -> MetricOp {
    op(
        "mean",
        host_values("mean", values.into()).map(|v| Mean {
            sum: v.iter().sum(),
            count: v.len() as f64,
        }),
    )
}

fn errors_mean(
    metric: &'static str,
    labels: AnyTensor,
    predictions: AnyTensor,
    f: fn(f64) -> f64,
) -> Result<Mean, Error> {
    let (l, p) = pair(metric, labels, predictions)?;
    Ok(Mean {
        sum: l.iter().zip(&p).map(|(a, b)| f(a - b)).sum(),
        count: l.len() as f64,
    })
}

/// The metric `metric` over the mean of `f(label - prediction)`, wrapped as `M`.
fn errors_op<M: Metric>(
    metric: &'static str,
    (labels, predictions): (AnyTensor, AnyTensor),
    f: fn(f64) -> f64,
    wrap: fn(Mean) -> M,
) -> MetricOp {
    op(
        metric,
        errors_mean(metric, labels, predictions, f).map(wrap),
    )
}

/// `Metric` for a newtype over [`Mean`] whose result is `$result` of the mean.
macro_rules! mean_metric {
    ($($metric:ident => $result:expr),* $(,)?) => {$(
        impl Metric for $metric {
            fn sums(&self) -> Option<Vec<f64>> {
                self.0.sums()
            }

            fn set_sums(&mut self, sums: &[f64]) {
                self.0.set_sums(sums)
            }

            fn merge(&mut self, other: Self) {
                self.0.merge(other.0);
            }
            fn result(&self) -> f64 {
                $result(self.0.result())
            }
        }
    )*};
}

/// State of [`mean_squared_error`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeanSquaredError(pub Mean);

/// State of [`root_mean_squared_error`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RootMeanSquaredError(pub Mean);

/// State of [`mean_absolute_error`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeanAbsoluteError(pub Mean);

mean_metric!(
    MeanSquaredError => std::convert::identity,
    RootMeanSquaredError => f64::sqrt,
    MeanAbsoluteError => std::convert::identity,
);

/// Mean of `(labels - predictions)²` (TF `metrics.mean_squared_error`).
pub fn mean_squared_error(
    labels: impl Into<AnyTensor>,
    predictions: impl Into<AnyTensor>,
) -> MetricOp {
    let inputs = (labels.into(), predictions.into());
    errors_op("mean_squared_error", inputs, |d| d * d, MeanSquaredError)
}

/// Square root of the mean squared error over all batches (TF `metrics.root_mean_squared_error`).
pub fn root_mean_squared_error(
    labels: impl Into<AnyTensor>,
    predictions: impl Into<AnyTensor>,
) -> MetricOp {
    let inputs = (labels.into(), predictions.into());
    errors_op(
        "root_mean_squared_error",
        inputs,
        |d| d * d,
        RootMeanSquaredError,
    )
}

/// Mean of `|labels - predictions|` (TF `metrics.mean_absolute_error`).
pub fn mean_absolute_error(
    labels: impl Into<AnyTensor>,
    predictions: impl Into<AnyTensor>,
) -> MetricOp {
    let inputs = (labels.into(), predictions.into());
    errors_op("mean_absolute_error", inputs, f64::abs, MeanAbsoluteError)
}
