//! burn's Adam (no weight decay, no AMSGrad) as one pass over each parameter.
//!
//! burn's `Adam` updates a parameter with about a dozen tensor ops (scale the moments, square the
//! gradient, add, square root, divide, scale, subtract), each a sweep over memory and most a new
//! buffer. On the 784-1024-10 MLP (0.8 M parameters) that was 31 % of a flex step, half as much
//! as the matmuls (BENCHMARKS.md). Here the same arithmetic, in the same order and in `f32`, runs
//! element by element in one pass over the weight, gradient and both moments, in place: the
//! results equal burn's (the test checks 100 steps). On flex, `into_data` of an unshared tensor
//! and `from_data` move the buffer without a copy; parameters of 256 Ki elements or more are
//! split over the cores. The state is burn's own [`AdamState`], so checkpoints are the same as
//! with burn's optimizer. Parameters that are not `f32` go through burn's `Adam`.

use crate::record::host_data;
use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, Optimizer, RecordState, StateSink,
    StateSource, join_path,
};
use burn::store::burn_pack::Scalar;
use burn::tensor::{DType, Device, Tensor};

/// burn's `Adam` (`AdamConfig` without weight decay and AMSGrad), fused.
#[derive(Clone)]
pub(crate) struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// burn's optimizer for parameters that are not `f32`.
    fallback: Adam,
}

/// `AdamConfig`'s hyper-parameters (its fields are private; serde reads them).
#[derive(serde::Deserialize)]
struct AdamFields {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    amsgrad: bool,
    weight_decay: Option<serde_json::Value>,
    grad_clipping: Option<serde_json::Value>,
}

impl FusedAdam {
    /// The fused optimizer for `config`, when it is plain Adam (no weight decay, AMSGrad or
    /// gradient clipping); `None` otherwise.
    pub(crate) fn for_config(config: &AdamConfig) -> Option<FusedAdam> {
        let fields: AdamFields = serde_json::to_value(config)
            .and_then(serde_json::from_value)
            .ok()?;
        let plain =
            !fields.amsgrad && fields.weight_decay.is_none() && fields.grad_clipping.is_none();
        plain.then(|| FusedAdam {
            beta_1: fields.beta_1,
            beta_2: fields.beta_2,
            epsilon: fields.epsilon,
            fallback: config.build(),
        })
    }

    /// The factors of step `time` (1 on the first update), as burn computes them in `f32`.
    fn factors(&self, lr: f64, time: usize) -> Factors {
        let t = time as i32;
        let bias_correction2_sqrt = (1.0 - self.beta_2.powi(t)).sqrt();
        Factors {
            beta_1: self.beta_1,
            one_minus_beta_1: 1.0 - self.beta_1,
            beta_2: self.beta_2,
            one_minus_beta_2: 1.0 - self.beta_2,
            combined: bias_correction2_sqrt / (1.0 - self.beta_1.powi(t)),
            epsilon: self.epsilon * bias_correction2_sqrt,
            lr: lr as f32,
        }
    }
}

/// One step's scalars.
#[derive(Clone, Copy)]
struct Factors {
    beta_1: f32,
    one_minus_beta_1: f32,
    beta_2: f32,
    one_minus_beta_2: f32,
    combined: f32,
    epsilon: f32,
    lr: f32,
}

/// The update of every element, in burn's order of operations:
/// `m = m·β₁ + g·(1-β₁)`, `v = v·β₂ + g²·(1-β₂)`, `w -= (m·c / (√v + ε'))·lr`.
fn update(w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], f: Factors) {
    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        *m = *m * f.beta_1 + g * f.one_minus_beta_1;
        *v = *v * f.beta_2 + (g * g) * f.one_minus_beta_2;
        *w -= ((*m * f.combined) / (v.sqrt() + f.epsilon)) * f.lr;
    }
}

/// Parameters with at least this many elements are updated on every core, one scoped thread per
/// extra core (a thread costs ~10-20 µs; a million elements take about a millisecond).
const PARALLEL_MIN_LEN: usize = 1 << 18;

/// The cores to use, read once.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// [`update`] on equal chunks, one per core, for large parameters (the same results: each
/// element's arithmetic is independent).
fn update_on_all_cores(w: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], f: Factors) {
    let threads = cores();
    if threads < 2 || w.len() < PARALLEL_MIN_LEN {
        return update(w, g, m, v, f);
    }
    let chunk = w.len().div_ceil(threads);
    let mut parts = w
        .chunks_mut(chunk)
        .zip(g.chunks(chunk))
        .zip(m.chunks_mut(chunk))
        .zip(v.chunks_mut(chunk));
    let first = parts.next();
    std::thread::scope(|scope| {
        for (((w, g), m), v) in parts {
            scope.spawn(move || update(w, g, m, v, f));
        }
        if let Some((((w, g), m), v)) = first {
            update(w, g, m, v, f);
        }
    });
}

fn is_f32<const D: usize>(t: &Tensor<D>) -> bool {
    t.dtype() == DType::F32
}

/// burn's [`AdamState`], saved with the same names and values as burn saves it, but with each
/// moment read through [`host_data`](crate::record::host_data) (burn-ndarray's `into_data` of a
/// tensor the optimizer still holds copies element by element).
#[derive(Clone)]
pub(crate) struct FusedAdamState<const D: usize>(AdamState<D>);

impl<const D: usize> RecordState for FusedAdamState<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        // What `#[derive(RecordState)]` writes for `AdamState { momentum }` and
        // `AdaptiveMomentumState { time, moment_1, moment_2, max_moment_2 }`.
        let m = &self.0.momentum;
        let path = join_path(prefix, "momentum");
        out.push_scalar(&path, "time", Scalar::from(m.time));
        out.push_tensor(&path, "moment_1", host_data(m.moment_1.clone()));
        out.push_tensor(&path, "moment_2", host_data(m.moment_2.clone()));
        if let Some(max) = &m.max_moment_2 {
            out.push_tensor(&path, "max_moment_2", host_data(max.clone()));
        }
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        AdamState::state_unflatten(prefix, src, device).map(FusedAdamState)
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = FusedAdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let state = state.map(|s| s.0);
        let f32_state = state.as_ref().is_none_or(|s| {
            let m = &s.momentum;
            m.max_moment_2.is_none() && is_f32(&m.moment_1) && is_f32(&m.moment_2)
        });
        if !(is_f32(&tensor) && is_f32(&grad) && f32_state) {
            let (tensor, state) = self.fallback.step(lr, tensor, grad, state);
            return (tensor, state.map(FusedAdamState));
        }
        let device = tensor.device();
        let (time, m, v) = match state {
            Some(s) => (
                s.momentum.time + 1,
                s.momentum.moment_1,
                s.momentum.moment_2,
            ),
            None => (1, tensor.zeros_like(), tensor.zeros_like()),
        };
        let (mut w, g, mut m, mut v) = (
            tensor.into_data(),
            grad.into_data(),
            m.into_data(),
            v.into_data(),
        );
        let slices = (
            w.as_mut_slice::<f32>(),
            g.as_slice::<f32>(),
            m.as_mut_slice::<f32>(),
            v.as_mut_slice::<f32>(),
        );
        let fused = if let (Ok(ws), Ok(gs), Ok(ms), Ok(vs)) = slices {
            update_on_all_cores(ws, gs, ms, vs, self.factors(lr, time));
            true
        } else {
            false
        };
        let tensor = |data| Tensor::<D>::from_data(data, &device);
        if !fused {
            // Host access failed (it does not on the CPU backends): burn's own arithmetic.
            let state = (time > 1).then(|| {
                AdamState::new(AdaptiveMomentumState::new(time - 1, tensor(m), tensor(v)))
            });
            let (w, state) = self.fallback.step(lr, tensor(w), tensor(g), state);
            return (w, state.map(FusedAdamState));
        }
        let state = AdamState::new(AdaptiveMomentumState::new(time, tensor(m), tensor(v)));
        (tensor(w), Some(FusedAdamState(state)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        FusedAdamState(<Adam as Optimizer>::to_device(state.0, device))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use burn::optim::decay::WeightDecayConfig;
    use burn::tensor::TensorData;

    /// Deterministic values in about [-1, 1].
    fn values(n: usize, salt: f32) -> Vec<f32> {
        (0..n).map(|i| (i as f32 * 0.618 + salt).sin()).collect()
    }

    fn tensor(n: usize, salt: f32, device: &Device) -> Tensor<1> {
        Tensor::from_data(TensorData::new(values(n, salt), [n]), device)
    }

    /// Largest `|a - b| / max(|b|, 1e-30)`.
    fn max_relative(a: Tensor<1>, b: Tensor<1>) -> f32 {
        let (a, b) = (
            a.into_data().try_to_vec::<f32>().unwrap(),
            b.into_data().try_to_vec::<f32>().unwrap(),
        );
        a.iter()
            .zip(&b)
            .map(|(a, b)| (a - b).abs() / b.abs().max(1e-30))
            .fold(0.0, f32::max)
    }

    /// 100 steps of the fused optimizer and of burn's `Adam` from the same weights and
    /// gradients: the weights and moments agree to 1e-6 relative at every step.
    #[test]
    fn matches_burns_adam_over_100_steps() {
        // One core, and (above `PARALLEL_MIN_LEN`) every core.
        for n in [1031, PARALLEL_MIN_LEN + 7] {
            matches_burns_adam(n);
        }
    }

    fn matches_burns_adam(n: usize) {
        let device = Device::default();
        let config = AdamConfig::new();
        let fused = FusedAdam::for_config(&config).unwrap();
        let burn_adam = config.build();
        let (mut w_fused, mut w_burn) = (tensor(n, 0.3, &device), tensor(n, 0.3, &device));
        let (mut s_fused, mut s_burn) = (None, None);
        for step in 0..100 {
            let grad = tensor(n, step as f32 * 1.7, &device).mul_scalar(1e-3 * (step + 1) as f32);
            (w_fused, s_fused) = fused.step(1e-2, w_fused, grad.clone(), s_fused);
            (w_burn, s_burn) = burn_adam.step(1e-2, w_burn, grad, s_burn);
            let diff = max_relative(w_fused.clone(), w_burn.clone());
            assert!(
                diff <= 1e-6,
                "step {step}: weights differ by {diff} relative"
            );
        }
        let (f, b) = (s_fused.unwrap().0.momentum, s_burn.unwrap().momentum);
        assert_eq!(f.time, b.time);
        assert!(max_relative(f.moment_1, b.moment_1) <= 1e-6);
        assert!(max_relative(f.moment_2, b.moment_2) <= 1e-6);
        let moved = max_relative(w_fused, tensor(n, 0.3, &device));
        assert!(moved > 1e-3, "the weights moved ({moved})");
    }

    /// The fused state is saved under the names, with the scalars and the values burn's
    /// `AdamState` is saved with (so checkpoints of either load into the other), on every CPU
    /// device compiled in.
    #[test]
    fn state_is_saved_as_burns_adam_state() {
        for device in crate::record::cpu_devices(false) {
            let m =
                AdaptiveMomentumState::new(7, tensor(300, 0.1, &device), tensor(300, 0.2, &device));
            let burns = AdamState::new(m);
            let ours = FusedAdamState(burns.clone());
            let (mut a, mut b) = (StateSink::default(), StateSink::default());
            ours.state_flatten("42", &mut a);
            burns.state_flatten("42", &mut b);
            assert_eq!(a.scalars, b.scalars);
            let names =
                |s: &StateSink| s.tensors.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            assert_eq!(names(&a), names(&b));
            assert_eq!(names(&a), ["42.momentum.moment_1", "42.momentum.moment_2"]);
            for ((_, x), (_, y)) in a.tensors.iter().zip(&b.tensors) {
                assert_eq!(x, y);
            }
            // Loading either back gives the same state.
            let mut src = StateSource::new(a.scalars.into_iter().collect());
            for (n, d) in a.tensors {
                src.insert_tensor(n, d);
            }
            let back = FusedAdamState::<1>::state_unflatten("42", &mut src, &device).unwrap();
            assert_eq!(back.0.momentum.time, 7);
            assert_eq!(
                max_relative(back.0.momentum.moment_2, tensor(300, 0.2, &device)),
                0.0
            );
        }
    }

    #[test]
    fn only_plain_adam_is_fused() {
        assert!(FusedAdam::for_config(&AdamConfig::new()).is_some());
        let decay = AdamConfig::new().with_weight_decay(Some(WeightDecayConfig::new(0.1)));
        assert!(FusedAdam::for_config(&decay).is_none());
        assert!(FusedAdam::for_config(&AdamConfig::new().with_amsgrad(true)).is_none());
    }
}
