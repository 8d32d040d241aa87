//! The built-in metrics, with TF's definitions (`tf.compat.v1.metrics`): the classification
//! metrics in `classification.rs`, the regression ones in `regression.rs`, and what they share
//! (reading a batch's tensors back, turning a state into a `MetricOp`) here.

mod classification;
mod regression;

pub use classification::{
    Accuracy, Auc, MAX_AUC_THRESHOLDS, Precision, Recall, accuracy, auc, auc_with_thresholds,
    precision, recall,
};
pub use regression::{
    Mean, MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError, mean, mean_absolute_error,
    mean_squared_error, root_mean_squared_error,
};

use super::{Metric, MetricOp};
use crate::error::Error;
use crate::predictions::AnyTensor;

fn host_values(metric: &'static str, tensor: AnyTensor) -> Result<Vec<f64>, Error> {
    let data = tensor.to_data();
    let data = if data.dtype() == burn::tensor::DType::Bool(burn::tensor::BoolStore::Native) {
        data.convert::<u8>()
    } else {
        data
    };
    data.try_into_vec_as::<f64>()
        .map_err(|e| Error::InvalidMetricInput {
            metric,
            message: format!("cannot read tensor values: {e:?}"),
        })
}

/// Reads `labels` and `predictions`, which must have as many elements as each other.
fn pair(
    metric: &'static str,
    labels: AnyTensor,
    predictions: AnyTensor,
) -> Result<(Vec<f64>, Vec<f64>), Error> {
    let (ld, pd) = (labels.dims(), predictions.dims());
    let (l, p) = (
        host_values(metric, labels)?,
        host_values(metric, predictions)?,
    );
    if l.len() != p.len() {
        return Err(Error::InvalidMetricInput {
            metric,
            message: format!(
                "labels {ld:?} and predictions {pd:?} have different numbers of elements"
            ),
        });
    }
    Ok((l, p))
}

fn op<M: Metric>(metric: &'static str, result: Result<M, Error>) -> MetricOp {
    match result {
        Ok(m) => MetricOp::from(m),
        Err(e) => MetricOp::failed(Error::InvalidMetricInput {
            metric,
            message: e.to_string(),
        }),
    }
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { 0.0 }
}
