//! TF's initialisers, so that a ported layer starts from the same distribution as in TF.
//!
//! `tf.layers.dense`, `tf.compat.v1.layers.dense` and Keras's `Dense` (and so the premade
//! estimators' hidden and logits layers) initialise the kernel with `glorot_uniform`, uniform
//! in `[-limit, limit]` with `limit = sqrt(6 / (fan_in + fan_out))`, and the bias with zeros.
//! burn's `LinearConfig` default is Kaiming uniform for both. [`dense`] builds a burn `Linear`
//! the TF way in one call; the draws come from burn's generator (seed it with
//! `RunConfig::random_seed`), so the values are TF's distribution, not TF's numbers (for those,
//! warm start from a TF checkpoint: [`crate::tf_checkpoint`]).
//!
//! ```
//! use estimator_runtime::prelude::*;
//! use estimator_runtime::tf_init;
//!
//! let device = Device::default();
//! // tf.layers.dense(x, units=10) on 4 inputs:
//! let layer = tf_init::dense(4, 10, &device);
//! assert_eq!(layer.weight.dims(), [4, 10]);
//! let limit = tf_init::glorot_uniform_limit(4, 10);
//! assert!((limit - (6.0f64 / 14.0).sqrt()).abs() < 1e-12);
//! ```

use burn::module::Param;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

/// `glorot_uniform`'s bound for a kernel of `fan_in` inputs and `fan_out` outputs:
/// `sqrt(6 / (fan_in + fan_out))` (Keras's `GlorotUniform`).
pub fn glorot_uniform_limit(fan_in: usize, fan_out: usize) -> f64 {
    (6.0 / (fan_in + fan_out).max(1) as f64).sqrt()
}

/// A `Linear` of `d_input` → `d_output` initialised as TF's dense layers are: a
/// `glorot_uniform` kernel of shape `[d_input, d_output]` (TF's layout, so a TF checkpoint's
/// kernel loads as it is) and a zero bias.
pub fn dense(d_input: usize, d_output: usize, device: &Device) -> Linear {
    let mut linear = LinearConfig::new(d_input, d_output)
        .with_initializer(Initializer::XavierUniform { gain: 1.0 })
        .with_bias(false)
        .init(device);
    linear.bias = Some(Param::from_tensor(Tensor::zeros([d_output], device)));
    linear
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// 60,000 draws of a 300 → 200 kernel: all within ±limit, reaching near both ends, with
    /// the uniform distribution's mean 0 and variance limit²/3; the bias is exactly 0.
    #[test]
    fn the_kernel_is_glorot_uniform_and_the_bias_zero() {
        let device = Device::default();
        device.seed(3);
        let layer = dense(300, 200, &device);
        let limit = glorot_uniform_limit(300, 200);
        let w = layer
            .weight
            .val()
            .into_data()
            .try_into_vec_as::<f64>()
            .unwrap();
        assert_eq!(w.len(), 60_000);
        let (lo, hi) = w
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
        assert!(lo >= -limit && hi <= limit, "[{lo}, {hi}] outside ±{limit}");
        assert!(
            lo < -0.99 * limit && hi > 0.99 * limit,
            "[{lo}, {hi}] not ±{limit}"
        );
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        let variance = w.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / w.len() as f64;
        assert!(mean.abs() < 0.01 * limit, "mean {mean}");
        let want = limit * limit / 3.0;
        assert!(
            (variance / want - 1.0).abs() < 0.03,
            "variance {variance}, uniform's {want}"
        );
        let bias = layer
            .bias
            .unwrap()
            .val()
            .into_data()
            .try_into_vec_as::<f64>()
            .unwrap();
        assert!(bias.len() == 200 && bias.iter().all(|&b| b == 0.0));
    }
}
