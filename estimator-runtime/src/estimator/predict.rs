//! `Estimator::predict`: one example at a time.

use super::Estimator;
use crate::error::Error;
use crate::hooks::{Hook, HookContext, HookSet};
use crate::mode::ModeKeys;
use crate::model_fn::ModelFn;
use crate::predictions::Predictions;
use crate::spec::{EstimatorSpec, ModeSpec};
use burn::module::Module;
use burn::tensor::TensorData;
use std::borrow::Cow;
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

/// Splits a batch of predictions into one [`Prediction`] per example. The rows are built in
/// place: no per-column buffer, and the last example takes each name without a copy. A batch of
/// one example (single-example predict, serving) takes each output's buffer as it is.
pub(crate) fn split(predictions: Predictions, keys: Option<&[String]>) -> Result<Rows, Error> {
    if let Some(missing) = keys.and_then(|keys| keys.iter().find(|k| predictions.get(k).is_none()))
    {
        let known: Vec<&str> = predictions.names().collect();
        return Err(Error::Config(format!(
            "predict_keys: no prediction named `{missing}` (the model_fn gives {known:?})"
        )));
    }
    let width = keys.map_or(predictions.len(), <[String]>::len);
    let columns = predictions
        .into_entries()
        .into_iter()
        .filter(|(n, _)| keys.is_none_or(|k| k.iter().any(|x| x == n)));
    let mut out: Option<Rows> = None;
    for (name, tensor) in columns {
        let data = tensor.into_data();
        let n = batch_size(&data, &name)?;
        let out = out.get_or_insert_with(|| Rows::empty(n, width));
        if n != out.len() {
            return Err(Error::Shape(format!(
                "prediction `{name}` has {n} rows, the others {:?}",
                Some(out.len())
            )));
        }
        match out {
            // One example: its row is the whole buffer, no copy.
            Rows::One(Some(one)) => one.values.push((name, drop_batch_dim(data))),
            Rows::One(None) => {}
            Rows::Many(many) => push_column(many.as_mut_slice(), name, rows(data, n)),
        }
    }
    Ok(out.unwrap_or_default())
}

/// The examples of a batch, handed out in order: one without a `Vec` around it, or several.
/// The default is none left.
pub(crate) enum Rows {
    One(Option<Prediction>),
    Many(std::vec::IntoIter<Prediction>),
}

impl Rows {
    /// `n` predictions with no outputs yet, room for `width` each.
    fn empty(n: usize, width: usize) -> Rows {
        let empty = || Prediction {
            values: Vec::with_capacity(width),
        };
        match n {
            1 => Rows::One(Some(empty())),
            n => Rows::Many((0..n).map(|_| empty()).collect::<Vec<_>>().into_iter()),
        }
    }

    /// How many are left.
    fn len(&self) -> usize {
        match self {
            Rows::One(one) => usize::from(one.is_some()),
            Rows::Many(many) => many.len(),
        }
    }
}

impl Default for Rows {
    fn default() -> Rows {
        Rows::One(None)
    }
}

impl Iterator for Rows {
    type Item = Prediction;
    fn next(&mut self) -> Option<Prediction> {
        match self {
            Rows::One(one) => one.take(),
            Rows::Many(many) => many.next(),
        }
    }
}

/// The first dimension of a prediction (its batch), or the error for a scalar.
fn batch_size(data: &TensorData, name: &str) -> Result<usize, Error> {
    data.shape().first().copied().ok_or_else(|| {
        Error::Shape(format!(
            "prediction `{name}` is a scalar; predictions need a batch dimension"
        ))
    })
}

/// A `[1, ...]` tensor as its one row.
fn drop_batch_dim(data: TensorData) -> TensorData {
    let (bytes, shape, dtype) = data.into_parts();
    TensorData::from_bytes(bytes, shape.iter().skip(1).copied(), dtype)
}

/// Adds the output `name` to each prediction, one row each (`rows.len() == out.len()`).
fn push_column(out: &mut [Prediction], name: String, rows: Vec<TensorData>) {
    let Some((last, others)) = out.split_last_mut() else {
        return;
    };
    let mut rows = rows.into_iter();
    for (p, row) in others.iter_mut().zip(rows.by_ref()) {
        p.values.push((name.clone(), row));
    }
    if let Some(row) = rows.next() {
        last.values.push((name, row));
    }
}

/// The `n` rows of a `[n, ...]` tensor (`n` ≥ 2), each copied out.
fn rows(data: TensorData, n: usize) -> Vec<TensorData> {
    let dtype = data.dtype();
    let rest = &data.shape()[1..];
    let bytes = data.as_bytes();
    let stride = bytes.len().checked_div(n).unwrap_or(0);
    (0..n)
        .map(|i| {
            TensorData::from_bytes_vec(
                bytes[i * stride..(i + 1) * stride].to_vec(),
                rest.iter().copied(),
                dtype,
            )
        })
        .collect()
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
            Some(path) => Cow::Owned(self.model_from(path)?.0.valid()),
            None => Cow::Borrowed(self.inference_model()?),
        };
        Ok(PredictStream {
            estimator: self,
            model,
            params: self.params()?,
            batches: input.into_iter(),
            keys: args.predict_keys,
            pending: Rows::default(),
            hooks: Some(HookSet::new(ModeKeys::Predict, Vec::new())),
            step: 0,
            stopped: false,
        })
    }
}

/// The lazy iterator `predict` returns: one batch through the model_fn at a time, its rows
/// handed out one by one, with the spec's prediction hooks around it.
struct PredictStream<'a, F: ModelFn, It>
where
    F::Model: Module,
{
    estimator: &'a Estimator<F>,
    /// The resident inference model, or one loaded from `checkpoint_path`.
    model: Cow<'a, F::Model>,
    params: &'a F::Params,
    batches: It,
    keys: Option<Vec<String>>,
    /// The rows of the latest batch not handed out yet.
    pending: Rows,
    /// `None` once the hooks have ended (the iteration is over).
    hooks: Option<HookSet>,
    /// Batches run so far.
    step: u64,
    stopped: bool,
}

impl<F, It> Iterator for PredictStream<'_, F, It>
where
    F: ModelFn,
    F::Model: Module,
    It: Iterator<Item = F::Features>,
{
    type Item = Result<Prediction, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(p) = self.pending.next() {
                return Some(Ok(p));
            }
            let next = if self.stopped {
                None
            } else {
                self.batches.next()
            };
            let Some(features) = next else {
                let mut hooks = self.hooks.take()?;
                return hooks.end(self.estimator.global_step).err().map(Err);
            };
            // A panic in the model_fn or the model is Error::ModelFn, as in train and evaluate.
            let ran =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_batch(features)))
                    .unwrap_or_else(|panic| Err(Error::from_panic(ModeKeys::Predict, panic)));
            if let Err(e) = ran {
                return Some(Err(e));
            }
        }
    }
}

impl<F, It> PredictStream<'_, F, It>
where
    F: ModelFn,
    F::Model: Module,
{
    /// One batch through the model_fn and the hooks; its rows become `pending`.
    fn run_batch(&mut self, features: F::Features) -> Result<(), Error> {
        let est = self.estimator;
        let spec: PredictRun =
            est.model_fn
                .mode_spec(&self.model, features, None, self.params, &est.config)?;
        let Some(hooks) = self.hooks.as_mut() else {
            return Ok(());
        };
        hooks.add_spec_hooks(spec.hooks, est.global_step)?;
        // `run_batch` runs only once the previous batch's rows are all out.
        self.pending = split(spec.predictions, self.keys.as_deref())?;
        self.step += 1;
        let ctx = HookContext::new(ModeKeys::Predict, self.step);
        self.stopped = hooks.after_step(&ctx)?.stop;
        Ok(())
    }
}

/// What `predict` keeps of a PREDICT spec: [`PredictModeSpec`](crate::PredictModeSpec) with the
/// same checks (`EstimatorSpec::validate`, which includes TF's `serving_default` rule), but no
/// resolved serving signatures: `predict` never reads them, and resolving them clones the
/// predictions on every batch.
struct PredictRun {
    predictions: Predictions,
    hooks: Vec<Box<dyn Hook>>,
}

impl ModeSpec for PredictRun {
    const MODE: ModeKeys = ModeKeys::Predict;
}

impl TryFrom<EstimatorSpec> for PredictRun {
    type Error = Error;
    fn try_from(spec: EstimatorSpec) -> Result<Self, Error> {
        spec.check()?;
        let mode = spec.mode;
        Ok(PredictRun {
            predictions: spec.predictions.ok_or(Error::MissingPredictions { mode })?,
            hooks: spec.prediction_hooks,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use burn::tensor::{Device, Int, Tensor};

    fn predictions(batch: usize) -> Predictions {
        let device = Device::default();
        let values: Vec<f32> = (0..batch * 3).map(|v| v as f32).collect();
        let classes: Vec<i64> = (0..batch as i64).collect();
        Predictions::new()
            .with(
                "probabilities",
                Tensor::<2>::from_data(TensorData::new(values, [batch, 3]), &device),
            )
            .with(
                "class",
                Tensor::<1, Int>::from_data(TensorData::new(classes, [batch]), &device),
            )
    }

    /// Every example's row of every output, in order, without its batch dimension: for a batch
    /// of one (the buffer taken as it is) and of several (rows copied out).
    #[test]
    fn split_gives_each_examples_rows() {
        for batch in [1, 4] {
            let rows: Vec<Prediction> = split(predictions(batch), None).unwrap().collect();
            assert_eq!(rows.len(), batch);
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row.keys().collect::<Vec<_>>(), ["probabilities", "class"]);
                let p = row.get("probabilities").unwrap();
                assert_eq!(p.shape().as_slice(), &[3]);
                let want: Vec<f64> = (3 * i..3 * i + 3).map(|v| v as f64).collect();
                assert_eq!(row.values_f64("probabilities").unwrap(), want);
                assert_eq!(
                    row.get("class").unwrap().shape().as_slice(),
                    &[] as &[usize]
                );
                assert_eq!(row.scalar("class"), Some(i as f64));
            }
        }
    }

    #[test]
    fn split_keeps_only_the_keys_asked_for() {
        let keys = ["class".to_string()];
        let rows: Vec<Prediction> = split(predictions(2), Some(&keys)).unwrap().collect();
        assert_eq!(rows[1].keys().collect::<Vec<_>>(), ["class"]);
        let missing = ["logits".to_string()];
        let Err(e) = split(predictions(2), Some(&missing)) else {
            panic!("a missing key must fail");
        };
        assert!(
            e.to_string().contains("no prediction named `logits`"),
            "{e}"
        );
    }

    #[test]
    fn split_refuses_unequal_batches_and_scalars() {
        let device = Device::default();
        let unequal = predictions(1).with("extra", Tensor::<2>::zeros([2, 1], &device));
        let Err(e) = split(unequal, None) else {
            panic!("unequal batches must fail");
        };
        assert!(
            e.to_string().contains("has 2 rows, the others Some(1)"),
            "{e}"
        );
        let scalar = Predictions::new().with(
            "s",
            Tensor::<1>::zeros([1], &device).sum().reshape([0usize; 0]),
        );
        let Err(e) = split(scalar, None) else {
            panic!("a scalar must fail");
        };
        assert!(e.to_string().contains("is a scalar"), "{e}");
    }
}
