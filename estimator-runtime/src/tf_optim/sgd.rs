//! Keras 2.15's `SGD` (`keras/src/optimizers/sgd.py`, dense update):
//!
//! ```text
//! velocity = -g · lr + velocity · momentum               (starts at 0)
//! w += velocity                                          (plain)
//! w += -g · lr + velocity · momentum                     (nesterov)
//! ```

use super::define::Step;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// Keras 2.15 `SGD`'s hyper-parameters, with Keras's defaults (no momentum).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TfSgdConfig {
    /// The velocity's decay (Keras: 0.0).
    pub momentum: f64,
    /// Nesterov momentum (Keras: false).
    pub nesterov: bool,
}

keras_optimizer! {
    /// Keras 2.15's SGD optimizer.
    TfSgd(TfSgdConfig, TfSgdState, "tf_sgd", 0.01) {
        /// Sets the momentum.
        with_momentum(momentum: f64);
        /// Uses Nesterov momentum.
        with_nesterov(nesterov: bool);
    }
}

slot_state! {
    /// SGD's per-parameter state: the velocity (Keras's `momentums` slot).
    TfSgdState {
        tensors: [
            /// The velocity.
            velocity,
        ],
        optional: [],
    }
}

impl TfSgd {
    /// The new parameter and slots.
    fn update<const D: usize>(&self, step: Step<D, Slots<D>>) -> (Tensor<D>, Slots<D>) {
        let Step(lr, weight, grad, state) = step;
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
        (weight, TfSgdState { velocity })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use burn::optim::Optimizer;
    use burn::tensor::Device;

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
