//! `Estimator`: owns the model and orchestrates train, evaluate and predict. Each of those lives
//! in its own module; this one holds the state they share.

mod construct; // `new`, `build`, `with_params`: the params typestate
mod continue_tf; // `continue_tf_run`: weights, optimizer slots and global step from TF
mod eval_shard; // distribute: an evaluation sharded across the replicas
mod evaluate;
mod evaluate_continuously; // the evaluator task: each new checkpoint once
mod losses;
mod missing_params; // `Estimator<F, ParamsMissing>`: compile errors naming `with_params`
mod predict;
mod replica; // distribute: the Estimator as one replica of an MPI world
mod summaries; // the event files: `write_scalars`, the model_fn's recorded summaries
mod train;
mod train_args;

pub use evaluate::{EvalArgs, EvalResults};
pub use evaluate_continuously::ContinuousEvalArgs;
pub use predict::{PredictArgs, Prediction};
pub(crate) use train::BetweenSteps;
pub use train_args::{TrainArgs, TrainSummary};

use crate::checkpoint::{
    CheckpointData, Checkpointer, SavedState, TrainerLock, TrainingState, checkpoint_file_name,
};
use crate::config::RunConfig;
use crate::error::Error;
use crate::model_fn::ModelFn;
use crate::optim::Optimizers;
use crate::params::ParamsAttached;
use crate::summary::SummaryWriter;
use burn::module::Module;
use burn::tensor::Device;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Trains, evaluates and predicts with a `#[model_fn]`, as TF's `tf.estimator.Estimator`.
///
/// The Estimator owns the model and keeps it resident between calls (TF rebuilds its graph on
/// every call). On construction it restores the latest checkpoint in `model_dir`, if any: model,
/// optimizer state, global step and input position.
///
/// ```no_run
/// # use estimator_runtime::prelude::*;
/// # #[derive(Module, Debug)] struct Mlp { l: nn::Linear }
/// # #[model_fn] fn my_model_fn(model: &Mlp, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec { todo!() }
/// # fn main() -> Result<(), Error> {
/// # let model = Mlp { l: nn::LinearConfig::new(4, 3).init(&Device::default()) };
/// # let batches: Vec<(Tensor<2>, Tensor<1, Int>)> = vec![];
/// let mut estimator = Estimator::new(my_model_fn, model, RunConfig::default().model_dir("runs/x"))?;
/// estimator.train(batches.clone(), TrainArgs::steps(1000))?;
/// let results = estimator.evaluate(batches, EvalArgs::default())?;
/// println!("accuracy = {:?}", results.metric("accuracy"));
/// # Ok(()) }
/// ```
///
/// A model_fn that takes `params` gives an `Estimator<F, ParamsMissing>`, which only
/// [`with_params`](Estimator::with_params) turns into an `Estimator<F>` that runs: forgetting the
/// params is a compile error (see [`HasParams`](crate::HasParams)).
pub struct Estimator<F: ModelFn, S = ParamsAttached>
where
    F::Model: Module,
{
    model_fn: F,
    model: Option<F::Model>,
    /// The resident model without autodiff (`valid()`), made by the first `predict` and kept
    /// until training or a restore changes the weights (`take_model`, `restore`).
    inference: OnceLock<F::Model>,
    params: Option<F::Params>,
    config: RunConfig,
    device: Device,
    checkpointer: Checkpointer,
    global_step: u64,
    optimizers: Optimizers<F::Model>,
    resume_position: u64,
    latest_eval: Option<Arc<EvalResults>>,
    /// Every evaluation, oldest first (what hooks see as `HookContext::evaluations`).
    eval_history: Option<Arc<Vec<EvalResults>>>,
    summaries: std::collections::BTreeMap<String, SummaryWriter>,
    /// model_dir's trainer lock, taken by the first train call and held until drop.
    trainer_lock: Option<TrainerLock>,
    params_state: PhantomData<fn() -> S>,
}

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// The Estimator [`new`](Estimator::new) returns, before its params state is set.
    fn open(model_fn: F, model: F::Model, config: RunConfig) -> Result<Self, Error> {
        config.validate()?;
        let model_dir = match &config.model_dir {
            Some(dir) => dir.clone(),
            None => default_model_dir(),
        };
        // distribute: only the chief prepares (writes to) model_dir, in `start_replicas`.
        let checkpointer = if config.distribute.is_some() {
            Checkpointer::unprepared(model_dir, config.keep_checkpoint_max)
        } else {
            Checkpointer::new(model_dir, config.keep_checkpoint_max)?
        }
        .falling_back(!config.error_on_corrupt_checkpoint);
        let device = match &config.device {
            Some(d) => d.clone(),
            None => default_device()?,
        };
        // Seeds under the lock: a reseed inside another thread's seeded section would shift its
        // draws.
        crate::seeding::seeded(&device, config.random_seed, || ());
        let distribution = config.distribute.clone();
        let mut estimator = Estimator {
            model_fn,
            model: Some(model),
            inference: OnceLock::new(),
            params: crate::model_fn::unit_params(),
            config,
            device,
            checkpointer,
            global_step: 0,
            // distribute: gradients are averaged over the replicas before each update.
            optimizers: Optimizers::default().all_reduced_by(distribution),
            resume_position: 0,
            latest_eval: None,
            eval_history: None,
            summaries: std::collections::BTreeMap::new(),
            trainer_lock: None,
            params_state: PhantomData,
        };
        // distribute: the chief alone restores model_dir, then broadcasts its state.
        if let Some(d) = estimator.config.distribute.clone() {
            estimator.start_replicas(&d)?;
            return Ok(estimator);
        }
        if !estimator.restore_latest()?
            && let Some(ws) = &estimator.config.warm_start_from
        {
            let renames = &estimator.config.warm_start_var_name_to_prev_var_name;
            let model = Checkpointer::warm_start(estimator.resident()?, ws, renames)?;
            estimator.model = Some(model);
        }
        Ok(estimator)
    }

    /// The global step: optimizer steps taken over the whole run, across restarts.
    pub fn global_step(&self) -> u64 {
        self.global_step
    }

    /// The directory holding checkpoints and summaries.
    pub fn model_dir(&self) -> &Path {
        self.checkpointer.dir()
    }

    /// The run configuration.
    pub fn config(&self) -> &RunConfig {
        &self.config
    }

    /// The resident model, if a failed call has not lost it. Its running statistics (a batch
    /// norm's) include the last TRAIN step's update.
    pub fn model(&self) -> Option<&F::Model> {
        if let Some(model) = &self.model {
            crate::record::sync_running_states(model);
        }
        self.model.as_ref()
    }

    /// The latest evaluation's results, if `evaluate` ran.
    pub fn latest_eval(&self) -> Option<&EvalResults> {
        self.latest_eval.as_deref()
    }

    /// Records an evaluation: the latest one, and the last of the history hooks see.
    pub(crate) fn record_eval(&mut self, results: &EvalResults) {
        self.latest_eval = Some(Arc::new(results.clone()));
        let history = self.eval_history.get_or_insert_with(Default::default);
        Arc::make_mut(history).push(results.clone());
    }

    /// Replaces the evaluation history (with one read back from the eval event files).
    pub(crate) fn set_eval_history(&mut self, history: Vec<EvalResults>) {
        self.latest_eval = history.last().cloned().map(Arc::new);
        self.eval_history = Some(Arc::new(history));
    }

    /// The latest checkpoint in `model_dir`, if any.
    pub fn latest_checkpoint(&self) -> Result<Option<PathBuf>, Error> {
        self.checkpointer.latest()
    }

    /// The device the Estimator runs on (without autodiff).
    pub fn device(&self) -> &Device {
        &self.device
    }

    fn params(&self) -> Result<&F::Params, Error> {
        self.params.as_ref().ok_or_else(|| {
            Error::Config(format!(
                "the model_fn `{}` takes `params`; attach them with `.with_params(..)`",
                self.model_fn.name()
            ))
        })
    }

    fn resident(&self) -> Result<&F::Model, Error> {
        self.model.as_ref().ok_or_else(|| {
            Error::Config(
                "the model was lost by an earlier failed call; build a new Estimator".into(),
            )
        })
    }

    /// The resident model ready for inference (without autodiff), made once and kept until the
    /// weights change.
    fn inference_model(&self) -> Result<&F::Model, Error> {
        if let Some(model) = self.inference.get() {
            return Ok(model);
        }
        let model = self.resident()?.valid();
        Ok(self.inference.get_or_init(|| model))
    }

    /// The resident model, taken out for a train call (which puts it back); the inference
    /// model made from it is dropped, since training changes the weights.
    fn take_model(&mut self) -> Result<F::Model, Error> {
        self.inference.take();
        self.model
            .take()
            .ok_or_else(|| Error::Config("no resident model".into()))
    }

    /// Restores model, global step, input position and optimizer state from the latest
    /// checkpoint that still exists; `false` when there is none.
    fn restore_latest(&mut self) -> Result<bool, Error> {
        let Some((model, state, _)) = self.checkpointer.restore_latest(self.resident()?)? else {
            return Ok(false);
        };
        self.set_restored(model, state);
        Ok(true)
    }

    /// Restores from checkpoint data broadcast by a distributed run's chief (`path` names it
    /// in messages).
    fn restore_data(&mut self, data: CheckpointData, path: &Path) -> Result<(), Error> {
        let (model, state) = self
            .checkpointer
            .restore_from(self.resident()?, data, path)?;
        self.set_restored(model, state);
        Ok(())
    }

    fn set_restored(&mut self, model: F::Model, state: TrainingState) {
        self.model = Some(model);
        self.inference.take();
        self.global_step = state.global_step;
        self.resume_position = state.input_position;
        let expected = state.global_step > 0 && !self.config.reset_missing_optimizer_state;
        self.optimizers
            .restore(state.optimizer, expected.then_some(state.global_step));
    }

    /// After a failed train call (an error or a panic): back to the last checkpoint, as TF's
    /// next call restores it, or to `before` (the model at the start of the call, at step
    /// `step`) when there is none. Optimizer state and pending gradients of the failed call
    /// are dropped.
    fn recover(&mut self, before: F::Model, step: u64) {
        self.model = Some(before);
        // distribute: the fresh optimizers still average gradients over the replicas.
        self.optimizers = Optimizers::default().all_reduced_by(self.config.distribute.clone());
        self.global_step = step;
        self.resume_position = 0;
        match self.restore_latest() {
            Ok(true) => tracing::info!(
                "Training failed; the model is back at the checkpoint of step {}.",
                self.global_step
            ),
            Ok(false) => {}
            Err(e) => tracing::warn!(
                "Training failed, and the last checkpoint could not be restored ({e}); the model is back at step {step}."
            ),
        }
    }

    /// A copy of the model loaded from `path` (a checkpoint file or a model_dir), with that
    /// checkpoint's global step.
    fn model_from(&self, path: &Path) -> Result<(F::Model, u64), Error> {
        let fall_back = !self.config.error_on_corrupt_checkpoint;
        Checkpointer::load(self.resident()?, path, fall_back)
    }

    /// Writes a checkpoint of `model` at the current global step.
    fn save(&self, model: &F::Model, input_position: u64) -> Result<PathBuf, Error> {
        // distribute: the replicas' running statistics become their mean, which the checkpoint
        // holds and every rank continues from; every rank's input position goes into the
        // chief's checkpoint; only the chief writes.
        if let Some(distribution) = &self.config.distribute {
            crate::distribute::average_running_states(distribution, model);
        }
        let positions = self.replica().gather_positions(input_position);
        if !self.replica().is_chief() {
            return Ok(self
                .checkpointer
                .dir()
                .join(checkpoint_file_name(self.global_step)));
        }
        // A model_dir moved away (and maybe replaced) since the lock was taken: stop.
        if let Some(lock) = &self.trainer_lock {
            lock.check_same_dir(self.checkpointer.dir())?;
        }
        let mut sections = self.optimizers.sections()?;
        if self.config.distribute.is_some() {
            let (name, bytes) = replica::positions_section(&positions);
            sections.push((name, burn::tensor::Bytes::from_bytes_vec(bytes)));
        }
        let state = SavedState {
            global_step: self.global_step,
            input_position,
            optimizer: sections,
        };
        self.checkpointer.save(model, state)
    }
}

/// burn's default device, as a typed error where burn would panic (no backend compiled in, or
/// an unknown `BURN_DEVICE`).
fn default_device() -> Result<Device, Error> {
    std::panic::catch_unwind(Device::default).map_err(|_| {
        Error::Device("burn has no default device: enable a backend feature (ndarray, flex, wgpu) or fix BURN_DEVICE, or set RunConfig::device".into())
    })
}

fn default_model_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("estimator-{}-{nanos}", std::process::id()))
}

/// A per-step seed derived from the run's seed and the global step (SplitMix64), so that a
/// resumed run draws the same random numbers as an uninterrupted one.
pub(crate) fn step_seed(seed: u64, step: u64) -> u64 {
    let mut z = seed ^ step.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Exports the resident model under `export_dir_base/<version>/`, an integer directory
    /// name (the Unix time, or the next free integer): its weights (`model.safetensors`) and the
    /// signatures of its `export_outputs` (TF's `export_saved_model`). `serving_features` is an
    /// example batch: the model_fn runs on it in PREDICT mode to find the signatures' names,
    /// kinds, dtypes and shapes, and when it is one tensor the signatures record it as the
    /// serving input `input` (TF's raw serving input receiver).
    pub fn export(
        &self,
        export_dir_base: impl AsRef<Path>,
        serving_features: F::Features,
    ) -> Result<PathBuf, Error>
    where
        F::Features: 'static,
    {
        let inputs = crate::export::dense_input_specs(&serving_features);
        self.export_with(export_dir_base.as_ref(), serving_features, &inputs, |_| {
            Ok(())
        })
    }

    /// [`export`](Self::export) with the recorded serving `inputs` given and `extra` files
    /// written into the export before it is published.
    pub(crate) fn export_with(
        &self,
        export_dir_base: &Path,
        serving_features: F::Features,
        inputs: &[crate::export::TensorSpec],
        extra: impl FnOnce(&Path) -> Result<(), Error>,
    ) -> Result<PathBuf, Error> {
        // distribute: exports are the chief's.
        if !self.is_chief() {
            return Err(Error::Distributed(
                "only the chief (replica 0) exports: call `export` when `estimator.is_chief()`"
                    .into(),
            ));
        }
        let model = self.resident()?.valid();
        let spec =
            self.model_fn
                .predict_spec(&model, serving_features, self.params()?, &self.config)?;
        let manifest = crate::export::ExportManifest {
            model_fn: self.model_fn.name().to_string(),
            global_step: self.global_step,
            signatures: crate::export::signatures(&spec.export_outputs, inputs),
        };
        crate::export::write(export_dir_base, &model, &manifest, extra)
    }
}
