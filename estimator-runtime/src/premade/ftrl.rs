//! FTRL-Proximal (McMahan et al. 2013), the optimizer of TF's linear estimators, as a burn
//! optimizer: burn 0.22 has none. The update is TF's `ApplyFtrlV2`:
//!
//! ```text
//! n'   = n + g²
//! z'   = z + g - (n'^-p - n^-p) / lr · w          (p = learning_rate_power, -0.5)
//! w'   = (sign(z')·l1 - z') / ((beta + n'^-p) / lr + 2·l2)   if |z'| > l1, else 0
//! ```

use crate::OptimizerConfig;
use burn::optim::{ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

/// FTRL's hyper-parameters, with TF's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FtrlConfig {
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

impl Default for FtrlConfig {
    fn default() -> Self {
        FtrlConfig {
            learning_rate_power: -0.5,
            initial_accumulator_value: 0.1,
            l1_regularization_strength: 0.0,
            l2_regularization_strength: 0.0,
            beta: 0.0,
        }
    }
}

impl FtrlConfig {
    /// TF's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the L1 strength.
    pub fn with_l1(mut self, l1: f64) -> Self {
        self.l1_regularization_strength = l1;
        self
    }

    /// Sets the L2 strength.
    pub fn with_l2(mut self, l2: f64) -> Self {
        self.l2_regularization_strength = l2;
        self
    }

    /// The bare optimizer.
    pub fn build(&self) -> Ftrl {
        Ftrl {
            config: self.clone(),
        }
    }
}

impl OptimizerConfig for FtrlConfig {
    fn kind(&self) -> &'static str {
        "ftrl"
    }
    fn build(&self) -> ModuleOptimizer {
        ModuleOptimizer::from(FtrlConfig::build(self))
    }
}

/// The FTRL optimizer.
#[derive(Clone, Debug)]
pub struct Ftrl {
    config: FtrlConfig,
}

/// FTRL's per-parameter state: the squared-gradient accumulator `n` and the linear term `z`.
#[derive(Clone, Debug)]
pub struct FtrlState<const D: usize> {
    /// `n`.
    pub accumulator: Tensor<D>,
    /// `z`.
    pub linear: Tensor<D>,
}

impl<const D: usize> RecordState for FtrlState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "accumulator", self.accumulator.to_data());
        out.push_tensor(prefix, "linear", self.linear.to_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let accumulator = src.take_tensor(prefix, "accumulator")?;
        let linear = src.take_tensor(prefix, "linear")?;
        Some(FtrlState {
            accumulator: Tensor::from_data(accumulator, device),
            linear: Tensor::from_data(linear, device),
        })
    }
}

impl Optimizer for Ftrl {
    type State<const D: usize> = FtrlState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        weight: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let c = &self.config;
        let FtrlState {
            accumulator,
            linear,
        } = state.unwrap_or_else(|| FtrlState {
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
        (
            weight,
            Some(FtrlState {
                accumulator: new_accumulator,
                linear,
            }),
        )
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        FtrlState {
            accumulator: state.accumulator.to_device(device),
            linear: state.linear.to_device(device),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// One step from w = 0.5, g = 1, lr = 0.1, n = 0.1, z = 0 (TF's defaults, no l1/l2):
    /// n' = 1.1, σ = (√1.1 - √0.1)/0.1, z' = 1 - σ·0.5, w' = -z' / (√1.1 / 0.1).
    #[test]
    fn one_step_by_hand() {
        let device = Device::default();
        let w = Tensor::<1>::from_data([0.5f32], &device);
        let g = Tensor::<1>::from_data([1.0f32], &device);
        let (w1, state) = FtrlConfig::new()
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
        let (w2, _) = FtrlConfig::new()
            .with_l1(1.0)
            .build()
            .step(0.1, w.clone(), g.clone(), None);
        let want = (-1.0 - z) / (1.1f64.sqrt() / 0.1);
        assert!((w2.into_scalar::<f64>() - want).abs() < 1e-6);
        let (w3, _) = FtrlConfig::new().with_l1(3.0).build().step(0.1, w, g, None);
        assert_eq!(w3.into_scalar::<f64>(), 0.0);
    }
}
