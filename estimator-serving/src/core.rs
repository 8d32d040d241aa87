//! The one `predict(request) -> response` core that the HTTP front end is a thin layer over.

use crate::error::ServingError;
use crate::metadata::{metadata_answer, status_answer};
use crate::request::{RequestBody, to_batch};
use crate::response::{OutputTensor, classify_answer, predict_answer, regress_answer};
use crate::servable::Servable;
use crate::versions::ServedModel;
use estimator_runtime::feature_column::FeatureBatch;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The three inference calls of TF Serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `:predict`: any signature, raw outputs.
    Predict,
    /// `:classify`: a `classify` signature, `[label, score]` pairs.
    Classify,
    /// `:regress`: a `regress` signature, one value per example.
    Regress,
}

impl Verb {
    /// The signature method the verb needs (`None`: any).
    fn method(self) -> Option<&'static str> {
        match self {
            Verb::Predict => None,
            Verb::Classify => Some("classify"),
            Verb::Regress => Some("regress"),
        }
    }

    /// The call's name: `predict`, `classify` or `regress`.
    pub fn name(self) -> &'static str {
        match self {
            Verb::Predict => "predict",
            Verb::Classify => "classify",
            Verb::Regress => "regress",
        }
    }

    /// The key of the body's rows: `instances` or `examples`.
    pub fn row_key(self) -> &'static str {
        match self {
            Verb::Predict => "instances",
            Verb::Classify | Verb::Regress => "examples",
        }
    }
}

/// One inference request, whatever front end it came through.
#[derive(Debug, Clone)]
pub struct InferenceRequest {
    /// The model's name.
    pub model: String,
    /// A version, or the newest.
    pub version: Option<u64>,
    /// Which call.
    pub verb: Verb,
    /// The signature and examples.
    pub body: RequestBody,
}

/// A checked request: the version and signature to run, and how to answer.
pub struct Prepared {
    /// The version it runs on (held until the answer is written).
    pub servable: Arc<dyn Servable>,
    /// The version's number.
    pub version: u64,
    /// The signature's name.
    pub signature: String,
    verb: Verb,
    rows: bool,
}

impl Prepared {
    /// The JSON answer for the signature's `outputs`.
    pub fn answer(&self, outputs: &[OutputTensor]) -> Result<Value, ServingError> {
        match self.verb {
            Verb::Predict => Ok(predict_answer(outputs, self.rows)),
            Verb::Classify => classify_answer(outputs, &self.servable.class_labels()),
            Verb::Regress => regress_answer(outputs),
        }
    }
}

/// Every served model, by name.
#[derive(Clone, Default)]
pub struct ServingCore {
    models: BTreeMap<String, Arc<ServedModel>>,
}

impl ServingCore {
    /// A core over `models`.
    pub fn new(models: impl IntoIterator<Item = Arc<ServedModel>>) -> Self {
        let models = models
            .into_iter()
            .map(|m| (m.name().to_string(), m))
            .collect();
        ServingCore { models }
    }

    /// The models.
    pub fn models(&self) -> impl Iterator<Item = &Arc<ServedModel>> {
        self.models.values()
    }

    /// The model `name`, or NOT_FOUND.
    pub fn model(&self, name: &str) -> Result<&Arc<ServedModel>, ServingError> {
        self.models
            .get(name)
            .ok_or_else(|| ServingError::NotFound(format!("no model `{name}` is served")))
    }

    /// Runs a request to its JSON answer. Blocking: call it off the async runtime's workers.
    pub fn infer(&self, request: &InferenceRequest) -> Result<Value, ServingError> {
        let (prepared, batch) = self.prepare(request)?;
        let outputs = prepared.servable.run(&prepared.signature, &batch)?;
        prepared.answer(&outputs)
    }

    /// Checks a request and reads its examples: what to run, and the rows to run it on.
    pub fn prepare(
        &self,
        request: &InferenceRequest,
    ) -> Result<(Prepared, FeatureBatch), ServingError> {
        let (version, servable) = self.model(&request.model)?.servable(request.version)?;
        let signature = servable.signature(&request.body.signature_name)?;
        if let Some(method) = request.verb.method().filter(|m| *m != signature.method) {
            return Err(ServingError::invalid(format!(
                "signature `{}` is a {} signature, not a {method} one",
                signature.name, signature.method
            )));
        }
        let batch = to_batch(&request.body.form, &signature.inputs)?;
        let signature = signature.name.clone();
        let prepared = Prepared {
            servable,
            version,
            signature,
            verb: request.verb,
            rows: request.body.form.is_rows(),
        };
        Ok((prepared, batch))
    }

    /// `model_version_status` of one version or all.
    pub fn status(&self, model: &str, version: Option<u64>) -> Result<Value, ServingError> {
        let model = self.model(model)?;
        let versions = model.versions();
        if let Some(v) = version.filter(|v| !versions.contains_key(v)) {
            return Err(ServingError::NotFound(format!(
                "model `{}` has no version {v}",
                model.name()
            )));
        }
        let selected = versions
            .iter()
            .filter(|(v, _)| version.is_none_or(|want| want == **v));
        Ok(status_answer(selected.map(|(v, s)| (*v, s))))
    }

    /// The signatures of a version (the newest by default).
    pub fn metadata(&self, model: &str, version: Option<u64>) -> Result<Value, ServingError> {
        let (v, servable) = self.model(model)?.servable(version)?;
        Ok(metadata_answer(model, v, &servable.manifest().signatures))
    }
}
