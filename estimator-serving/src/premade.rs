//! Premade-estimator exports: [`PremadeServable`] serves a [`ServedPremade`], and
//! [`load_premade`] picks the premade by the model_fn name the export records.

use crate::servable::RunResult;
use crate::servable::{Servable, guarded};
use burn::tensor::Device;
use estimator_runtime::ExportManifest;
use estimator_runtime::ModelFn;
use estimator_runtime::export::SIGNATURES_FILE;
use estimator_runtime::feature_column::FeatureBatch;
use estimator_runtime::premade::{
    BaselineClassifierConfig, BaselineRegressorConfig, ClassifierHead, DnnClassifierConfig,
    DnnLinearCombinedClassifierConfig, DnnLinearCombinedRegressorConfig, DnnRegressorConfig,
    LinearClassifierConfig, LinearRegressorConfig, PremadeConfig, ServedPremade,
};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A premade configuration's class labels for `:classify` (its label vocabulary, if any).
pub trait PremadeLabels {
    /// The label vocabulary; empty for regressors and id-labelled classifiers.
    fn class_labels(&self) -> Vec<String>;
}

fn vocabulary(head: &ClassifierHead) -> Vec<String> {
    head.classes().label_vocabulary.clone().unwrap_or_default()
}

macro_rules! labels {
    (classifiers: $($c:ty),*; regressors: $($r:ty),*) => {
        $(impl PremadeLabels for $c {
            fn class_labels(&self) -> Vec<String> { vocabulary(&self.head) }
        })*
        $(impl PremadeLabels for $r {
            fn class_labels(&self) -> Vec<String> { Vec::new() }
        })*
    };
}

labels!(
    classifiers: DnnClassifierConfig, LinearClassifierConfig, DnnLinearCombinedClassifierConfig,
        BaselineClassifierConfig;
    regressors: DnnRegressorConfig, LinearRegressorConfig, DnnLinearCombinedRegressorConfig,
        BaselineRegressorConfig
);

/// A premade export served from raw features (one input per feature name).
pub struct PremadeServable<C: PremadeConfig> {
    // burn modules are `Send` but not `Sync`: one forward pass at a time per version.
    served: Mutex<ServedPremade<C>>,
    manifest: ExportManifest,
    labels: Vec<String>,
}

impl<C: PremadeConfig + PremadeLabels> PremadeServable<C> {
    /// Loads the export in `dir` onto `device`.
    pub fn load(dir: &Path, device: &Device) -> Result<Self, String> {
        let served = ServedPremade::<C>::load(dir, device).map_err(|e| e.to_string())?;
        Ok(PremadeServable {
            manifest: read_manifest(dir)?,
            labels: served.config().class_labels(),
            served: Mutex::new(served),
        })
    }
}

impl<C> Servable for PremadeServable<C>
where
    C: PremadeConfig + PremadeLabels + Send,
    C::Model: Send,
{
    fn manifest(&self) -> &ExportManifest {
        &self.manifest
    }

    fn run(&self, signature: &str, batch: &FeatureBatch) -> RunResult {
        let served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        guarded(|| served.predict(signature, batch))
    }

    fn class_labels(&self) -> Vec<String> {
        self.labels.clone()
    }
}

/// The manifest in `dir` (signatures.json).
pub fn read_manifest(dir: &Path) -> Result<ExportManifest, String> {
    let path = dir.join(SIGNATURES_FILE);
    let json = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_slice(&json).map_err(|e| format!("bad {}: {e}", path.display()))
}

/// Loads any premade export in `dir`, the premade chosen by the model_fn it records.
pub fn load_premade(dir: &Path, device: &Device) -> Result<Arc<dyn Servable>, String> {
    let manifest = read_manifest(dir)?;
    let name = manifest.model_fn.as_str();
    macro_rules! try_each {
        ($($c:ty),*) => {
            $(if name == <$c as PremadeConfig>::model_fn().name() {
                return Ok(Arc::new(PremadeServable::<$c>::load(dir, device)?));
            })*
        };
    }
    try_each!(
        DnnClassifierConfig,
        DnnRegressorConfig,
        LinearClassifierConfig,
        LinearRegressorConfig,
        DnnLinearCombinedClassifierConfig,
        DnnLinearCombinedRegressorConfig,
        BaselineClassifierConfig,
        BaselineRegressorConfig
    );
    Err(format!(
        "{} was exported from model_fn `{name}`, not a premade estimator; serve it with `estimator_serving::main(model_fn, make_model)`",
        dir.display()
    ))
}
