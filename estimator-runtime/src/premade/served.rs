//! `ServedPremade`: a premade's export read back, predicting from raw feature batches.

use super::{PremadeConfig, PremadeModelFn, encode_with, encoders, read_config};
use crate::feature_column::{FeatureBatch, FeatureEncoder};
use crate::{Error, ExportedModel};
use burn::tensor::{Device, TensorData};
use std::path::Path;

/// A premade estimator's export (weights, signatures and `premade.json`), ready to predict.
pub struct ServedPremade<C: PremadeConfig> {
    model: ExportedModel<PremadeModelFn<C>>,
    config: C,
    encoders: Vec<FeatureEncoder>,
    device: Device,
}

impl<C: PremadeConfig> ServedPremade<C> {
    /// Reads the export in `dir` onto `device`: the configuration first, to build the model
    /// and the encoders, then the weights.
    pub fn load(dir: impl AsRef<Path>, device: &Device) -> Result<Self, Error> {
        let config: C = read_config(dir.as_ref())?;
        let model = config.build_model(device)?;
        let served = ExportedModel::load(dir, C::model_fn(), model)?.with_params(config.clone());
        Ok(ServedPremade {
            model: served,
            encoders: encoders(&config)?,
            config,
            device: device.clone(),
        })
    }

    /// The configuration read from the export.
    pub fn config(&self) -> &C {
        &self.config
    }

    /// Runs the signature `name` (`serving_default`, `classification`, `regression`,
    /// `predict`) on a batch of raw features.
    pub fn predict(
        &self,
        signature: &str,
        batch: &FeatureBatch,
    ) -> Result<Vec<(String, TensorData)>, Error> {
        let features = encode_with::<C>(&self.encoders, batch, &self.device, &[])?;
        self.model.predict(signature, features)
    }
}
