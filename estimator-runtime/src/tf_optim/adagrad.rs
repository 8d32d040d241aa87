//! Keras 2.15's `Adagrad` (`keras/src/optimizers/adagrad.py`, dense update):
//!
//! ```text
//! accumulator += g²                                  (starts at initial_accumulator_value)
//! w -= lr · g / sqrt(accumulator + epsilon)          (epsilon inside the root, as Keras)
//! ```
//!
//! With `legacy`, the update is `tf.keras.optimizers.legacy.Adagrad`'s (TF's `ApplyAdagradV2`
//! kernel; TF 2.15's estimators build this one): `w -= g · lr / (sqrt(accumulator) + epsilon)`.

use super::define::Step;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// Keras 2.15 `Adagrad`'s hyper-parameters, with Keras's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfAdagradConfig {
    /// The accumulators' start value (Keras: 0.1).
    pub initial_accumulator_value: f64,
    /// Added to the accumulator under the square root (Keras: 1e-7); to the root with `legacy`.
    pub epsilon: f64,
    /// `tf.keras.optimizers.legacy.Adagrad`'s update (what TF 2.15's estimators use).
    #[serde(default)]
    pub legacy: bool,
}

impl Default for TfAdagradConfig {
    fn default() -> Self {
        TfAdagradConfig {
            initial_accumulator_value: 0.1,
            epsilon: 1e-7,
            legacy: false,
        }
    }
}

keras_optimizer! {
    /// Keras 2.15's Adagrad optimizer.
    TfAdagrad(TfAdagradConfig, TfAdagradState, "tf_adagrad", 0.001) {
        /// Sets the accumulators' start value.
        with_initial_accumulator_value(initial_accumulator_value: f64);
        /// Sets epsilon.
        with_epsilon(epsilon: f64);
        /// Updates as `tf.keras.optimizers.legacy.Adagrad` (TF's `ApplyAdagradV2`), the optimizer
        /// TF 2.15's estimators build from `'Adagrad'`: epsilon outside the root.
        with_legacy(legacy: bool);
    }
}

slot_state! {
    /// Adagrad's per-parameter state: the squared-gradient accumulator (Keras's `accumulator`
    /// slot).
    TfAdagradState {
        tensors: [
            /// The sum of squared gradients (plus the start value).
            accumulator,
        ],
        optional: [],
    }
}

impl TfAdagrad {
    /// The new parameter and slots.
    fn update<const D: usize>(&self, step: Step<D, Slots<D>>) -> (Tensor<D>, Slots<D>) {
        let Step(lr, weight, grad, state) = step;
        let c = &self.config;
        let accumulator = state
            .map(|s| s.accumulator)
            .unwrap_or_else(|| weight.full_like(c.initial_accumulator_value));
        let accumulator = accumulator + grad.clone() * grad.clone();
        let denominator = match c.legacy {
            true => accumulator.clone().sqrt().add_scalar(c.epsilon),
            false => accumulator.clone().add_scalar(c.epsilon).sqrt(),
        };
        let weight = weight - grad.mul_scalar(lr) / denominator;
        (weight, TfAdagradState { accumulator })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use burn::optim::Optimizer;
    use burn::tensor::Device;

    /// One step from w = 0.5, g = 2, lr = 0.1: n = 0.1 + 4, w' = 0.5 - 0.2 / sqrt(4.1 + 1e-7).
    #[test]
    fn one_step_by_hand() {
        let device = Device::default();
        let w = Tensor::<1>::from_data([0.5f32], &device);
        let g = Tensor::<1>::from_data([2.0f32], &device);
        let (w1, state) = TfAdagradConfig::new().build().step(0.1, w, g, None);
        let want = 0.5 - 0.2 / (4.1f64 + 1e-7).sqrt();
        let got = w1.into_scalar::<f64>();
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        let n = state.unwrap().accumulator.into_scalar::<f64>();
        assert!((n - 4.1).abs() < 1e-6, "{n}");
    }
}
