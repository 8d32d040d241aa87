//! Continuing a TF run: weights, optimizer slots and global step from a TF checkpoint, so that
//! training follows TF's own trajectory.

use super::Estimator;
use crate::error::Error;
use crate::model_fn::ModelFn;
use crate::tf_checkpoint::{TfCheckpoint, TfSlots, TfValues, TfVarMap, TfWarmStart};
use burn::module::Module;

impl<F: ModelFn, S> Estimator<F, S>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Continues the TF run whose checkpoint `settings` names: the parameters as
    /// [`warm_start_from_tf`](crate::tf_checkpoint::warm_start_from_tf) takes them (with `map`),
    /// the first optimizer's state from the checkpoint's slot variables (`slots` says where
    /// they are and which optimizer they belong to), and the global step. The next
    /// [`train`](Estimator::train) must minimise with that optimizer (its kind is checked, as
    /// for a resumed run); it then takes the steps TF would have taken.
    ///
    /// As with TF's warm start, a checkpoint already in `model_dir` wins: the Estimator has
    /// restored it, and this does nothing. On an error the Estimator is as it was. A premade
    /// estimator continues a TF run the same way (it derefs to its Estimator), with its
    /// `tf_var_map()`.
    ///
    /// ```no_run
    /// use estimator_runtime::prelude::*;
    /// use estimator_runtime::tf_checkpoint::{TfSlots, TfSource, TfVarMap, TfWarmStart};
    /// use estimator_runtime::tf_optim::TfAdamConfig;
    /// # #[derive(Module, Debug)] struct Mlp { l: nn::Linear }
    /// # #[model_fn] fn my_model_fn(model: &Mlp, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec { todo!() }
    /// # let model = Mlp { l: nn::LinearConfig::new(4, 3).init(&Device::default()) };
    /// let map = TfVarMap::new()
    ///     .with("l.weight", TfSource::whole("dense/kernel"))
    ///     .with("l.bias", TfSource::whole("dense/bias"));
    /// // The custom model_fn's `tf.compat.v1.train.AdamOptimizer` (epsilon 1e-8).
    /// let adam = TfAdamConfig::new().with_epsilon(1e-8).with_compat_v1(true);
    /// let mut est = Estimator::new(my_model_fn, model, RunConfig::default().model_dir("runs/x"))?;
    /// est.continue_tf_run(&TfWarmStart::new("/path/to/tf_model_dir"), &map, &TfSlots::compat_v1(&adam)?)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn continue_tf_run(
        &mut self,
        settings: &TfWarmStart,
        map: &TfVarMap,
        slots: &TfSlots,
    ) -> Result<(), Error> {
        if self.global_step > 0 {
            tracing::info!(
                "model_dir holds a checkpoint (step {}); not continuing the TF run at {}",
                self.global_step,
                settings.from.display()
            );
            return Ok(());
        }
        let model = self.model.clone().ok_or_else(|| {
            Error::Config(
                "the model was lost by an earlier failed call; build a new Estimator".into(),
            )
        })?;
        let (model, _) = crate::tf_checkpoint::warm_start_from_tf(model, settings, map)?;
        let ckpt = TfCheckpoint::open(&settings.from)?;
        let step = tf_global_step(&ckpt)?;
        let state = slots.optimizer_state(&model, &ckpt, settings, map, step)?;
        self.model = Some(model);
        self.inference.take();
        self.global_step = step;
        let sections = vec![
            (
                "optimizer.0.kind".to_string(),
                slots.kind().as_bytes().to_vec(),
            ),
            ("optimizer.0".to_string(), state),
        ];
        self.optimizers.restore(sections, Some(step));
        Ok(())
    }
}

/// The checkpoint's `global_step` (an int64 scalar in every estimator checkpoint).
fn tf_global_step(ckpt: &TfCheckpoint) -> Result<u64, Error> {
    let step = ckpt.tensor("global_step")?;
    match step.values {
        TfValues::I64(v) if v.len() == 1 && v[0] >= 0 => Ok(v[0] as u64),
        other => Err(Error::Config(format!(
            "TF checkpoint {}: global_step is not a non-negative int64 scalar ({} values)",
            ckpt.prefix().display(),
            other.len()
        ))),
    }
}
