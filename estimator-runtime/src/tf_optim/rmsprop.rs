//! Keras 2.15's `RMSprop` (`keras/src/optimizers/rmsprop.py`, dense update):
//!
//! ```text
//! ms  = rho · ms + (1 - rho) · g²                          (starts at 0)
//! mg  = rho · mg + (1 - rho) · g                           (centered only; starts at 0)
//! increment = lr · g · rsqrt(ms - mg² + epsilon)           (ms + epsilon when not centered)
//! mom = momentum · mom + increment;  w -= mom              (with momentum)
//! w -= increment                                           (without)
//! ```
//!
//! With `legacy`, the update is `tf.keras.optimizers.legacy.RMSprop`'s (TF 2.15's estimators
//! build this one from `'RMSProp'`). Without momentum it is Keras's Python update,
//! `w -= lr · g / (sqrt(ms - mg²) + epsilon)` (epsilon outside the root); with momentum it is
//! TF's `ApplyRMSProp` / `ApplyCenteredRMSProp` kernel, `ms += (g² - ms) · (1 - rho)`,
//! `mom = mom · momentum + lr · g / sqrt(ms - mg² + epsilon)`, `w -= mom`. Either way
//! `1 - rho` is computed in float32.

use super::define::Step;
use super::define::one_minus;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// Keras 2.15 `RMSprop`'s hyper-parameters, with Keras's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfRmsPropConfig {
    /// The mean square's decay (Keras: 0.9).
    pub rho: f64,
    /// The momentum (Keras: 0.0, no momentum slot).
    pub momentum: f64,
    /// Added to the mean square (Keras: 1e-7).
    pub epsilon: f64,
    /// Divides by the gradient's estimated variance instead of its mean square (Keras: false).
    pub centered: bool,
    /// `tf.keras.optimizers.legacy.RMSprop`'s update (what TF 2.15's estimators use).
    #[serde(default)]
    pub legacy: bool,
}

impl Default for TfRmsPropConfig {
    fn default() -> Self {
        TfRmsPropConfig {
            rho: 0.9,
            momentum: 0.0,
            epsilon: 1e-7,
            centered: false,
            legacy: false,
        }
    }
}

keras_optimizer! {
    /// Keras 2.15's RMSprop optimizer.
    TfRmsProp(TfRmsPropConfig, TfRmsPropState, "tf_rmsprop", 0.001) {
        /// Sets rho, the mean square's decay.
        with_rho(rho: f64);
        /// Sets the momentum (0 keeps no momentum slot).
        with_momentum(momentum: f64);
        /// Sets epsilon.
        with_epsilon(epsilon: f64);
        /// Centered RMSprop: also keeps the gradient's mean.
        with_centered(centered: bool);
        /// Updates as `tf.keras.optimizers.legacy.RMSprop`, the optimizer TF 2.15's estimators
        /// build from `'RMSProp'`.
        with_legacy(legacy: bool);
    }
}

slot_state! {
    /// RMSprop's per-parameter state: Keras's slots.
    TfRmsPropState {
        tensors: [
            /// The gradients' mean square (Keras: `velocity`; legacy: `rms`).
            mean_square,
        ],
        optional: [
            /// The momentum (Keras: `momentum`), with momentum only.
            momentum,
            /// The gradients' mean (Keras: `average_gradient`; legacy: `mg`), centered only.
            mean_gradient,
        ],
    }
}

/// One step without momentum (`lr · g / denominator`), and the new mean square and mean.
struct Scaled<const D: usize> {
    increment: Tensor<D>,
    mean_square: Tensor<D>,
    mean_gradient: Option<Tensor<D>>,
}

impl TfRmsProp {
    /// The legacy optimizer with momentum runs TF's fused kernel.
    fn kernel(&self) -> bool {
        self.config.legacy && self.config.momentum > 0.0
    }

    /// `rho · x + (1 - rho) · y` (Keras, and legacy without momentum), or `x + (y - x) · (1 -
    /// rho)` (the legacy kernel, with momentum).
    fn decay<const D: usize>(&self, x: Tensor<D>, y: Tensor<D>) -> Tensor<D> {
        let c = &self.config;
        let one_minus_rho = one_minus(c.rho, c.legacy);
        match self.kernel() {
            true => x.clone() + (y - x).mul_scalar(one_minus_rho),
            false => x.mul_scalar(c.rho) + y.mul_scalar(one_minus_rho),
        }
    }

    fn scaled<const D: usize>(
        &self,
        lr: f64,
        grad: Tensor<D>,
        state: Option<TfRmsPropState<D>>,
    ) -> Scaled<D> {
        let c = &self.config;
        let zeros = || grad.zeros_like();
        let (mean_square, mean_gradient) = match state {
            Some(s) => (s.mean_square, s.mean_gradient),
            None => (zeros(), None),
        };
        let mean_square = self.decay(mean_square, grad.clone().square());
        let mean_gradient = c
            .centered
            .then(|| self.decay(mean_gradient.unwrap_or_else(zeros), grad.clone()));
        let variance = match &mean_gradient {
            Some(mg) => mean_square.clone() - mg.clone().square(),
            None => mean_square.clone(),
        };
        let scaled_grad = grad.mul_scalar(lr);
        let increment = match (c.legacy, self.kernel()) {
            (true, false) => scaled_grad / variance.sqrt().add_scalar(c.epsilon),
            (true, true) => scaled_grad / variance.add_scalar(c.epsilon).sqrt(),
            (false, _) => scaled_grad * variance.add_scalar(c.epsilon).sqrt().recip(),
        };
        Scaled {
            increment,
            mean_square,
            mean_gradient,
        }
    }
}

impl TfRmsProp {
    /// The new parameter and slots.
    fn update<const D: usize>(&self, step: Step<D, Slots<D>>) -> (Tensor<D>, Slots<D>) {
        let Step(lr, weight, grad, state) = step;
        let previous_momentum = state.as_ref().and_then(|s| s.momentum.clone());
        let scaled = self.scaled(lr, grad, state);
        let momentum = (self.config.momentum > 0.0).then(|| {
            let previous = previous_momentum.unwrap_or_else(|| weight.zeros_like());
            previous.mul_scalar(self.config.momentum) + scaled.increment.clone()
        });
        let weight = weight - momentum.clone().unwrap_or(scaled.increment);
        let state = TfRmsPropState {
            mean_square: scaled.mean_square,
            momentum,
            mean_gradient: scaled.mean_gradient,
        };
        (weight, state)
    }
}
