//! Summaries a TRAIN model_fn records, as `tf.summary.scalar` in a TF model_fn: [`scalar`]
//! collects a tensor for the step being built; the train loop writes the values at
//! `save_summary_steps` (TF's merged summaries run by `SummarySaverHook`) and drops them
//! unread on every other step, so a step without a summary adds no device → host transfer.

use crate::error::Error;
use burn::tensor::Tensor;
use std::cell::RefCell;

thread_local! {
    /// The scalars of the TRAIN model_fn call running on this thread, if one is.
    static RECORDING: RefCell<Option<Vec<(String, Tensor<1>)>>> = const { RefCell::new(None) };
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
        if let Some(scalars) = recording.borrow_mut().as_mut() {
            scalars.push((name.into(), value.detach()));
        }
    });
}

/// The scalars one model_fn call recorded, still on the device.
#[derive(Debug, Default)]
pub(crate) struct RecordedScalars(Vec<(String, Tensor<1>)>);

/// Ends the recording when dropped, also when the model_fn panics.
struct RecordingGuard(Option<Vec<(String, Tensor<1>)>>);

impl Drop for RecordingGuard {
    fn drop(&mut self) {
        let previous = self.0.take();
        RECORDING.with(|recording| *recording.borrow_mut() = previous);
    }
}

/// Runs `model_fn` (a TRAIN model_fn call) and collects the scalars it records.
pub(crate) fn recording<T>(model_fn: impl FnOnce() -> T) -> (T, RecordedScalars) {
    let previous = RECORDING.with(|recording| recording.replace(Some(Vec::new())));
    let guard = RecordingGuard(previous);
    let out = model_fn();
    let recorded = RECORDING.with(|recording| recording.take());
    drop(guard);
    (out, RecordedScalars(recorded.unwrap_or_default()))
}

impl RecordedScalars {
    /// Whether nothing was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The values, read back in one device → host transfer. A value of more than one element
    /// is an [`Error::Shape`] naming the summary.
    pub(crate) fn read(self) -> Result<Vec<(String, f64)>, Error> {
        if let Some((name, value)) = self.0.iter().find(|(_, v)| v.dims()[0] != 1) {
            return Err(Error::Shape(format!(
                "summary::scalar(\"{name}\") got {} values; a scalar summary takes a tensor of one element",
                value.dims()[0]
            )));
        }
        let (names, tensors): (Vec<String>, Vec<Tensor<1>>) = self.0.into_iter().unzip();
        if tensors.is_empty() {
            return Ok(Vec::new());
        }
        let values = Tensor::cat(tensors, 0)
            .into_data()
            .try_into_vec_as::<f64>()
            .map_err(|e| Error::Shape(format!("reading the summaries back: {e:?}")))?;
        Ok(names.into_iter().zip(values).collect())
    }
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
        let values = recorded.read().unwrap();
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
