//! `Estimator<F, ParamsMissing>`: a model_fn that takes `params`, before `.with_params(..)`.
//! Its `train`, `evaluate`, `predict` and `export` exist only to fail to compile with a message
//! naming `with_params` (the [`HasParams`] bound never holds for this state), where a missing
//! method would give rustc's "no method named `train`".

use super::{Estimator, EvalArgs, EvalResults, PredictArgs, Prediction, TrainArgs, TrainSummary};
use crate::error::Error;
use crate::model_fn::ModelFn;
use crate::params::{HasParams, ParamsMissing};
use burn::module::Module;
use std::path::{Path, PathBuf};

impl<F: ModelFn> Estimator<F, ParamsMissing>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Does not compile: attach the params first, `.with_params(params)`.
    pub fn train<I>(&mut self, _input: I, _args: TrainArgs) -> Result<TrainSummary, Error>
    where
        Self: HasParams,
    {
        Err(self.params_missing())
    }

    /// Does not compile: attach the params first, `.with_params(params)`.
    pub fn evaluate<I>(&mut self, _input: I, _args: EvalArgs) -> Result<EvalResults, Error>
    where
        Self: HasParams,
    {
        Err(self.params_missing())
    }

    /// Does not compile: attach the params first, `.with_params(params)`.
    pub fn predict<I>(
        &self,
        _input: I,
        _args: PredictArgs,
    ) -> Result<std::iter::Empty<Result<Prediction, Error>>, Error>
    where
        Self: HasParams,
    {
        Err(self.params_missing())
    }

    /// Does not compile: attach the params first, `.with_params(params)`.
    pub fn export(
        &self,
        _export_dir_base: impl AsRef<Path>,
        _serving_features: F::Features,
    ) -> Result<PathBuf, Error>
    where
        Self: HasParams,
    {
        Err(self.params_missing())
    }

    fn params_missing(&self) -> Error {
        Error::Config(format!(
            "the model_fn `{}` takes `params`; attach them with `.with_params(..)`",
            self.model_fn.name()
        ))
    }
}
