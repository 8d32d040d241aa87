//! Keras 2.15's `Ftrl` (FTRL-Proximal, McMahan et al. 2013), the optimizer of TF's linear
//! estimators. The update is TF's `ApplyFtrlV2`, in Keras 2.15's order of operations
//! (`keras/src/optimizers/ftrl.py`; `tf.keras.optimizers.legacy.Ftrl` gives the same numbers):
//!
//! ```text
//! n'   = n + g²
//! z'   = z + (g - (n'^-p - n^-p) / lr · w)           (p = learning_rate_power, -0.5)
//! w'   = (sign(z')·l1 - z') / ((beta + n'^-p) / lr + 2·l2)   if |z'| > l1, else 0
//! ```
//!
//! Keras's `l2_shrinkage_regularization_strength` is not supported (its default, 0, is what
//! this computes).

use super::define::Step;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// FTRL's hyper-parameters, with Keras 2.15's (and TF's) defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfFtrlConfig {
    /// The power of the per-coordinate rate (`-0.5`: AdaGrad-like).
    pub learning_rate_power: f64,
    /// The accumulators' start value (must be positive).
    pub initial_accumulator_value: f64,
    /// L1 regularisation: weights whose accumulated gradient stays below it are exactly 0.
    pub l1_regularization_strength: f64,
    /// L2 regularisation.
    pub l2_regularization_strength: f64,
    /// TF's `beta`.
    pub beta: f64,
}

impl Default for TfFtrlConfig {
    fn default() -> Self {
        TfFtrlConfig {
            learning_rate_power: -0.5,
            initial_accumulator_value: 0.1,
            l1_regularization_strength: 0.0,
            l2_regularization_strength: 0.0,
            beta: 0.0,
        }
    }
}

keras_optimizer! {
    /// Keras 2.15's FTRL optimizer.
    TfFtrl(TfFtrlConfig, TfFtrlState, "ftrl", 0.001) {
        /// Sets the L1 strength.
        with_l1(l1_regularization_strength: f64);
        /// Sets the L2 strength.
        with_l2(l2_regularization_strength: f64);
        /// Sets the power of the per-coordinate rate.
        with_learning_rate_power(learning_rate_power: f64);
        /// Sets the accumulators' start value.
        with_initial_accumulator_value(initial_accumulator_value: f64);
        /// Sets `beta`.
        with_beta(beta: f64);
    }
}

slot_state! {
    /// FTRL's per-parameter state: Keras's `accumulator` (`n`) and `linear` (`z`) slots.
    TfFtrlState {
        tensors: [
            /// `n`.
            accumulator,
            /// `z`.
            linear,
        ],
        optional: [],
    }
}

impl TfFtrl {
    /// The new parameter and slots.
    fn update<const D: usize>(&self, step: Step<D, Slots<D>>) -> (Tensor<D>, Slots<D>) {
        let Step(lr, weight, grad, state) = step;
        let c = &self.config;
        let TfFtrlState {
            accumulator,
            linear,
        } = state.unwrap_or_else(|| TfFtrlState {
            accumulator: weight.full_like(c.initial_accumulator_value),
            linear: weight.zeros_like(),
        });
        let p = -c.learning_rate_power;
        let new_accumulator = accumulator.clone() + grad.clone().square();
        let root = new_accumulator.clone().powf_scalar(p);
        let sigma = (root.clone() - accumulator.powf_scalar(p)) / lr;
        // Keras 2.15's order of operations, so that the rounding is the same as TF's.
        let linear = linear + (grad - sigma * weight);
        let quadratic = (root + c.beta) / lr + 2.0 * c.l2_regularization_strength;
        let l1 = c.l1_regularization_strength;
        let weight = ((linear.clone().sign() * l1 - linear.clone()) / quadratic)
            .mask_fill(linear.clone().abs().lower_equal_elem(l1), 0.0);
        let state = TfFtrlState {
            accumulator: new_accumulator,
            linear,
        };
        (weight, state)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use burn::optim::Optimizer;
    use burn::tensor::Device;

    /// One step from w = 0.5, g = 1, lr = 0.1, n = 0.1, z = 0 (TF's defaults, no l1/l2):
    /// n' = 1.1, σ = (√1.1 - √0.1)/0.1, z' = 1 - σ·0.5, w' = -z' / (√1.1 / 0.1).
    #[test]
    fn one_step_by_hand() {
        let device = Device::default();
        let w = Tensor::<1>::from_data([0.5f32], &device);
        let g = Tensor::<1>::from_data([1.0f32], &device);
        let (w1, state) = TfFtrlConfig::new()
            .build()
            .step(0.1, w.clone(), g.clone(), None);
        let sigma = (1.1f64.sqrt() - 0.1f64.sqrt()) / 0.1;
        let z = 1.0 - sigma * 0.5;
        let want = -z / (1.1f64.sqrt() / 0.1);
        let got = w1.into_scalar::<f64>();
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        let z_got = state.unwrap().linear.into_scalar::<f64>();
        assert!((z_got - z).abs() < 1e-5);
        // l1 = 1 < |z'|: w' = (sign(z')·1 - z') / (√1.1 / 0.1); l1 = 3 > |z'|: exactly 0.
        let (w2, _) =
            TfFtrlConfig::new()
                .with_l1(1.0)
                .build()
                .step(0.1, w.clone(), g.clone(), None);
        let want = (-1.0 - z) / (1.1f64.sqrt() / 0.1);
        assert!((w2.into_scalar::<f64>() - want).abs() < 1e-6);
        let (w3, _) = TfFtrlConfig::new()
            .with_l1(3.0)
            .build()
            .step(0.1, w, g, None);
        assert_eq!(w3.into_scalar::<f64>(), 0.0);
    }
}
