//! `TrainOp`: what a TRAIN step minimises, with which optimizer and learning rate.

use burn::optim::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::optim::{
    AdaGradConfig, AdamConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig, SgdConfig,
};
use burn::tensor::Tensor;
use std::fmt;

/// An optimizer configuration the Estimator can build an optimizer from.
///
/// Implemented for burn's `SgdConfig`, `AdamConfig`, `AdamWConfig`, `RmsPropConfig` and
/// `AdaGradConfig`. Gradient clipping is part of the config (`with_grad_clipping`), as in burn.
pub trait OptimizerConfig: Send + 'static {
    /// A stable name of the optimizer kind; a run must keep one kind.
    fn kind(&self) -> &'static str;
    /// Builds the optimizer (with its gradient clipping).
    fn build(&self) -> ModuleOptimizer;
}

macro_rules! optimizer_config {
    ($($ty:ty => $name:literal),* $(,)?) => {$(
        impl OptimizerConfig for $ty {
            fn kind(&self) -> &'static str {
                $name
            }
            fn build(&self) -> ModuleOptimizer {
                self.init()
            }
        }
    )*};
}

optimizer_config!(
    SgdConfig => "sgd",
    AdamWConfig => "adamw",
    RmsPropConfig => "rmsprop",
    AdaGradConfig => "adagrad",
);

/// Plain Adam (no weight decay, AMSGrad or gradient clipping) runs fused: burn's arithmetic in
/// one pass over each parameter (the same results and checkpoints, fewer sweeps over memory).
impl OptimizerConfig for AdamConfig {
    fn kind(&self) -> &'static str {
        "adam"
    }
    fn build(&self) -> ModuleOptimizer {
        match crate::optim::FusedAdam::for_config(self) {
            Some(fused) => ModuleOptimizer::from(fused),
            None => self.init(),
        }
    }
}

/// A learning rate: a constant, or a burn LR scheduler stepped once per global step.
pub enum LearningRate {
    /// The same rate every step.
    Constant(f64),
    /// A schedule (any burn `*LrSchedulerConfig::init()?`); the Estimator keeps the first
    /// step's, steps it once per global step, and saves its state in checkpoints.
    Schedule(ModuleLrScheduler),
}

impl fmt::Debug for LearningRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LearningRate::Constant(lr) => write!(f, "Constant({lr})"),
            LearningRate::Schedule(_) => f.write_str("Schedule(..)"),
        }
    }
}

impl From<f64> for LearningRate {
    fn from(lr: f64) -> Self {
        LearningRate::Constant(lr)
    }
}

impl From<f32> for LearningRate {
    fn from(lr: f32) -> Self {
        LearningRate::Constant(f64::from(lr))
    }
}

impl From<ModuleLrScheduler> for LearningRate {
    fn from(s: ModuleLrScheduler) -> Self {
        LearningRate::Schedule(s)
    }
}

/// One objective minimised by one optimizer.
pub struct Minimize {
    pub(crate) objective: Tensor<1>,
    pub(crate) optimizer: Box<dyn OptimizerConfig>,
    pub(crate) learning_rate: LearningRate,
}

impl fmt::Debug for Minimize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Minimize")
            .field("optimizer", &self.optimizer.kind())
            .field("learning_rate", &self.learning_rate)
            .finish_non_exhaustive()
    }
}

/// The training operation of a TRAIN step (TF's `train_op`).
///
/// The Estimator creates the optimizer on the first TRAIN step, keeps it (and its state, which
/// checkpoints save) for the whole run, and steps it with the gradients of the objective.
///
/// ```
/// use estimator_runtime::prelude::*;
/// let device = Device::default().autodiff();
/// let loss = Tensor::<1>::from_data([0.5f32], &device);
/// let op = TrainOp::minimize(loss, AdamConfig::new(), 1e-3);
/// assert_eq!(op.optimizer_kinds(), ["adam"]);
/// ```
#[derive(Debug)]
pub struct TrainOp {
    pub(crate) parts: Vec<Minimize>,
}

impl TrainOp {
    /// Minimise `objective` with `optimizer` at `learning_rate` (an `f64` or a burn scheduler).
    pub fn minimize(
        objective: Tensor<1>,
        optimizer: impl OptimizerConfig,
        learning_rate: impl Into<LearningRate>,
    ) -> TrainOp {
        TrainOp {
            parts: vec![Minimize {
                objective,
                optimizer: Box::new(optimizer),
                learning_rate: learning_rate.into(),
            }],
        }
    }

    /// Several train ops run in one step, in order (TF `tf.group`), each with its own optimizer.
    ///
    /// Each objective's gradients update every parameter they reach; detach what one objective
    /// must not train (as a GAN's generator loss detaches the discriminator).
    pub fn group(ops: impl IntoIterator<Item = TrainOp>) -> TrainOp {
        TrainOp {
            parts: ops.into_iter().flat_map(|op| op.parts).collect(),
        }
    }

    /// Scales every objective by `factor`: gradient accumulation's `1/n`, so that `n` batches
    /// of a mean loss make the update of one batch `n` times larger.
    pub(crate) fn scale_objectives(&mut self, factor: f64) {
        for part in &mut self.parts {
            part.objective = part.objective.clone().mul_scalar(factor);
        }
    }

    /// The optimizer kinds, one per grouped objective.
    pub fn optimizer_kinds(&self) -> Vec<&'static str> {
        self.parts.iter().map(|p| p.optimizer.kind()).collect()
    }
}
