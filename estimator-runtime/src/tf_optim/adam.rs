//! Keras 2.15's `Adam` (`keras/src/optimizers/adam.py`, dense update, no amsgrad), at step
//! `t` (1 on the first update):
//!
//! ```text
//! alpha = lr · sqrt(1 - beta_2^t) / (1 - beta_1^t)
//! m += (g - m) · (1 - beta_1)
//! v += (g² - v) · (1 - beta_2)
//! w -= m · alpha / (sqrt(v) + epsilon)
//! ```
//!
//! With `legacy`, the update is `tf.keras.optimizers.legacy.Adam`'s (TF's `ResourceApplyAdam`
//! kernel; TF 2.15's estimators build this one): the same formula, but `1 - beta` is computed in
//! float32 from the float32 beta (Keras 2.15 computes it in float64 and rounds it), which moves
//! the first step by about 3e-6 relative.
//!
//! Keras counts `t` once per `apply_gradients` for all variables; here each parameter counts
//! its own updates, which is the same while every parameter gets a gradient every step.

use crate::OptimizerConfig;
use burn::optim::{ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::store::burn_pack::Scalar;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// Keras 2.15 `Adam`'s hyper-parameters, with Keras's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfAdamConfig {
    /// The first moment's decay (Keras: 0.9).
    pub beta_1: f64,
    /// The second moment's decay (Keras: 0.999).
    pub beta_2: f64,
    /// Added to `sqrt(v)` (Keras: 1e-7).
    pub epsilon: f64,
    /// `tf.keras.optimizers.legacy.Adam`'s rounding (what TF 2.15's estimators use).
    #[serde(default)]
    pub legacy: bool,
}

impl Default for TfAdamConfig {
    fn default() -> Self {
        TfAdamConfig {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            legacy: false,
        }
    }
}

impl TfAdamConfig {
    /// Keras 2.15 `Adam()`'s learning rate.
    pub const KERAS_LEARNING_RATE: f64 = 0.001;

    /// Keras's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the moments' decays.
    pub fn with_betas(mut self, beta_1: f64, beta_2: f64) -> Self {
        self.beta_1 = beta_1;
        self.beta_2 = beta_2;
        self
    }

    /// Sets epsilon.
    pub fn with_epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Rounds as `tf.keras.optimizers.legacy.Adam` (TF's `ResourceApplyAdam`), the optimizer
    /// TF 2.15's estimators build from `'Adam'`.
    pub fn with_legacy(mut self, legacy: bool) -> Self {
        self.legacy = legacy;
        self
    }

    /// The bare optimizer.
    pub fn build(&self) -> TfAdam {
        TfAdam {
            config: self.clone(),
        }
    }
}

impl OptimizerConfig for TfAdamConfig {
    fn kind(&self) -> &'static str {
        "tf_adam"
    }
    fn build(&self) -> ModuleOptimizer {
        ModuleOptimizer::from(TfAdamConfig::build(self))
    }
}

/// Keras 2.15's Adam optimizer.
#[derive(Clone, Debug)]
pub struct TfAdam {
    config: TfAdamConfig,
}

/// Adam's per-parameter state: the moments and the number of updates made.
#[derive(Clone, Debug)]
pub struct TfAdamState<const D: usize> {
    /// The first moment `m`.
    pub m: Tensor<D>,
    /// The second moment `v`.
    pub v: Tensor<D>,
    /// The updates made so far (Keras's `iterations`).
    pub iterations: u64,
}

impl<const D: usize> RecordState for TfAdamState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "m", self.m.to_data());
        out.push_tensor(prefix, "v", self.v.to_data());
        out.push_scalar(prefix, "iterations", Scalar::UInt(self.iterations));
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let m = src.take_tensor(prefix, "m")?;
        let v = src.take_tensor(prefix, "v")?;
        let Scalar::UInt(iterations) = src.take_scalar(prefix, "iterations")? else {
            return None;
        };
        Some(TfAdamState {
            m: Tensor::from_data(m, device),
            v: Tensor::from_data(v, device),
            iterations,
        })
    }
}

impl TfAdam {
    /// `1 - beta`: rounded from float64 (Keras 2.15), or computed in float32 (legacy).
    fn one_minus(&self, beta: f64) -> f64 {
        if self.config.legacy {
            f64::from(1.0 - beta as f32)
        } else {
            1.0 - beta
        }
    }

    /// Keras's `alpha` at step `t`, computed in f32 as Keras does for f32 variables.
    fn alpha(&self, lr: f64, t: u64) -> f64 {
        let t = t as f32;
        let beta_1_power = (self.config.beta_1 as f32).powf(t);
        let beta_2_power = (self.config.beta_2 as f32).powf(t);
        f64::from(lr as f32 * (1.0 - beta_2_power).sqrt() / (1.0 - beta_1_power))
    }
}

impl Optimizer for TfAdam {
    type State<const D: usize> = TfAdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        weight: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let c = &self.config;
        let TfAdamState { m, v, iterations } = state.unwrap_or_else(|| TfAdamState {
            m: weight.zeros_like(),
            v: weight.zeros_like(),
            iterations: 0,
        });
        let iterations = iterations.saturating_add(1);
        let alpha = self.alpha(lr, iterations);
        let m = m.clone() + (grad.clone() - m).mul_scalar(self.one_minus(c.beta_1));
        let v = v.clone() + (grad.clone() * grad - v).mul_scalar(self.one_minus(c.beta_2));
        let update = m.clone().mul_scalar(alpha) / v.clone().sqrt().add_scalar(c.epsilon);
        (weight - update, Some(TfAdamState { m, v, iterations }))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        TfAdamState {
            m: state.m.to_device(device),
            v: state.v.to_device(device),
            iterations: state.iterations,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The first step moves by lr·g/(|g| + eps/…) ≈ lr·sign(g): m = 0.1 g, v = 0.001 g²,
    /// alpha = lr·sqrt(0.001)/0.1, so w' = w - alpha·0.1 g / (sqrt(0.001)|g| + 1e-7).
    #[test]
    fn first_step_by_hand() {
        let device = Device::default();
        let w = Tensor::<1>::from_data([0.5f32], &device);
        let g = Tensor::<1>::from_data([2.0f32], &device);
        let (w1, state) = TfAdamConfig::new().build().step(0.1, w, g, None);
        let alpha = 0.1 * 0.001f64.sqrt() / 0.1;
        let want = 0.5 - alpha * 0.2 / (0.001f64.sqrt() * 2.0 + 1e-7);
        let got = w1.into_scalar::<f64>();
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        assert_eq!(state.unwrap().iterations, 1);
    }
}
