//! What the server serves: a loaded export version behind the object-safe [`Servable`]
//! trait, with the receivers that turn a request's batch into a model_fn's features.

use crate::error::ServingError;
use crate::response::OutputTensor;
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use estimator_runtime::export::DENSE_INPUT_NAME;
use estimator_runtime::feature_column::{ColumnValues, FeatureBatch};
use estimator_runtime::{ExportManifest, ExportedModel, ModelFn, SignatureDef};
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;

/// What [`Servable::run`] returns: the signature's output tensors, or an answer in TF
/// Serving's error shape.
pub type RunResult = Result<Vec<OutputTensor>, ServingError>;

/// One loaded version of a model: its signatures, and a forward pass over a request batch.
pub trait Servable: Send + Sync + 'static {
    /// The export's manifest (signatures with inputs and outputs).
    fn manifest(&self) -> &ExportManifest;

    /// Runs `signature` on `batch` (already checked against the signature's inputs).
    fn run(&self, signature: &str, batch: &FeatureBatch) -> RunResult;

    /// The class labels `:classify` pairs with scores (the label vocabulary); empty means the
    /// class ids as strings.
    fn class_labels(&self) -> Vec<String> {
        Vec::new()
    }

    /// The signature `name`, or an INVALID_ARGUMENT naming the known ones.
    fn signature(&self, name: &str) -> Result<&SignatureDef, ServingError> {
        let signatures = &self.manifest().signatures;
        signatures.iter().find(|s| s.name == name).ok_or_else(|| {
            let known: Vec<&str> = signatures.iter().map(|s| s.name.as_str()).collect();
            ServingError::invalid(format!(
                "no signature `{name}` in the model (it has {known:?})"
            ))
        })
    }
}

/// TF's serving input receiver: builds a model_fn's features from a request batch.
///
/// Implemented for a dense float tensor of any rank, read from the single input `input`
/// (TF's raw serving input receiver). Implement it for your own features type to serve a
/// model_fn that takes something else.
pub trait ServingInput: Sized {
    /// The features for `batch`, on `device`.
    fn from_batch(batch: &FeatureBatch, device: &Device) -> Result<Self, ServingError>;
}

impl<const D: usize> ServingInput for Tensor<D> {
    fn from_batch(batch: &FeatureBatch, device: &Device) -> Result<Self, ServingError> {
        let Some(ColumnValues::Float(values)) = batch.get(DENSE_INPUT_NAME) else {
            return Err(ServingError::invalid(format!(
                "the request has no float input `{DENSE_INPUT_NAME}`"
            )));
        };
        let examples = batch.len();
        let per_example = values.len() / examples.max(1);
        if D != 2 && D != 1 {
            return Err(ServingError::invalid(format!(
                "a rank-{D} input cannot be filled from rows"
            )));
        }
        let shape: Vec<usize> = if D == 1 {
            vec![examples]
        } else {
            vec![examples, per_example]
        };
        if shape.iter().product::<usize>() != values.len() {
            return Err(ServingError::invalid(format!(
                "input `{DENSE_INPUT_NAME}` has {} values, not {examples} rows of {per_example}",
                values.len()
            )));
        }
        let data = TensorData::new(values.clone(), shape);
        Ok(Tensor::from_data(data, device))
    }
}

/// A model_fn whose exports the server can load and serve: the bounds [`ExportedServable`],
/// [`exported_loader`](crate::exported_loader) and [`main`](crate::main) need, spelled once.
/// Every `#[model_fn]` whose model is a `Send` module and whose features have a
/// [`ServingInput`] receiver has it.
pub trait ServableModelFn:
    ModelFn<Model: Module + Send, Params: Send + 'static, Features: ServingInput> + Send + 'static
{
}

impl<F> ServableModelFn for F where
    F: ModelFn<Model: Module + Send, Params: Send + 'static, Features: ServingInput>
        + Send
        + 'static
{
}

/// What makes a fresh model of a version on a device, for the loaders: a shareable
/// `Fn(&Device) -> Model`.
pub trait MakeModel<Model>: Fn(&Device) -> Model + Send + Sync + 'static {}

impl<Model, M> MakeModel<Model> for M where M: Fn(&Device) -> Model + Send + Sync + 'static {}

/// An [`ExportedModel`] of a custom model_fn, served through its [`ServingInput`] receiver.
pub struct ExportedServable<F: ModelFn> {
    // burn modules are `Send` but not `Sync`: one forward pass at a time per version (batching
    // is what makes a forward pass serve many requests).
    model: Mutex<ExportedModel<F>>,
    manifest: ExportManifest,
    device: Device,
}

impl<F> ExportedServable<F>
where
    F: ModelFn,
    F::Model: Module,
    F::Params: 'static,
{
    /// Wraps a loaded export; `device` is where its features are built.
    pub fn new(model: ExportedModel<F>, device: Device) -> Self {
        ExportedServable {
            manifest: model.manifest().clone(),
            model: Mutex::new(model),
            device,
        }
    }
}

impl<F: ServableModelFn> Servable for ExportedServable<F> {
    fn manifest(&self) -> &ExportManifest {
        &self.manifest
    }

    fn run(&self, signature: &str, batch: &FeatureBatch) -> RunResult {
        let features = F::Features::from_batch(batch, &self.device)?;
        // A panic is caught inside `guarded`, so the lock is never poisoned by one.
        let model = self.model.lock().unwrap_or_else(|p| p.into_inner());
        guarded(|| model.predict(signature, features))
    }
}

/// Runs a prediction, turning its error or panic (a shape burn rejects) into an answer.
pub(crate) fn guarded(
    predict: impl FnOnce() -> Result<Vec<(String, TensorData)>, estimator_runtime::Error>,
) -> RunResult {
    let outputs = std::panic::catch_unwind(AssertUnwindSafe(predict))
        .map_err(|panic| {
            ServingError::invalid(format!(
                "the model rejected the input: {}",
                panic_message(&panic)
            ))
        })?
        .map_err(|e| ServingError::invalid(e.to_string()))?;
    outputs
        .iter()
        .map(|(name, data)| OutputTensor::from_data(name, data))
        .collect()
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".into())
}
