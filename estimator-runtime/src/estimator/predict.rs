//! `Estimator::predict`: one example at a time.

use super::Estimator;
use crate::error::Error;
use crate::hooks::{HookContext, HookSet};
use crate::mode::ModeKeys;
use crate::model_fn::ModelFn;
use crate::predictions::Predictions;
use crate::spec::PredictModeSpec;
use burn::module::Module;
use burn::tensor::TensorData;
use std::collections::VecDeque;
use std::path::PathBuf;

/// Options of `predict` (TF's `predict_keys`, `checkpoint_path`).
#[derive(Clone, Debug, Default)]
pub struct PredictArgs {
    /// Only these outputs (default: all).
    pub predict_keys: Option<Vec<String>>,
    /// Predict with this checkpoint (file or model_dir) instead of the resident model.
    pub checkpoint_path: Option<PathBuf>,
}

impl PredictArgs {
    /// Only the outputs `keys`.
    pub fn predict_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.predict_keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Predict with a given checkpoint.
    pub fn checkpoint_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.checkpoint_path = Some(path.into());
        self
    }
}

/// The outputs for one example: the batch's tensors sliced along their first dimension.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    values: Vec<(String, TensorData)>,
}

impl Prediction {
    /// The output `key`.
    pub fn get(&self, key: &str) -> Option<&TensorData> {
        self.values.iter().find(|(n, _)| n == key).map(|(_, d)| d)
    }

    /// The output `key` as `f64` values.
    pub fn values_f64(&self, key: &str) -> Option<Vec<f64>> {
        self.get(key)
            .and_then(|d| d.clone().try_into_vec_as::<f64>().ok())
    }

    /// The output `key` as one `f64` (its first element).
    pub fn scalar(&self, key: &str) -> Option<f64> {
        self.values_f64(key).and_then(|v| v.first().copied())
    }

    /// The output names.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(n, _)| n.as_str())
    }
}

/// Splits a batch of predictions into one [`Prediction`] per example.
pub(crate) fn split(
    predictions: &Predictions,
    keys: Option<&[String]>,
) -> Result<Vec<Prediction>, Error> {
    if let Some(missing) = keys.and_then(|keys| keys.iter().find(|k| predictions.get(k).is_none()))
    {
        {
            let known: Vec<&str> = predictions.names().collect();
            return Err(Error::Config(format!(
                "predict_keys: no prediction named `{missing}` (the model_fn gives {known:?})"
            )));
        }
    }
    let mut columns = Vec::new();
    let mut batch = None;
    for (name, tensor) in predictions
        .iter()
        .filter(|(n, _)| keys.is_none_or(|k| k.iter().any(|x| x == n)))
    {
        let rows = rows(tensor.to_data(), name)?;
        if batch.is_some_and(|b| b != rows.len()) {
            return Err(Error::Shape(format!(
                "prediction `{name}` has {} rows, the others {batch:?}",
                rows.len()
            )));
        }
        batch = Some(rows.len());
        columns.push((name.to_string(), rows));
    }
    let n = batch.unwrap_or(0);
    let mut out: Vec<Prediction> = (0..n).map(|_| Prediction { values: Vec::new() }).collect();
    for (name, rows) in columns {
        for (p, row) in out.iter_mut().zip(rows) {
            p.values.push((name.clone(), row));
        }
    }
    Ok(out)
}

/// The rows of a `[batch, ...]` tensor.
fn rows(data: TensorData, name: &str) -> Result<Vec<TensorData>, Error> {
    let dims = data.shape().to_vec();
    let Some((&n, rest)) = dims.split_first() else {
        return Err(Error::Shape(format!(
            "prediction `{name}` is a scalar; predictions need a batch dimension"
        )));
    };
    let dtype = data.dtype();
    let bytes = data.as_bytes();
    let stride = bytes.len().checked_div(n).unwrap_or(0);
    Ok((0..n)
        .map(|i| {
            TensorData::from_bytes_vec(
                bytes[i * stride..(i + 1) * stride].to_vec(),
                rest.to_vec(),
                dtype,
            )
        })
        .collect())
}

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Predicts on `input` (an `IntoIterator` of feature batches), yielding one example at a
    /// time, lazily. The resident model is used unless `args.checkpoint_path` names another.
    pub fn predict<'a, I>(
        &'a self,
        input: I,
        args: PredictArgs,
    ) -> Result<impl Iterator<Item = Result<Prediction, Error>> + 'a, Error>
    where
        I: IntoIterator<Item = F::Features>,
        I::IntoIter: 'a,
    {
        let model = match &args.checkpoint_path {
            Some(path) => self.model_from(path)?.0,
            None => self.resident()?.clone(),
        }
        .valid();
        let params = self.params()?;
        let mut batches = input.into_iter();
        let mut pending: VecDeque<Prediction> = VecDeque::new();
        let mut hooks = Some(HookSet::new(ModeKeys::Predict, Vec::new()));
        let (keys, global_step) = (args.predict_keys, self.global_step);
        let (mut step, mut stopped) = (0, false);
        Ok(std::iter::from_fn(move || {
            loop {
                if let Some(p) = pending.pop_front() {
                    return Some(Ok(p));
                }
                let next = if stopped { None } else { batches.next() };
                let Some(features) = next else {
                    return end_hooks(hooks.take()?, global_step);
                };
                let set = hooks.as_mut()?;
                step += 1;
                let batch = self
                    .model_fn
                    .predict_spec(&model, features, params, &self.config)
                    .and_then(|spec| predict_batch(set, spec, keys.as_deref(), step, global_step));
                match batch {
                    Ok((rows, stop)) => {
                        pending.extend(rows);
                        stopped = stop;
                    }
                    Err(e) => return Some(Err(e)),
                }
            }
        }))
    }
}

/// One batch's rows, after the spec's prediction hooks (added by the first batch) saw it;
/// also whether a hook asked to stop.
fn predict_batch(
    hooks: &mut HookSet,
    spec: PredictModeSpec,
    keys: Option<&[String]>,
    step: u64,
    global_step: u64,
) -> Result<(Vec<Prediction>, bool), Error> {
    hooks.add_spec_hooks(spec.hooks, global_step)?;
    let rows = split(&spec.predictions, keys)?;
    let ctx = HookContext::new(ModeKeys::Predict, step);
    Ok((rows, hooks.after_step(&ctx)?.stop))
}

/// Ends the hooks once the input is done: `None` ends the iteration, or an error is its last item.
fn end_hooks(mut hooks: HookSet, global_step: u64) -> Option<Result<Prediction, Error>> {
    hooks.end(global_step).err().map(Err)
}
