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

use super::define::Step;
use super::define::one_minus;
use burn::tensor::Tensor;
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
    /// `tf.compat.v1.train.AdamOptimizer`'s numbers (custom model_fns): legacy rounding, and
    /// `beta^t` as TF1's `beta1_power` / `beta2_power` variables hold it, a running float32
    /// product (one multiplication per step) instead of a power.
    #[serde(default)]
    pub compat_v1: bool,
}

impl Default for TfAdamConfig {
    fn default() -> Self {
        TfAdamConfig {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            legacy: false,
            compat_v1: false,
        }
    }
}

impl TfAdamConfig {
    /// Sets the moments' decays.
    pub fn with_betas(self, beta_1: f64, beta_2: f64) -> Self {
        TfAdamConfig {
            beta_1,
            beta_2,
            ..self
        }
    }
}

keras_optimizer! {
    /// Keras 2.15's Adam optimizer.
    TfAdam(TfAdamConfig, TfAdamState, "tf_adam", 0.001) {
        /// Sets epsilon.
        with_epsilon(epsilon: f64);
        /// Rounds as `tf.keras.optimizers.legacy.Adam` (TF's `ResourceApplyAdam`), the optimizer
        /// TF 2.15's estimators build from `'Adam'`.
        with_legacy(legacy: bool);
        /// Computes as `tf.compat.v1.train.AdamOptimizer` (TF's `ApplyAdam` kernel with its
        /// running `beta_power` products); set epsilon to its 1e-8 too.
        with_compat_v1(compat_v1: bool);
    }
}

slot_state! {
    /// Adam's per-parameter state: the moments (Keras's `m` and `v` slots) and the number of
    /// updates made.
    TfAdamState {
        tensors: [
            /// The first moment `m`.
            m,
            /// The second moment `v`.
            v,
        ],
        optional: [],
        counter:
            /// The updates made so far (Keras's `iterations`).
            iterations,
    }
}

impl TfAdam {
    /// Keras's `alpha` at step `t`, computed in f32 as Keras does for f32 variables.
    fn alpha(&self, lr: f64, t: u64) -> f64 {
        let beta_1_power = self.power(self.config.beta_1, t);
        let beta_2_power = self.power(self.config.beta_2, t);
        f64::from(lr as f32 * (1.0 - beta_2_power).sqrt() / (1.0 - beta_1_power))
    }

    /// `beta^t` in f32: a power (Keras), or TF1's running product (`running_power`).
    fn power(&self, beta: f64, t: u64) -> f32 {
        let beta = beta as f32;
        match self.config.compat_v1 {
            true => running_power(beta, t),
            false => beta.powf(t as f32),
        }
    }

    /// The new parameter and slots.
    fn update<const D: usize>(&self, step: Step<D, Slots<D>>) -> (Tensor<D>, Slots<D>) {
        let Step(lr, weight, grad, state) = step;
        let c = &self.config;
        let TfAdamState { m, v, iterations } = state.unwrap_or_else(|| TfAdamState {
            m: weight.zeros_like(),
            v: weight.zeros_like(),
            iterations: 0,
        });
        let iterations = iterations.saturating_add(1);
        let alpha = self.alpha(lr, iterations);
        let m =
            m.clone() + (grad.clone() - m).mul_scalar(one_minus(c.beta_1, c.legacy || c.compat_v1));
        let v = v.clone()
            + (grad.clone() * grad - v).mul_scalar(one_minus(c.beta_2, c.legacy || c.compat_v1));
        let update = m.clone().mul_scalar(alpha) / v.clone().sqrt().add_scalar(c.epsilon);
        (weight - update, TfAdamState { m, v, iterations })
    }
}

/// TF1's `beta_power` after `t` steps: `t - 1` rounded f32 multiplications from `beta`, as its
/// variable accumulates them. The last few results are kept per thread, so a run's steps (every
/// parameter at `t`, then at `t + 1`) cost one multiplication each, not `t`.
fn running_power(beta: f32, t: u64) -> f32 {
    use std::cell::RefCell;
    thread_local! {
        /// `(beta, t, beta_power)`, the latest per beta.
        static LATEST: RefCell<Vec<(u32, u64, f32)>> = const { RefCell::new(Vec::new()) };
    }
    LATEST.with(|latest| {
        let mut latest = latest.borrow_mut();
        let (from_t, from_power) = match latest.iter().find(|e| e.0 == beta.to_bits()) {
            Some(&(_, known, power)) if known <= t && known > 0 => (known, power),
            _ => (1, beta),
        };
        let power = (from_t..t).fold(from_power, |power, _| power * beta);
        latest.retain(|e| e.0 != beta.to_bits());
        latest.truncate(7);
        latest.push((beta.to_bits(), t.max(1), power));
        power
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use burn::optim::Optimizer;
    use burn::tensor::Device;

    /// The kept products give what `t - 1` multiplications give, forwards, repeated, and
    /// after going back.
    #[test]
    fn running_powers_are_tf1s_products() {
        let product = |beta: f32, t: u64| (1..t).fold(beta, |p, _| p * beta);
        for t in [1, 2, 3, 3, 50, 51, 20, 1000, 999, 1] {
            assert_eq!(
                running_power(0.999, t).to_bits(),
                product(0.999, t).to_bits(),
                "{t}"
            );
            assert_eq!(
                running_power(0.9, t).to_bits(),
                product(0.9, t).to_bits(),
                "{t}"
            );
        }
    }

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
