//! The machine's measured sgemm peak: one large square f32 matrix product on each compiled-in
//! CPU backend (flex: the `gemm` crate; ndarray: `matrixmultiply`), best of a few runs. The
//! workloads' GFLOP/s are quoted as a share of the best of them.

use estimator_runtime::prelude::*;
use std::time::Instant;

/// Side of the square product (2 · 2048³ = 17.2 GFLOP).
const SIDE: usize = 2048;
const REPS: usize = 5;

/// GFLOP/s of the best of `REPS` products of two `SIDE × SIDE` matrices on `device` (after one
/// warm-up product).
pub fn sgemm_gflops(device: &Device) -> f64 {
    device.seed(1);
    let dist = burn::tensor::Distribution::Normal(0.0, 1.0);
    let a = Tensor::<2>::random([SIDE, SIDE], dist, device);
    let b = Tensor::<2>::random([SIDE, SIDE], dist, device);
    let flops = 2.0 * (SIDE as f64).powi(3);
    let mut best = 0.0f64;
    for rep in 0..=REPS {
        let started = Instant::now();
        let c = a.clone().matmul(b.clone());
        // Reading one element waits for a lazy backend; flex and ndarray are done already.
        let corner = c.slice([0..1, 0..1]).into_data();
        let secs = started.elapsed().as_secs_f64();
        std::hint::black_box(corner);
        if rep > 0 {
            best = best.max(flops / secs / 1e9);
        }
    }
    best
}

/// The library behind each CPU backend's matmul.
pub fn sgemm_library(device_name: &str) -> &'static str {
    match device_name {
        "flex" => "gemm crate (burn-flex, x86-v4 kernels)",
        "ndarray" => "matrixmultiply (burn-ndarray)",
        _ => "backend matmul",
    }
}
