//! Making an Estimator: `new` and `build` give the params state the model_fn calls for
//! (`ModelFn::ParamsOnNew`), and `with_params` turns any state into the `Estimator<F>` that runs.

use super::{Estimator, default_device};
use crate::config::RunConfig;
use crate::error::Error;
use crate::model_fn::ModelFn;
use burn::module::Module;
use burn::tensor::Device;
use std::marker::PhantomData;

impl<F: ModelFn> Estimator<F, F::ParamsOnNew>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// An Estimator for `model_fn` and `model`, restoring the latest checkpoint in `model_dir`.
    /// A model_fn that takes `params` needs them next: `.with_params(params)`.
    ///
    /// Fails if `model_dir` cannot be created or written, or if its latest checkpoint is corrupt
    /// or holds a model of another shape.
    pub fn new(model_fn: F, model: F::Model, config: RunConfig) -> Result<Self, Error> {
        Ok(Estimator::<F>::open(model_fn, model, config)?.into_state())
    }

    /// An Estimator whose model `build` makes on the run's device after `random_seed` seeded
    /// it, so that parameter initialisation is reproducible too (TF seeds the graph before the
    /// variables are created). Otherwise as [`Estimator::new`].
    ///
    /// ```no_run
    /// # use estimator_runtime::prelude::*;
    /// # #[derive(Module, Debug)] struct Mlp { l: nn::Linear }
    /// # impl Mlp { fn new(device: &Device) -> Self { Mlp { l: nn::LinearConfig::new(4, 3).init(device) } } }
    /// # #[model_fn] fn my_model_fn(model: &Mlp, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec { todo!() }
    /// # fn main() -> Result<(), Error> {
    /// let config = RunConfig::default().model_dir("runs/x").random_seed(42);
    /// let estimator = Estimator::build(my_model_fn, |device| Mlp::new(device), config)?;
    /// # Ok(()) }
    /// ```
    pub fn build(
        model_fn: F,
        build: impl FnOnce(&Device) -> F::Model,
        config: RunConfig,
    ) -> Result<Self, Error> {
        config.validate()?;
        let device = match &config.device {
            Some(d) => d.clone(),
            None => default_device()?,
        };
        // Seeded and built with no other seeded Estimator of the process drawing in between.
        let model = crate::seeding::seeded(&device, config.random_seed, || {
            let model = build(&device);
            crate::record::materialize(&model);
            model
        });
        Estimator::new(model_fn, model, config.device(device))
    }
}

impl<F: ModelFn, S> Estimator<F, S>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Attaches the `params` the model_fn takes (TF's `params` dict): what a model_fn with a
    /// `params` argument needs before it can train, evaluate, predict or export.
    pub fn with_params(self, params: F::Params) -> Estimator<F> {
        let mut estimator = self.into_state();
        estimator.params = Some(params);
        estimator
    }

    /// The same Estimator in params state `T`.
    fn into_state<T>(self) -> Estimator<F, T> {
        Estimator {
            model_fn: self.model_fn,
            model: self.model,
            inference: self.inference,
            params: self.params,
            config: self.config,
            device: self.device,
            checkpointer: self.checkpointer,
            global_step: self.global_step,
            optimizers: self.optimizers,
            resume_position: self.resume_position,
            latest_eval: self.latest_eval,
            eval_history: self.eval_history,
            summaries: self.summaries,
            trainer_lock: self.trainer_lock,
            params_state: PhantomData,
        }
    }
}
