//! Summaries a TRAIN model_fn records, as `tf.summary.scalar` and `tf.summary.histogram` in a
//! TF model_fn: [`scalar`] and [`histogram`] collect a tensor for the step being built; the train loop writes the values at
//! `save_summary_steps` (TF's merged summaries run by `SummarySaverHook`) and drops them
//! unread on every other step, so a step without a summary adds no device → host transfer.

use crate::error::Error;
use burn::tensor::Tensor;
use std::cell::RefCell;

thread_local! {
    /// The summaries of the TRAIN model_fn call running on this thread, if one is.
    static RECORDING: RefCell<Option<RecordedSummaries>> = const { RefCell::new(None) };
}

/// Records a scalar summary named `name` for this training step, as `tf.summary.scalar(name,
/// value)` in a TF model_fn. `value` holds one element (`[1]`, like a burn loss). The Estimator
/// writes it to model_dir's event file at every `save_summary_steps`, next to `loss`, where
/// TensorBoard shows it; on other steps it is never read back from the device.
///
/// Outside a TRAIN model_fn call (EVAL, PREDICT, or user code) this does nothing, as TF's
/// Estimator runs the merged summaries only in training; report evaluation values through
/// `eval_metric_ops`.
///
/// ```
/// use estimator_runtime::prelude::*;
/// use estimator_runtime::summary;
///
/// fn accuracy_summary(logits: Tensor<2>, labels: Tensor<1, Int>) {
///     let classes = logits.argmax(1).flatten::<1>(0, 1);
///     let accuracy = classes.equal(labels).float().mean();
///     summary::scalar("accuracy", accuracy);
/// }
/// # accuracy_summary(Tensor::zeros([2, 3], &Device::default()), Tensor::zeros([2], &Device::default()));
/// ```
pub fn scalar(name: impl Into<String>, value: Tensor<1>) {
    RECORDING.with(|recording| {
        if let Some(recorded) = recording.borrow_mut().as_mut() {
            recorded.scalars.push((name.into(), value.detach()));
        }
    });
}

/// Records a histogram summary of every value of `values` for this training step, as
/// `tf.summary.histogram(name, values)` in a TF model_fn (TF's default buckets; TensorBoard's
/// Histograms and Distributions tabs). Written, like [`scalar`], at `save_summary_steps` only:
/// the values are read back on those steps alone.
///
/// ```
/// use estimator_runtime::prelude::*;
/// use estimator_runtime::summary;
///
/// fn weight_histogram(layer: &nn::Linear) {
///     summary::histogram("dense/kernel", layer.weight.val());
/// }
/// # weight_histogram(&nn::LinearConfig::new(2, 2).init(&Device::default()));
/// ```
pub fn histogram<const D: usize>(name: impl Into<String>, values: Tensor<D>) {
    RECORDING.with(|recording| {
        if let Some(recorded) = recording.borrow_mut().as_mut() {
            let count = values.shape().num_elements();
            let flat = values.detach().reshape([count]);
            recorded.histograms.push((name.into(), flat));
        }
    });
}

/// The summaries one model_fn call recorded, still on the device.
#[derive(Debug, Default)]
pub(crate) struct RecordedSummaries {
    scalars: Vec<(String, Tensor<1>)>,
    histograms: Vec<(String, Tensor<1>)>,
}

/// Values read back: each scalar, and each histogram's values.
pub(crate) type SummaryValues = (Vec<(String, f64)>, Vec<(String, Vec<f64>)>);

/// Ends the recording when dropped, also when the model_fn panics.
struct RecordingGuard(Option<RecordedSummaries>);

impl Drop for RecordingGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        RECORDING.with(|recording| *recording.borrow_mut() = previous);
    }
}

/// Runs `model_fn` (a TRAIN model_fn call) and collects the summaries it records.
pub(crate) fn recording<T>(model_fn: impl FnOnce() -> T) -> (T, RecordedSummaries) {
    let fresh = RecordedSummaries::default();
    let previous = RECORDING.with(|recording| recording.replace(Some(fresh)));
    let guard = RecordingGuard(previous);
    let out = model_fn();
    let recorded = RECORDING.with(|recording| recording.take());
    drop(guard);
    (out, recorded.unwrap_or_default())
}

impl RecordedSummaries {
    /// Whether nothing was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.scalars.is_empty() && self.histograms.is_empty()
    }

    /// The values: the scalars in one device → host transfer, each histogram in one.
    pub(crate) fn read(self) -> Result<SummaryValues, Error> {
        let scalars = read_scalars(self.scalars)?;
        let histograms = self
            .histograms
            .into_iter()
            .map(|(name, values)| Ok((name, values.into_data().try_into_vec_as::<f64>()?)))
            .collect::<Result<_, burn::tensor::DataError>>()
            .map_err(|e| Error::Shape(format!("reading a histogram summary back: {e:?}")))?;
        Ok((scalars, histograms))
    }
}

/// The scalars' values, read back in one device → host transfer. A value of more than one
/// element is an [`Error::Shape`] naming the summary.
fn read_scalars(scalars: Vec<(String, Tensor<1>)>) -> Result<Vec<(String, f64)>, Error> {
    if let Some((name, value)) = scalars.iter().find(|(_, v)| v.dims()[0] != 1) {
        return Err(Error::Shape(format!(
            "summary::scalar(\"{name}\") got {} values; a scalar summary takes a tensor of one element",
            value.dims()[0]
        )));
    }
    let (names, tensors): (Vec<String>, Vec<Tensor<1>>) = scalars.into_iter().unzip();
    if tensors.is_empty() {
        return Ok(Vec::new());
    }
    let values = Tensor::cat(tensors, 0)
        .into_data()
        .try_into_vec_as::<f64>()
        .map_err(|e| Error::Shape(format!("reading the summaries back: {e:?}")))?;
    Ok(names.into_iter().zip(values).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use burn::tensor::Device;

    #[test]
    fn only_a_recording_call_collects_and_values_read_back() {
        let device = Device::default();
        scalar("outside", Tensor::from_data([1.0f32], &device));
        let ((), recorded) = recording(|| {
            scalar("a", Tensor::from_data([0.25f32], &device));
            scalar("b", Tensor::from_data([3.0f32], &device));
        });
        let (values, _) = recorded.read().unwrap();
        assert_eq!(values, [("a".to_string(), 0.25), ("b".to_string(), 3.0)]);
        let ((), after) = recording(|| ());
        assert!(after.is_empty(), "the earlier call's scalars stayed behind");
    }

    #[test]
    fn a_summary_of_several_values_is_a_shape_error() {
        let device = Device::default();
        let ((), recorded) = recording(|| scalar("v", Tensor::from_data([1.0f32, 2.0], &device)));
        let err = recorded.read().unwrap_err().to_string();
        assert!(err.contains("summary::scalar(\"v\") got 2 values"), "{err}");
    }
}
