//! Export: `Estimator::export` writes the weights (safetensors, through `record`) plus the
//! serving signatures to a directory that `ExportedModel::load` reads alone; `Exporter`s pick
//! when `train_and_evaluate` exports.

mod checks;
mod exporter;
mod inputs;
mod version;

pub use checks::ExportLoadOptions;

pub use exporter::{BestExporter, Exporter};
pub use inputs::{DENSE_INPUT_NAME, STRING_DTYPE};
pub(crate) use inputs::{dense_input_specs, feature_input_specs};
pub use version::{existing_versions, version_of};

use crate::error::Error;
use crate::export_output::ExportOutputs;
use crate::model_fn::ModelFn;
use crate::params::{HasParams, ParamsAttached, ParamsMissing};
use crate::{ModeKeys, RunConfig};
use burn::module::Module;
use burn::tensor::TensorData;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// The weights file in an export directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The signatures file in an export directory.
pub const SIGNATURES_FILE: &str = "signatures.json";

/// One input or output tensor of a signature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TensorSpec {
    /// The tensor's name: an output's (`scores`, `classes`, `value`, or a `Predict` name), an
    /// input's ([`DENSE_INPUT_NAME`] or a feature name).
    pub name: String,
    /// Its element type, as burn names it (`F32`, `I64`), or [`STRING_DTYPE`].
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
    /// The serving inputs (TF's receiver tensors); empty in exports written before they were
    /// recorded, or when the features are not one tensor nor a feature batch.
    #[serde(default)]
    pub inputs: Vec<TensorSpec>,
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

pub(crate) fn signatures(outputs: &ExportOutputs, inputs: &[TensorSpec]) -> Vec<SignatureDef> {
    outputs
        .iter()
        .map(|(name, output)| SignatureDef {
            name: name.to_string(),
            method: output.kind().to_string(),
            inputs: inputs.to_vec(),
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

/// Writes `model`'s weights, the manifest and what `extra` adds into a new directory under
/// `base`, named by an integer version (the Unix time as TF does, or the next free integer),
/// atomically: a fresh temporary directory, fsynced, renamed, then an fsync of `base`. On
/// failure the temporary directory is removed.
pub(crate) fn write<M: Module>(
    base: &Path,
    model: &M,
    manifest: &ExportManifest,
    extra: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<PathBuf, Error> {
    let dir = write_with(base, |tmp| {
        let export_err = |reason: String| Error::Export {
            path: tmp.to_path_buf(),
            reason,
        };
        let weights = tmp.join(WEIGHTS_FILE);
        crate::record::write_safetensors(model, &weights).map_err(export_err)?;
        std::fs::File::open(&weights)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io("syncing weights", &weights, e))?;
        let json = serde_json::to_vec_pretty(manifest).map_err(|e| export_err(e.to_string()))?;
        crate::checkpoint::write_atomic(&tmp.join(SIGNATURES_FILE), &json)?;
        extra(tmp)
    })?;
    tracing::info!(
        "Exported the model (burn safetensors weights `{WEIGHTS_FILE}` and serving signatures `{SIGNATURES_FILE}`, not a TF SavedModel) to: {}",
        dir.display()
    );
    Ok(dir)
}

/// Runs `fill` on a fresh temporary directory under `base`, then publishes it under a new
/// integer name; on any error the temporary directory is removed.
fn write_with(
    base: &Path,
    fill: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(base).map_err(|e| Error::io("creating export directory", base, e))?;
    let tmp = crate::checkpoint::create_temp_dir(base, "export")
        .map_err(|e| Error::io("creating export directory", base, e))?;
    let result = fill(&tmp).and_then(|()| publish(base, &tmp));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Renames the filled `tmp` to a free integer name under `base` and makes that durable.
fn publish(base: &Path, tmp: &Path) -> Result<PathBuf, Error> {
    crate::checkpoint::sync_dir(tmp).map_err(|e| Error::io("syncing export directory", tmp, e))?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let dir = base.join(version::next_version(base, secs).to_string());
    std::fs::rename(tmp, &dir).map_err(|e| Error::io("renaming export directory", &dir, e))?;
    crate::checkpoint::sync_dir(base)
        .map_err(|e| Error::io("syncing export directory", base, e))?;
    Ok(dir)
}

/// A model read back from an export directory, predicting by signature name.
///
/// As with `Estimator`, a model_fn that takes `params` gives an
/// `ExportedModel<F, ParamsMissing>` that only `.with_params(..)` lets predict.
pub struct ExportedModel<F: ModelFn, S = ParamsAttached> {
    model_fn: F,
    model: F::Model,
    params: Option<F::Params>,
    manifest: ExportManifest,
    config: RunConfig,
    params_state: PhantomData<fn() -> S>,
}

impl<F: ModelFn> ExportedModel<F, F::ParamsOnNew>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Reads `dir` (written by `Estimator::export`): its weights into `model` (a freshly built
    /// model of the same architecture, on the device to predict on), and its signatures.
    ///
    /// The export is checked as it loads ([`Error::Export`] with the reason): weights of the
    /// dtypes `model` was built with and finite (see [`load_with`](Self::load_with) to accept
    /// NaN or inf), and signatures with a known method whose outputs that method gives. The
    /// files are size-capped and opened without blocking (a FIFO is [`Error::NotRegularFile`]).
    pub fn load(dir: impl AsRef<Path>, model_fn: F, model: F::Model) -> Result<Self, Error> {
        Self::load_with(dir, model_fn, model, &ExportLoadOptions::default())
    }

    /// [`load`](Self::load) with `options` (loading non-finite weights anyway, say).
    pub fn load_with(
        dir: impl AsRef<Path>,
        model_fn: F,
        model: F::Model,
        options: &ExportLoadOptions,
    ) -> Result<Self, Error> {
        let dir = dir.as_ref();
        let export_err = |reason: String| Error::Export {
            path: dir.to_path_buf(),
            reason,
        };
        let json = crate::regular_file::read_capped(
            &dir.join(SIGNATURES_FILE),
            "reading signatures",
            crate::regular_file::MAX_JSON_BYTES,
        )?;
        let manifest: ExportManifest = serde_json::from_slice(&json)
            .map_err(|e| export_err(format!("bad {SIGNATURES_FILE}: {e}")))?;
        checks::check_signatures(&manifest)
            .map_err(|e| export_err(format!("bad {SIGNATURES_FILE}: {e}")))?;
        if manifest.model_fn != model_fn.name() {
            return Err(export_err(format!(
                "it was exported from model_fn `{}`, not `{}`; load it with the model_fn that wrote it",
                manifest.model_fn,
                model_fn.name()
            )));
        }
        // The weights of a model this size (with room for f64 and headers), read into memory
        // after a non-blocking type check, so that a FIFO or a device never blocks the load.
        let limit = crate::checkpoint::max_checkpoint_bytes(model.num_params());
        let weights =
            crate::regular_file::read_capped(&dir.join(WEIGHTS_FILE), "reading weights", limit)?;
        let built = checks::dtypes(&model);
        let model = crate::record::read_safetensors(model, weights).map_err(export_err)?;
        checks::check_weights(&model, &built, options).map_err(export_err)?;
        Ok(ExportedModel {
            model_fn,
            model: model.valid(),
            params: crate::model_fn::unit_params(),
            manifest,
            config: RunConfig::default(),
            params_state: PhantomData,
        })
    }
}

impl<F: ModelFn, S> ExportedModel<F, S> {
    /// Attaches the `params` the model_fn takes: what a model_fn with a `params` argument needs
    /// before it can predict.
    pub fn with_params(self, params: F::Params) -> ExportedModel<F> {
        ExportedModel {
            model_fn: self.model_fn,
            model: self.model,
            params: Some(params),
            manifest: self.manifest,
            config: self.config,
            params_state: PhantomData,
        }
    }

    /// The signatures read from the directory.
    pub fn manifest(&self) -> &ExportManifest {
        &self.manifest
    }
}

impl<F: ModelFn> ExportedModel<F, ParamsMissing> {
    /// Does not compile: attach the params first, `.with_params(params)`.
    pub fn predict(
        &self,
        _signature: &str,
        _features: F::Features,
    ) -> Result<Vec<(String, TensorData)>, Error>
    where
        Self: HasParams,
    {
        Err(Error::Config(format!(
            "the model_fn `{}` takes `params`; attach them with `.with_params(..)`",
            self.model_fn.name()
        )))
    }
}

impl<F: ModelFn> ExportedModel<F>
where
    F::Model: Module,
    F::Params: 'static,
    F::Features: 'static,
{
    /// Runs the signature `name` on a batch of features: each output's tensor for the batch.
    ///
    /// A batch of one dense tensor is checked first against the input the export recorded
    /// (dtype, and every dimension but the batch's): a wrong width is `Error::Shape` naming the
    /// input and both shapes. A panic in the model_fn or the model is `Error::ModelFn`.
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
        if let Some(recorded) = self
            .manifest
            .signatures
            .iter()
            .find(|s| s.name == signature)
        {
            inputs::check_dense_input(&recorded.inputs, &features)?;
        }
        // A panic in the model_fn or the model (a batch of the wrong width in a `matmul`) is
        // Error::ModelFn, as in Estimator::predict: a server built on this keeps serving.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.run_signature(signature, features, params)
        }))
        .unwrap_or_else(|panic| Err(Error::from_panic(ModeKeys::Predict, panic)))
    }

    /// The model_fn in PREDICT on `features`, and the outputs of `signature`.
    fn run_signature(
        &self,
        signature: &str,
        features: F::Features,
        params: &F::Params,
    ) -> Result<Vec<(String, TensorData)>, Error> {
        let spec = self
            .model_fn
            .predict_spec(&self.model, features, params, &self.config)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temporaries(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.contains(".tmp-"))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_failed_export_leaves_no_temporary_directory() {
        let d = tempfile::tempdir().expect("temp dir");
        let result = write_with(d.path(), |tmp| {
            std::fs::write(tmp.join(WEIGHTS_FILE), b"half").expect("partial write");
            Err(Error::Export {
                path: tmp.to_path_buf(),
                reason: "injected".into(),
            })
        });
        assert!(matches!(result, Err(Error::Export { .. })), "{result:?}");
        assert_eq!(temporaries(d.path()), Vec::<String>::new());
        let entries = std::fs::read_dir(d.path()).map(|e| e.count()).unwrap_or(1);
        assert_eq!(entries, 0, "nothing published");
    }

    #[test]
    fn a_successful_export_publishes_one_directory() {
        let d = tempfile::tempdir().expect("temp dir");
        let dir = write_with(d.path(), |tmp| {
            crate::checkpoint::write_atomic(&tmp.join(SIGNATURES_FILE), b"{}")
        })
        .expect("export");
        assert!(dir.join(SIGNATURES_FILE).is_file());
        assert_eq!(temporaries(d.path()), Vec::<String>::new());
    }

    #[test]
    fn exports_in_the_same_second_get_increasing_integer_versions() {
        let d = tempfile::tempdir().expect("temp dir");
        let fill = |tmp: &Path| crate::checkpoint::write_atomic(&tmp.join(SIGNATURES_FILE), b"{}");
        let versions: Vec<u64> = (0..3)
            .map(|_| write_with(d.path(), fill).expect("export"))
            .map(|dir| {
                let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
                version_of(&name.unwrap_or_default()).expect("an integer name")
            })
            .collect();
        assert!(versions.windows(2).all(|w| w[1] > w[0]), "{versions:?}");
    }

    /// The temporary name used before names were unique: `.tmp-<secs>-<pid>`.
    #[cfg(unix)]
    #[test]
    fn an_export_never_writes_through_a_planted_temporary_link() {
        let d = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("outside");
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|t| t.as_secs())
            .unwrap_or(0);
        for s in secs..secs + 30 {
            let planted = d.path().join(format!(".tmp-{s}-{}", std::process::id()));
            std::os::unix::fs::symlink(outside.path(), planted).expect("plant");
        }
        let model = burn::nn::LinearConfig::new(2, 1).init(&burn::tensor::Device::default());
        let manifest = ExportManifest {
            model_fn: "f".into(),
            global_step: 0,
            signatures: Vec::new(),
        };
        let dir = write(d.path(), &model, &manifest, |_| Ok(())).expect("export");
        assert!(dir.join(WEIGHTS_FILE).is_file());
        let leaked = std::fs::read_dir(outside.path())
            .map(|e| e.count())
            .unwrap_or(0);
        assert_eq!(leaked, 0, "nothing written outside the export base");
    }
}
