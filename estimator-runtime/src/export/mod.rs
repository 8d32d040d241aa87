//! Export: `Estimator::export` writes the weights (safetensors, through `record`) plus the
//! serving signatures to a directory that `ExportedModel::load` reads alone; `Exporter`s pick
//! when `train_and_evaluate` exports.

mod exporter;

pub use exporter::{BestExporter, Exporter};

use crate::error::Error;
use crate::export_output::ExportOutputs;
use crate::model_fn::ModelFn;
use crate::spec::PredictModeSpec;
use crate::{ModeKeys, RunConfig};
use burn::module::Module;
use burn::tensor::TensorData;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The weights file in an export directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The signatures file in an export directory.
pub const SIGNATURES_FILE: &str = "signatures.json";

/// One output tensor of a signature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TensorSpec {
    /// The output's name (`scores`, `classes`, `value`, or a `Predict` name).
    pub name: String,
    /// Its element type, as burn names it.
    pub dtype: String,
    /// Its shape; `-1` marks the batch dimension.
    pub shape: Vec<i64>,
}

/// One serving signature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignatureDef {
    /// The signature's key (`serving_default`, …).
    pub name: String,
    /// TF's method: `classify`, `regress` or `predict`.
    pub method: String,
    /// The outputs.
    pub outputs: Vec<TensorSpec>,
}

/// What `signatures.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportManifest {
    /// The model_fn's name.
    pub model_fn: String,
    /// The global step of the exported weights.
    pub global_step: u64,
    /// Every signature, `serving_default` included.
    pub signatures: Vec<SignatureDef>,
}

pub(crate) fn signatures(outputs: &ExportOutputs) -> Vec<SignatureDef> {
    outputs
        .iter()
        .map(|(name, output)| SignatureDef {
            name: name.to_string(),
            method: output.kind().to_string(),
            outputs: output
                .outputs()
                .iter()
                .map(|(n, t)| {
                    let dims = t.dims();
                    let shape = dims
                        .iter()
                        .enumerate()
                        .map(|(i, d)| if i == 0 { -1 } else { *d as i64 })
                        .collect();
                    TensorSpec {
                        name: n.to_string(),
                        dtype: format!("{:?}", t.to_data().dtype()),
                        shape,
                    }
                })
                .collect(),
        })
        .collect()
}

/// Writes `model`'s weights and the manifest into a new directory under `base`, named by the
/// Unix time as TF does, atomically (a temporary directory renamed at the end).
pub(crate) fn write<M: Module>(
    base: &Path,
    model: &M,
    manifest: &ExportManifest,
) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(base).map_err(|e| Error::io("creating export directory", base, e))?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut dir = base.join(secs.to_string());
    let mut n = 0;
    while dir.exists() {
        n += 1;
        dir = base.join(format!("{secs}-{n}"));
    }
    let tmp = base.join(format!(".tmp-{secs}-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io("creating export directory", &tmp, e))?;
    let export_err = |reason: String| Error::Export {
        path: tmp.clone(),
        reason,
    };
    crate::record::write_safetensors(model, &tmp.join(WEIGHTS_FILE)).map_err(export_err)?;
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| export_err(e.to_string()))?;
    crate::checkpoint::write_atomic(&tmp.join(SIGNATURES_FILE), &json)?;
    std::fs::rename(&tmp, &dir).map_err(|e| Error::io("renaming export directory", &dir, e))?;
    tracing::info!("SavedModel written to: {}", dir.display());
    Ok(dir)
}

/// A model read back from an export directory, predicting by signature name.
pub struct ExportedModel<F: ModelFn> {
    model_fn: F,
    model: F::Model,
    params: Option<F::Params>,
    manifest: ExportManifest,
    config: RunConfig,
}

impl<F: ModelFn> ExportedModel<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Reads `dir` (written by `Estimator::export`): its weights into `model` (a freshly built
    /// model of the same architecture, on the device to predict on), and its signatures.
    pub fn load(dir: impl AsRef<Path>, model_fn: F, model: F::Model) -> Result<Self, Error> {
        let dir = dir.as_ref();
        let export_err = |reason: String| Error::Export {
            path: dir.to_path_buf(),
            reason,
        };
        let json = std::fs::read(dir.join(SIGNATURES_FILE))
            .map_err(|e| Error::io("reading signatures", dir.join(SIGNATURES_FILE), e))?;
        let manifest: ExportManifest = serde_json::from_slice(&json)
            .map_err(|e| export_err(format!("bad {SIGNATURES_FILE}: {e}")))?;
        let model =
            crate::record::read_safetensors(model, &dir.join(WEIGHTS_FILE)).map_err(export_err)?;
        Ok(ExportedModel {
            model_fn,
            model: model.valid(),
            params: crate::model_fn::unit_params(),
            manifest,
            config: RunConfig::default(),
        })
    }

    /// Attaches the `params` the model_fn takes.
    pub fn with_params(mut self, params: F::Params) -> Self {
        self.params = Some(params);
        self
    }

    /// The signatures read from the directory.
    pub fn manifest(&self) -> &ExportManifest {
        &self.manifest
    }

    /// Runs the signature `name` on a batch of features: each output's tensor for the batch.
    pub fn predict(
        &self,
        signature: &str,
        features: F::Features,
    ) -> Result<Vec<(String, TensorData)>, Error> {
        if !self.manifest.signatures.iter().any(|s| s.name == signature) {
            let known: Vec<&str> = self
                .manifest
                .signatures
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            return Err(Error::Config(format!(
                "no signature `{signature}` in the export (it has {known:?})"
            )));
        }
        let params = self.params.as_ref().ok_or_else(|| {
            Error::Config("the model_fn takes `params`; attach them with `.with_params(..)`".into())
        })?;
        let spec = PredictModeSpec::try_from(self.model_fn.call(
            &self.model,
            features,
            None,
            ModeKeys::Predict,
            params,
            &self.config,
        ))?;
        let output = spec.export_outputs.get(signature).ok_or_else(|| {
            Error::Config(format!(
                "the model_fn no longer gives signature `{signature}`"
            ))
        })?;
        Ok(output
            .outputs()
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_data()))
            .collect())
    }
}
