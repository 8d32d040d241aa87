//! Premade estimators (TF's `DNNClassifier`, `LinearRegressor`, ...): each is a configuration,
//! a model built from it, and a `#[model_fn]` of this library over one of the [heads](crate::head),
//! wrapped in a [`Premade`] that derefs to the [`Estimator`]. Train, evaluate, predict,
//! `train_and_evaluate`, checkpoints and hooks are the Estimator's own.
//!
//! ```
//! use estimator_runtime::feature_column::*;
//! use estimator_runtime::premade::{DnnClassifier, DnnClassifierConfig};
//! use estimator_runtime::prelude::*;
//!
//! let columns = FeatureColumns::new([
//!     numeric_column("x").into(),
//!     indicator_column(categorical_column_with_vocabulary_list("colour", ["red", "blue"])),
//! ]);
//! let dir = tempfile::tempdir().unwrap();
//! let mut classifier = DnnClassifier::new(
//!     DnnClassifierConfig::new(columns, [8]).n_classes(2),
//!     RunConfig::default().model_dir(dir.path()).random_seed(1),
//! )?;
//! let table = FeatureBatch::new(4)
//!     .with("x", ColumnValues::Float(vec![0.0, 1.0, 2.0, 3.0]))
//!     .with("colour", ColumnValues::Str(["red", "blue", "red", "blue"].map(String::from).to_vec()))
//!     .with("label", ColumnValues::Int(vec![0, 0, 1, 1]));
//! let (features, labels) = classifier.input(&table, "label")?;
//! classifier.train(std::iter::repeat((features.clone(), labels.clone())), TrainArgs::steps(20))?;
//! let results = classifier.evaluate([(features, labels)], EvalArgs::default())?;
//! assert!(results.metric("auc_precision_recall").is_some());
//! # Ok::<(), estimator_runtime::Error>(())
//! ```

mod baseline;
mod combined;
mod dnn;
mod ftrl;
mod head_choice;
mod linear;
mod one_optimizer;
mod optimizer;
mod premade_head;
mod served;
pub mod tf_names;

pub use crate::head::LossReduction;
pub use baseline::{
    BaselineClassifierConfig, BaselineEstimatorConfig, BaselineModel, BaselineRegressorConfig,
};
pub use combined::{
    DnnLinearCombinedClassifierConfig, DnnLinearCombinedEstimatorConfig,
    DnnLinearCombinedRegressorConfig, WideAndDeepFeatures, WideAndDeepModel,
};
pub use dnn::{
    Activation, Dnn, DnnClassifierConfig, DnnConfig, DnnEstimatorConfig, DnnRegressorConfig,
};
pub use ftrl::{Ftrl, FtrlConfig, FtrlState};
pub use head_choice::ClassifierHead;
pub use linear::{LinearClassifierConfig, LinearEstimatorConfig, LinearRegressorConfig};
pub use optimizer::{CustomOptimizer, OptimizerSpec};
pub use premade_head::PremadeHead;
pub use served::ServedPremade;

use crate::feature_column::{
    ColumnValues, FeatureBatch, FeatureColumns, FeatureEncoder, FeatureError, FeatureTensors,
};
use crate::{Error, Estimator, RunConfig};
use burn::module::Module;
use burn::tensor::Device;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

/// The file next to the checkpoints (and in each export) that holds a premade's configuration,
/// feature columns and vocabularies included.
pub const PREMADE_CONFIG_FILE: &str = "premade.json";

/// A DNN classifier (TF `DNNClassifier`).
pub type DnnClassifier = Premade<DnnClassifierConfig>;
/// A DNN regressor (TF `DNNRegressor`).
pub type DnnRegressor = Premade<DnnRegressorConfig>;
/// A linear classifier (TF `LinearClassifier`).
pub type LinearClassifier = Premade<LinearClassifierConfig>;
/// A linear regressor (TF `LinearRegressor`).
pub type LinearRegressor = Premade<LinearRegressorConfig>;
/// Wide and deep classifier (TF `DNNLinearCombinedClassifier`).
pub type DnnLinearCombinedClassifier = Premade<DnnLinearCombinedClassifierConfig>;
/// Wide and deep regressor (TF `DNNLinearCombinedRegressor`).
pub type DnnLinearCombinedRegressor = Premade<DnnLinearCombinedRegressorConfig>;
/// A classifier predicting the label distribution (TF `BaselineClassifier`).
pub type BaselineClassifier = Premade<BaselineClassifierConfig>;
/// A regressor predicting the label mean (TF `BaselineRegressor`).
pub type BaselineRegressor = Premade<BaselineRegressorConfig>;

/// One encoded `(features, labels)` batch of the premade configured by `C`.
pub type PremadeBatch<C> = (<C as PremadeConfig>::Features, <C as PremadeConfig>::Labels);

/// The type `#[model_fn]` gives the premade model_fn of configuration `C`:
/// `fn(model: &C::Model, features: C::Features, labels: Option<C::Labels>, mode: ModeKeys, params: &C)`.
pub type PremadeModelFn<C> = crate::ModelFnValue<
    <C as PremadeConfig>::Model,
    <C as PremadeConfig>::Features,
    <C as PremadeConfig>::Labels,
    C,
    fn(
        &<C as PremadeConfig>::Model,
        <C as PremadeConfig>::Features,
        Option<<C as PremadeConfig>::Labels>,
        crate::ModeKeys,
        &C,
    ) -> Result<crate::EstimatorSpec, crate::Error>,
    crate::ParamsMissing,
>;

/// What a premade estimator is made of: implemented by each `*Config`.
pub trait PremadeConfig: Clone + PartialEq + Serialize + DeserializeOwned + 'static {
    /// The burn module.
    type Model: Module;
    /// What the model_fn reads (encoded feature columns).
    type Features;
    /// What the labels are (class ids, or values).
    type Labels;

    /// The model_fn.
    fn model_fn() -> PremadeModelFn<Self>;
    /// A fresh model (random or zero weights) on `device`.
    fn build_model(&self, device: &Device) -> Result<Self::Model, FeatureError>;
    /// The map from TF 2.15's variable names for this estimator to the model's parameters
    /// (see [`tf_names`]); empty for those without one.
    fn tf_var_map(&self) -> crate::tf_checkpoint::TfVarMap {
        crate::tf_checkpoint::TfVarMap::new()
    }
    /// The optimizers, each with its field's name (`optimizer`, or `linear_optimizer` and
    /// `dnn_optimizer`); [`Premade::new`] refuses one it cannot build. None by default.
    fn optimizers(&self) -> Vec<(&'static str, &OptimizerSpec)> {
        Vec::new()
    }
    /// The feature column sets the model reads (one, or two for wide and deep).
    fn column_sets(&self) -> Vec<&FeatureColumns>;
    /// The features from each set's encoding, in [`column_sets`](Self::column_sets) order.
    fn assemble(encoded: Vec<FeatureTensors>) -> Result<Self::Features, FeatureError>;
    /// Labels from a raw column.
    fn encode_labels(
        &self,
        values: &ColumnValues,
        device: &Device,
    ) -> Result<Self::Labels, FeatureError>;
}

/// A premade estimator: an [`Estimator`] (through `Deref`) over the configuration's
/// `#[model_fn]`, plus the encoders of its feature columns.
pub struct Premade<C: PremadeConfig>
where
    C::Model: Module,
{
    estimator: Estimator<PremadeModelFn<C>>,
    config: C,
    encoders: Vec<FeatureEncoder>,
}

impl<C: PremadeConfig> Premade<C> {
    /// Builds the model and the Estimator (restoring the latest checkpoint in `model_dir`), and
    /// saves the configuration as `premade.json` in `model_dir`. A model_dir saved with another
    /// configuration is refused (its vocabularies would encode differently).
    pub fn new(config: C, run_config: RunConfig) -> Result<Self, Error> {
        Self::new_initialised(config, run_config, Ok)
    }

    /// As [`Premade::new`], the model warm-started from a TF checkpoint of the same canned
    /// estimator (TF's `warm_start_from`): TF's variable names mapped onto the parameters
    /// ([`PremadeConfig::tf_var_map`]), rows reordered where TF's layout differs. As in TF, a
    /// checkpoint already in `model_dir` wins: training resumes from it instead.
    ///
    /// ```no_run
    /// use estimator_runtime::feature_column::*;
    /// use estimator_runtime::premade::*;
    /// use estimator_runtime::prelude::*;
    /// use estimator_runtime::tf_checkpoint::TfWarmStart;
    ///
    /// let columns = FeatureColumns::new([numeric_column("x").into()]);
    /// let config = DnnClassifierConfig::new(columns, [4]).n_classes(3);
    /// let est = Premade::new_warm_started_from_tf(
    ///     config,
    ///     RunConfig::default().model_dir("runs/ported"),
    ///     TfWarmStart::new("/path/to/tf_model_dir"),
    /// )?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new_warm_started_from_tf(
        config: C,
        run_config: RunConfig,
        settings: crate::tf_checkpoint::TfWarmStart,
    ) -> Result<Self, Error> {
        let map = config.tf_var_map();
        Self::new_initialised(config, run_config, |model| {
            crate::tf_checkpoint::warm_start_from_tf(model, &settings, &map).map(|(m, _)| m)
        })
    }

    fn new_initialised(
        config: C,
        run_config: RunConfig,
        init: impl FnOnce(C::Model) -> Result<C::Model, Error>,
    ) -> Result<Self, Error> {
        let device = match run_config.device.clone() {
            Some(device) => device,
            // burn panics where it has no default device; that is a typed error here.
            None => std::panic::catch_unwind(Device::default).map_err(|_| {
                Error::Device(
                    "burn has no default device: enable a backend feature or set RunConfig::device"
                        .into(),
                )
            })?,
        };
        for (field, optimizer) in config.optimizers() {
            optimizer.check_resolved(field)?;
        }
        let encoders = encoders(&config)?;
        // Seeded and built with no other seeded Estimator of the process drawing in between.
        let model = crate::seeding::seeded(&device, run_config.random_seed, || {
            init(config.build_model(&device)?)
        })?;
        let run_config = run_config.device(device);
        let estimator =
            Estimator::new(C::model_fn(), model, run_config)?.with_params(config.clone());
        check_or_save(&config, estimator.model_dir())?;
        Ok(Premade {
            estimator,
            config,
            encoders,
        })
    }

    /// Rebuilds the premade saved in `run_config`'s model_dir, from its `premade.json`.
    pub fn from_model_dir(run_config: RunConfig) -> Result<Self, Error> {
        let dir = run_config
            .model_dir
            .clone()
            .ok_or_else(|| Error::Config("from_model_dir needs RunConfig::model_dir".into()))?;
        Self::new(read_config(&dir)?, run_config)
    }

    /// The configuration.
    pub fn config(&self) -> &C {
        &self.config
    }

    /// Encodes a batch of raw features on the Estimator's device.
    pub fn encode(&self, batch: &FeatureBatch) -> Result<C::Features, FeatureError> {
        encode_with::<C>(&self.encoders, batch, self.estimator.device(), &[])
    }

    /// Splits `table` into features and the labels in its column `label_key`, encoded.
    pub fn input(
        &self,
        table: &FeatureBatch,
        label_key: &str,
    ) -> Result<(C::Features, C::Labels), FeatureError> {
        let device = self.estimator.device();
        let features = encode_with::<C>(&self.encoders, table, device, &[label_key.to_string()])?;
        let labels = self
            .config
            .encode_labels(table.require(label_key)?, device)?;
        Ok((features, labels))
    }

    /// Exports the model (TF `export_saved_model`) under `export_dir_base/<version>/`, with
    /// `premade.json` beside the weights so that [`ServedPremade::load`] encodes input the
    /// same way. `serving_batch` is an example batch of raw features: its feature names,
    /// dtypes and shapes are recorded as the serving inputs. The directory appears whole
    /// (written under a temporary name, then renamed).
    pub fn export_saved_model(
        &self,
        export_dir_base: impl AsRef<Path>,
        serving_batch: &FeatureBatch,
    ) -> Result<PathBuf, Error> {
        let features = self.encode(serving_batch)?;
        let inputs = crate::export::feature_input_specs(serving_batch);
        self.estimator
            .export_with(export_dir_base.as_ref(), features, &inputs, |tmp| {
                write_config(&self.config, tmp)
            })
    }

    /// The Estimator, by value.
    pub fn into_estimator(self) -> Estimator<PremadeModelFn<C>> {
        self.estimator
    }
}

impl<C: PremadeConfig> Deref for Premade<C> {
    type Target = Estimator<PremadeModelFn<C>>;
    fn deref(&self) -> &Self::Target {
        &self.estimator
    }
}

impl<C: PremadeConfig> DerefMut for Premade<C> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.estimator
    }
}

pub(crate) fn encoders<C: PremadeConfig>(config: &C) -> Result<Vec<FeatureEncoder>, FeatureError> {
    config
        .column_sets()
        .into_iter()
        .map(|s| FeatureEncoder::new(s.clone()))
        .collect()
}

/// Checks the batch's columns against the union of every set's (unless no set has a feature
/// column: a baseline ignores its features, as in TF), then encodes each set.
pub(crate) fn encode_with<C: PremadeConfig>(
    encoders: &[FeatureEncoder],
    batch: &FeatureBatch,
    device: &Device,
    also: &[String],
) -> Result<C::Features, FeatureError> {
    if encoders.iter().any(|e| !e.columns().columns.is_empty()) {
        let mut known: Vec<String> = also.to_vec();
        encoders
            .iter()
            .for_each(|e| known.extend(e.columns().keys()));
        FeatureColumns::default().check_known(batch, &known)?;
    }
    let encoded = encoders
        .iter()
        .map(|e| e.encode_lenient(batch, device))
        .collect::<Result<Vec<_>, _>>()?;
    C::assemble(encoded)
}

fn config_error(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::Config(format!("{}: {reason}", path.display()))
}

pub(crate) fn write_config<C: PremadeConfig>(config: &C, dir: &Path) -> Result<(), Error> {
    let path = dir.join(PREMADE_CONFIG_FILE);
    let json = serde_json::to_vec_pretty(config).map_err(|e| config_error(&path, e))?;
    std::fs::write(&path, json).map_err(|e| config_error(&path, e))
}

pub(crate) fn read_config<C: PremadeConfig>(dir: &Path) -> Result<C, Error> {
    let path = dir.join(PREMADE_CONFIG_FILE);
    let json = crate::regular_file::read_capped(
        &path,
        "reading premade config",
        crate::regular_file::MAX_JSON_BYTES,
    )?;
    serde_json::from_slice(&json).map_err(|e| config_error(&path, e))
}

/// Saves `config` in `dir`, or checks that the one saved there is the same.
fn check_or_save<C: PremadeConfig>(config: &C, dir: &Path) -> Result<(), Error> {
    if !dir.join(PREMADE_CONFIG_FILE).exists() {
        return write_config(config, dir);
    }
    let saved: C = read_config(dir)?;
    if &saved != config {
        return Err(config_error(
            &dir.join(PREMADE_CONFIG_FILE),
            "the model_dir was trained with another premade configuration (feature columns, vocabularies or layers); use a new model_dir or `Premade::from_model_dir`",
        ));
    }
    Ok(())
}

/// The one encoding of a single-set premade.
pub(crate) fn single(mut encoded: Vec<FeatureTensors>) -> Result<FeatureTensors, FeatureError> {
    encoded.pop().ok_or_else(|| FeatureError::InvalidColumn {
        name: String::new(),
        reason: "no feature column set".into(),
    })
}
