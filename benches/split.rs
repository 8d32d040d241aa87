//! `--split`: where a hand-loop training step's time goes, timed segment by segment on the eager
//! CPU backends (each op has finished when it returns): forward + loss, backward (autodiff +
//! gradient collection), the optimizer step; and, for the MLPs, the step's five matrix products
//! alone on the same shapes, so that "forward + backward − matmuls" is the elementwise work,
//! autodiff bookkeeping and allocation.

use crate::models::{Kind, Net, Workload};
use crate::{Batch, LEARNING_RATE, Res, median};
use burn::optim::{GradientsParams, ModuleOptimizer};
use estimator_runtime::OptimizerConfig;
use estimator_runtime::prelude::*;
use std::time::Instant;

/// Microseconds since `started`.
fn us_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e6
}

/// Per-step times (µs) of each segment.
#[derive(Default)]
struct Segments {
    forward: Vec<f64>,
    backward: Vec<f64>,
    optimizer: Vec<f64>,
    total: Vec<f64>,
}

/// `steps` hand-loop steps from `model` with `optim`, each segment timed.
fn timed_steps(
    ad: &Device,
    mut model: Net,
    mut optim: ModuleOptimizer,
    batches: &[Batch],
    steps: usize,
    out: &mut Segments,
) {
    let loss_fn = CrossEntropyLossConfig::new().init(ad);
    for (x, y) in batches.iter().cloned().cycle().take(steps) {
        let t0 = Instant::now();
        let loss = loss_fn.forward(model.forward(x), y);
        out.forward.push(us_since(t0));
        let t1 = Instant::now();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        out.backward.push(us_since(t1));
        let t2 = Instant::now();
        model = optim.step(LEARNING_RATE, model, grads);
        out.optimizer.push(us_since(t2));
        out.total.push(us_since(t0));
    }
}

/// Prints the medians per step of each segment of `rounds × w.steps` hand-loop steps, with
/// burn's `Adam` (`AdamConfig::init`) and with the Estimator's (`OptimizerConfig::build`: fused),
/// alternating round by round.
pub fn print_split(
    name: &str,
    device: &Device,
    w: &Workload,
    rounds: usize,
    model: &dyn Fn() -> Net,
    batches: &[Batch],
) -> Res<()> {
    let ad = device.clone().autodiff();
    let (mut burn_adam, mut fused) = (Segments::default(), Segments::default());
    for _ in 0..rounds.max(1) {
        timed_steps(
            &ad,
            model(),
            AdamConfig::new().init(),
            batches,
            w.steps,
            &mut burn_adam,
        );
        let estimators = OptimizerConfig::build(&AdamConfig::new());
        timed_steps(&ad, model(), estimators, batches, w.steps, &mut fused);
    }
    for (label, s) in [("burn's Adam", &burn_adam), ("fused Adam", &fused)] {
        let (f, b, o, t) = (
            median(&s.forward),
            median(&s.backward),
            median(&s.optimizer),
            median(&s.total),
        );
        let share = |v: f64| 100.0 * v / t;
        println!(
            "  {name:<8} {:<16} {label:<12} step {t:>8.0} µs = forward+loss {f:>7.0} ({:>2.0}%) + backward {b:>7.0} ({:>2.0}%) + optimizer {o:>7.0} ({:>2.0}%)",
            w.name(),
            share(f),
            share(b),
            share(o)
        );
    }
    if w.kind == Kind::Mlp {
        let steps = rounds.max(1) * w.steps;
        let (views, contiguous) = matmul_us(device, w, steps.min(200));
        let (f, b, t) = (
            median(&fused.forward),
            median(&fused.backward),
            median(&fused.total),
        );
        println!(
            "  {name:<8} {:<16} the step's 5 matmuls alone {views:>7.0} µs ({:>2.0}% of the fused step; {contiguous:.0} µs with the transposed operands copied first); forward+backward − matmuls {:>7.0} µs ({:>2.0}%)",
            w.name(),
            100.0 * views / t,
            f + b - views,
            100.0 * (f + b - views) / t
        );
        print_elementwise(name, device, w, steps.min(200));
    }
    Ok(())
}

/// The MLP step's matrix products on the plain device, median µs over `reps`: forward x·W1 and
/// h·W2, then dW2 = hᵀ·g, dh = g·W2ᵀ and dW1 = xᵀ·dh. First with transposed views (as burn's
/// autodiff passes them), then with each transposed operand made contiguous first (its copy
/// timed too).
fn matmul_us(device: &Device, w: &Workload, reps: usize) -> (f64, f64) {
    let s = w.shape;
    let dist = burn::tensor::Distribution::Normal(0.0, 1.0);
    let rand = |dims: [usize; 2]| Tensor::<2>::random(dims, dist, device);
    let (x, w1, w2) = (
        rand([w.batch, s.inputs]),
        rand([s.inputs, s.hidden]),
        rand([s.hidden, s.classes]),
    );
    let g = rand([w.batch, s.classes]);
    let (mut views, mut copies) = (vec![], vec![]);
    for _ in 0..reps {
        for (copy, times) in [(false, &mut views), (true, &mut copies)] {
            let t = |m: &Tensor<2>| {
                let t = m.clone().transpose();
                if copy {
                    Tensor::from_data(t.into_data(), device)
                } else {
                    t
                }
            };
            let started = Instant::now();
            let h = x.clone().matmul(w1.clone());
            let out = h.clone().matmul(w2.clone());
            let dw2 = t(&h).matmul(g.clone());
            let dh = g.clone().matmul(t(&w2));
            let dw1 = t(&x).matmul(dh);
            times.push(us_since(started));
            std::hint::black_box((out, dw2, dw1));
        }
    }
    (median(&views), median(&copies))
}

/// The elementwise work of the MLP's hidden layer on the plain device, median µs of each op on
/// `[batch, hidden]`: the bias add (broadcast), relu, relu's backward (a mask and a fill), and
/// the bias gradient (a sum over the batch).
pub fn print_elementwise(name: &str, device: &Device, w: &Workload, reps: usize) {
    let (b, h) = (w.batch, w.shape.hidden);
    let dist = burn::tensor::Distribution::Normal(0.0, 1.0);
    let z = Tensor::<2>::random([b, h], dist, device);
    let bias = Tensor::<1>::random([h], dist, device);
    let grad = Tensor::<2>::random([b, h], dist, device);
    let ops: [(&str, &dyn Fn() -> Tensor<2>); 4] = [
        ("bias add", &|| z.clone() + bias.clone().unsqueeze()),
        ("relu", &|| burn::tensor::activation::relu(z.clone())),
        ("relu backward", &|| {
            grad.clone().mask_fill(z.clone().lower_equal_elem(0.0), 0.0)
        }),
        ("bias grad (sum over batch)", &|| grad.clone().sum_dim(0)),
    ];
    let timings: Vec<String> = ops
        .iter()
        .map(|(label, op)| {
            let times: Vec<f64> = (0..reps)
                .map(|_| {
                    let started = Instant::now();
                    std::hint::black_box(op());
                    us_since(started)
                })
                .collect();
            format!("{label} {:.0} µs", median(&times))
        })
        .collect();
    println!(
        "  {name:<8} {:<16} elementwise on [{b}, {h}]: {}",
        w.name(),
        timings.join(", ")
    );
}
