//! Keras 2.15's `SGD` (`keras/src/optimizers/sgd.py`, dense update):
//!
//! ```text
//! velocity = -g · lr + velocity · momentum               (starts at 0)
//! w += velocity                                          (plain)
//! w += -g · lr + velocity · momentum                     (nesterov)
//! ```

use crate::OptimizerConfig;
use burn::optim::{ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Keras 2.15 `SGD`'s hyper-parameters, with Keras's defaults (no momentum).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TfSgdConfig {
    /// The velocity's decay (Keras: 0.0).
    pub momentum: f64,
    /// Nesterov momentum (Keras: false).
    pub nesterov: bool,
}

impl TfSgdConfig {
    /// Keras 2.15 `SGD()`'s learning rate.
    pub const KERAS_LEARNING_RATE: f64 = 0.01;

    /// Keras's defaults: plain gradient descent.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the momentum.
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// Uses Nesterov momentum.
    pub fn with_nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// The bare optimizer.
    pub fn build(&self) -> TfSgd {
        TfSgd {
            config: self.clone(),
        }
    }
}

impl OptimizerConfig for TfSgdConfig {
    fn kind(&self) -> &'static str {
        "tf_sgd"
    }
    fn build(&self) -> ModuleOptimizer {
        ModuleOptimizer::from(TfSgdConfig::build(self))
    }
}

/// Keras 2.15's SGD optimizer.
#[derive(Clone, Debug)]
pub struct TfSgd {
    config: TfSgdConfig,
}

/// SGD's per-parameter state: the velocity (Keras's `momentums` slot).
#[derive(Clone, Debug)]
pub struct TfSgdState<const D: usize> {
    /// The velocity.
    pub velocity: Tensor<D>,
}

impl<const D: usize> RecordState for TfSgdState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "velocity", self.velocity.to_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let velocity = src.take_tensor(prefix, "velocity")?;
        Some(TfSgdState {
            velocity: Tensor::from_data(velocity, device),
        })
    }
}

impl Optimizer for TfSgd {
    type State<const D: usize> = TfSgdState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        weight: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let momentum = self.config.momentum;
        let velocity = state
            .map(|s| s.velocity)
            .unwrap_or_else(|| weight.zeros_like());
        let descent = grad.neg().mul_scalar(lr);
        let velocity = descent.clone() + velocity.mul_scalar(momentum);
        let weight = if self.config.nesterov {
            weight + (descent + velocity.clone().mul_scalar(momentum))
        } else {
            weight + velocity.clone()
        };
        (weight, Some(TfSgdState { velocity }))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        TfSgdState {
            velocity: state.velocity.to_device(device),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Two steps with g = 1, lr = 0.1, momentum 0.9: velocities -0.1, -0.19; plain moves
    /// w by their sum, Nesterov by (-0.1 - 0.09) + (-0.1 - 0.171).
    #[test]
    fn two_steps_by_hand() {
        let device = Device::default();
        let run = |config: TfSgdConfig| {
            let sgd = config.build();
            let w = Tensor::<1>::from_data([1.0f32], &device);
            let g = Tensor::<1>::from_data([1.0f32], &device);
            let (w, s) = sgd.step(0.1, w, g.clone(), None);
            let (w, _) = sgd.step(0.1, w, g, s);
            w.into_scalar::<f64>()
        };
        let plain = run(TfSgdConfig::new().with_momentum(0.9));
        assert!((plain - (1.0 - 0.1 - 0.19)).abs() < 1e-6, "{plain}");
        let nesterov = run(TfSgdConfig::new().with_momentum(0.9).with_nesterov(true));
        let want = 1.0 - 0.19 - 0.271;
        assert!((nesterov - want).abs() < 1e-6, "{nesterov}");
    }
}
