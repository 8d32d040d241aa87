//! Keras 2.15's `Adagrad` (`keras/src/optimizers/adagrad.py`, dense update):
//!
//! ```text
//! accumulator += g²                                  (starts at initial_accumulator_value)
//! w -= lr · g / sqrt(accumulator + epsilon)          (epsilon inside the root, as Keras)
//! ```
//!
//! With `legacy`, the update is `tf.keras.optimizers.legacy.Adagrad`'s (TF's `ApplyAdagradV2`
//! kernel; TF 2.15's estimators build this one): `w -= g · lr / (sqrt(accumulator) + epsilon)`.

use crate::OptimizerConfig;
use burn::optim::{ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};
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

impl TfAdagradConfig {
    /// Keras 2.15 `Adagrad()`'s learning rate.
    pub const KERAS_LEARNING_RATE: f64 = 0.001;

    /// Keras's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the accumulators' start value.
    pub fn with_initial_accumulator_value(mut self, value: f64) -> Self {
        self.initial_accumulator_value = value;
        self
    }

    /// Sets epsilon.
    pub fn with_epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Updates as `tf.keras.optimizers.legacy.Adagrad` (TF's `ApplyAdagradV2`), the optimizer
    /// TF 2.15's estimators build from `'Adagrad'`: epsilon outside the root.
    pub fn with_legacy(mut self, legacy: bool) -> Self {
        self.legacy = legacy;
        self
    }

    /// The bare optimizer.
    pub fn build(&self) -> TfAdagrad {
        TfAdagrad {
            config: self.clone(),
        }
    }
}

impl OptimizerConfig for TfAdagradConfig {
    fn kind(&self) -> &'static str {
        "tf_adagrad"
    }
    fn build(&self) -> ModuleOptimizer {
        ModuleOptimizer::from(TfAdagradConfig::build(self))
    }
}

/// Keras 2.15's Adagrad optimizer.
#[derive(Clone, Debug)]
pub struct TfAdagrad {
    config: TfAdagradConfig,
}

/// Adagrad's per-parameter state: the squared-gradient accumulator.
#[derive(Clone, Debug)]
pub struct TfAdagradState<const D: usize> {
    /// The sum of squared gradients (plus the start value).
    pub accumulator: Tensor<D>,
}

impl<const D: usize> RecordState for TfAdagradState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "accumulator", self.accumulator.to_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let accumulator = src.take_tensor(prefix, "accumulator")?;
        Some(TfAdagradState {
            accumulator: Tensor::from_data(accumulator, device),
        })
    }
}

impl Optimizer for TfAdagrad {
    type State<const D: usize> = TfAdagradState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        weight: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let c = &self.config;
        let accumulator = state
            .map(|s| s.accumulator)
            .unwrap_or_else(|| weight.full_like(c.initial_accumulator_value));
        let accumulator = accumulator + grad.clone() * grad.clone();
        let weight = if c.legacy {
            let denominator = accumulator.clone().sqrt().add_scalar(c.epsilon);
            weight - grad.mul_scalar(lr) / denominator
        } else {
            let denominator = accumulator.clone().add_scalar(c.epsilon).sqrt();
            weight - grad.mul_scalar(lr) / denominator
        };
        (weight, Some(TfAdagradState { accumulator }))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        TfAdagradState {
            accumulator: state.accumulator.to_device(device),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
