//! `Estimator::train` against a hand-written burn 0.22 loop, in one process, run by run.
//!
//! ```text
//! cargo bench --bench bench [--features flex] [-- --quick | --profile]
//! ```
//!
//! Both sides train the same MLP (in → hidden → relu → out) with Adam 1e-3 on the same
//! pre-generated batches (a fixed seed, on `device.autodiff()`), for the same number of steps.
//! Runs alternate Estimator, hand, Estimator, hand, ...; each Estimator run gets a fresh
//! `model_dir`, no summaries, no step logging and no periodic checkpoint. Its loop is timed by a
//! hook (`begin` to `end`, asking for no loss), so the final checkpoint every `train()` call
//! writes is left out of the loop figure and reported with the fixed cost of a call.
//!
//! Also measured: the fixed cost of one `train()` call, single-example `predict` latency against
//! a hand forward, and checkpoint save / restore throughput and peak extra memory for a 200 MB
//! checkpoint. `--profile` adds a breakdown of the per-step overhead (hand loop variants that
//! each add one thing the Estimator does).
//!
//! The binary uses mimalloc: burn allocates and frees big buffers every step, and glibc's malloc
//! gives them back to the kernel and faults them in again (both sides share the process, so they
//! always get the same allocator).

mod models;
mod peak;
mod split;
mod tf;

use burn::optim::{GradientsAccumulator, GradientsParams, ModuleOptimizer};
use burn::tensor::Distribution;
use estimator_runtime::OptimizerConfig;
use estimator_runtime::prelude::*;
use models::{Net, Workload};
use std::cell::Cell;
use std::error::Error as StdError;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// mimalloc instead of glibc's malloc: burn frees and reallocates the same large buffers every
/// step, and glibc's dynamic mmap threshold hands them back to the kernel and faults them in
/// again. Binaries choose the allocator; the library never does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type Res<T> = Result<T, Box<dyn StdError>>;
type Batch = (Tensor<2>, Tensor<1, Int>);

const LEARNING_RATE: f64 = 1e-3;
const DATA_SEED: u64 = 42;
const MODEL_SEED: u64 = 7;
/// Distinct batches per workload, cycled.
const DISTINCT_BATCHES: usize = 16;
/// "Never" for `save_checkpoints_steps`, small enough that `last_step + n` cannot overflow.
const NO_PERIODIC_CHECKPOINT: u64 = 1 << 40;

#[model_fn]
fn mlp_fn(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    if mode == ModeKeys::Predict {
        let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
        let probabilities = burn::tensor::activation::softmax(logits, 1);
        let predictions = Predictions::new()
            .with("class", classes)
            .with("probabilities", probabilities);
        return EstimatorSpec::new(mode).predictions(predictions);
    }
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(Predictions::new().with("logits", logits));
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), AdamConfig::new(), LEARNING_RATE));
    EstimatorSpec {
        loss: Some(loss),
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

/// The small MLPs of earlier rounds, then the wide MLPs and the CNN of issue 26 (fewer steps
/// per run: a step there takes milliseconds).
const WORKLOADS: [Workload; 6] = [
    Workload::new(784, 128, 10, 64, 300),
    Workload::new(64, 32, 10, 32, 300),
    Workload::new(4, 16, 10, 16, 300),
    Workload::new(784, 1024, 10, 256, 100),
    Workload::new(784, 2048, 10, 256, 50),
    Workload::cnn(1024, 10, 64, 10),
];

/// Timestamps of a train call's first `begin` and last `end` hook call.
#[derive(Clone, Default)]
struct Marks {
    begin: Rc<Cell<Option<Instant>>>,
    end: Rc<Cell<Option<Instant>>>,
}

impl Marks {
    fn loop_time(&self) -> Res<Duration> {
        match (self.begin.get(), self.end.get()) {
            (Some(b), Some(e)) => Ok(e - b),
            _ => Err("the timing hook did not run".into()),
        }
    }
}

struct LoopTimer(Marks);

impl Hook for LoopTimer {
    fn wants_loss(&self, _global_step: u64) -> bool {
        false
    }

    fn begin(&mut self, _ctx: &HookContext) -> Result<(), Error> {
        self.0.begin.set(Some(Instant::now()));
        Ok(())
    }

    fn end(&mut self, _ctx: &HookContext) -> Result<(), Error> {
        self.0.end.set(Some(Instant::now()));
        Ok(())
    }
}

fn config(dir: &Path, device: &Device) -> RunConfig {
    RunConfig::default()
        .model_dir(dir)
        .device(device.clone())
        .log_step_count_steps(0)
        .save_summary_steps(0)
        .save_checkpoints_steps(NO_PERIODIC_CHECKPOINT)
        // `ESTIMATOR_BENCH_NAN_EVERY_STEP=1`: read every loss back, as the loop did before issue 13.
        .nan_check_every_step(std::env::var_os("ESTIMATOR_BENCH_NAN_EVERY_STEP").is_some())
}

/// `DISTINCT_BATCHES` random batches on `device.autodiff()`, from a fixed seed.
fn make_batches(w: &Workload, device: &Device) -> Vec<Batch> {
    let ad = device.clone().autodiff();
    device.seed(DATA_SEED);
    (0..DISTINCT_BATCHES)
        .map(|_| {
            let x = Tensor::<2>::random(
                [w.batch, w.shape.inputs],
                Distribution::Normal(0.0, 1.0),
                &ad,
            );
            let y = Tensor::<1, Int>::random(
                [w.batch],
                Distribution::Uniform(0.0, w.shape.classes as f64),
                &ad,
            );
            (x, y)
        })
        .collect()
}

/// The same initial model on both sides: seeded, then materialised.
fn fresh_model(w: &Workload, device: &Device) -> Net {
    device.seed(MODEL_SEED);
    w.model(device).materialize()
}

struct EstimatorRun {
    /// Hook `begin` to hook `end`: the steps only.
    loop_time: Duration,
    /// The whole `train()` call: model fork, steps, final checkpoint.
    call_time: Duration,
}

fn estimator_run(device: &Device, w: &Workload, batches: &[Batch]) -> Res<EstimatorRun> {
    let dir = tempfile::tempdir()?;
    let model = fresh_model(w, device);
    let mut estimator = Estimator::new(mlp_fn, model, config(dir.path(), device))?;
    let marks = Marks::default();
    let args = TrainArgs::steps(w.steps as u64).hook(LoopTimer(marks.clone()));
    let started = Instant::now();
    let summary = estimator.train(batches.iter().cloned().cycle(), args)?;
    let call_time = started.elapsed();
    if summary.steps != w.steps as u64 || !summary.last_loss.is_some_and(f64::is_finite) {
        return Err(format!("estimator run went wrong: {summary:?}").into());
    }
    Ok(EstimatorRun {
        loop_time: marks.loop_time()?,
        call_time,
    })
}

/// What the hand loop does on top of the plain burn step (for `--profile`).
#[derive(Clone, Copy, Default)]
struct Extras {
    /// Read the loss back every step (`into_scalar`), as the Estimator does for its NaN check.
    readback: bool,
    /// Keep a clone of the model alive across the step, as `Estimator::one_step` does.
    hold_clone: bool,
    /// Route gradients through a `GradientsAccumulator`, as `optim.rs` does.
    accumulator: bool,
    /// Build the loss module every step, inside the model_fn.
    loss_per_step: bool,
    /// Reseed the device before every step (`RunConfig::random_seed`).
    reseed: bool,
}

/// The hand-written loop: forward, cross-entropy, backward, Adam. Returns the wall time of the
/// steps (plus one final loss readback, so that lazy backends finish their work).
fn hand_run(device: &Device, w: &Workload, batches: &[Batch], extras: Extras) -> Res<Duration> {
    let ad = device.clone().autodiff();
    let mut model = fresh_model(w, &ad);
    let mut optim = hand_optimizer();
    let mut accumulator = GradientsAccumulator::<Net>::new();
    let loss_fn = CrossEntropyLossConfig::new().init(&ad);
    let mut last_loss = None;
    let mut nan = false;
    let started = Instant::now();
    for (i, (x, y)) in batches.iter().cloned().cycle().take(w.steps).enumerate() {
        if extras.reseed {
            ad.seed(DATA_SEED ^ i as u64);
        }
        let logits = model.forward(x);
        let loss = if extras.loss_per_step {
            CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits, y)
        } else {
            loss_fn.forward(logits, y)
        };
        if extras.readback {
            nan |= !loss.clone().into_scalar::<f64>().is_finite();
        }
        let held = extras.hold_clone.then(|| model.clone());
        let mut grads = GradientsParams::from_grads(loss.backward(), &model);
        if extras.accumulator {
            accumulator.accumulate(&model, grads);
            grads = accumulator.grads();
        }
        model = optim.step(LEARNING_RATE, model, grads);
        drop(held);
        last_loss = Some(loss);
    }
    let last = last_loss.map(|l| l.into_scalar::<f64>());
    let elapsed = started.elapsed();
    if nan || !last.is_some_and(f64::is_finite) {
        return Err("hand run: non-finite loss".into());
    }
    Ok(elapsed)
}

/// The hand loop's Adam: the Estimator's (`OptimizerConfig::build`, fused since issue 26), or
/// burn's own `AdamConfig::init` with `--burn-adam` (the loop a user writes with burn alone).
fn hand_optimizer() -> ModuleOptimizer {
    if std::env::args().any(|a| a == "--burn-adam") {
        AdamConfig::new().init()
    } else {
        OptimizerConfig::build(&AdamConfig::new())
    }
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

struct Options {
    pairs: usize,
    hand_first: bool,
    profile: bool,
    extras: bool,
    only: Option<String>,
    /// `--device NAME`: only that device.
    device: Option<String>,
    /// Steps per run instead of each workload's 300 (longer runs resolve more on a busy machine).
    steps: Option<usize>,
    ckpt_reps: usize,
    extra_reps: usize,
    /// `--tf PYTHON`: TF 2.15's Estimator on each workload, right after its Rust rows.
    tf_python: Option<String>,
    /// `--split`: where a step's time goes (matmuls, rest of forward/backward, optimizer).
    split: bool,
    /// `--slow`: also the CNN on ndarray (its convolutions take about 10 s a step).
    slow: bool,
    /// `--predict-only`: only the single-example predict latency rows (`--quick` for fewer calls).
    predict_only: bool,
    /// `--extras-only`: no comparison table, only the fixed cost, predict and checkpoint rows.
    extras_only: bool,
    /// `--calls N`: predict calls measured by `--predict-only` (default 20 × the extras' runs).
    calls: Option<usize>,
}

/// `--quick` (fewer runs), `--pairs N`, `--steps N` (per run), `--hand-first` (pairs run hand, Estimator), `--profile`
/// (per-step breakdown), `--only SUBSTR` (workloads whose name contains it), `--device NAME`, `--no-extras`
/// (only the comparison table), `--predict-only` (only the predict latency rows; `--calls N`
/// of them), `--extras-only` (no comparison table).
fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let quick = has("--quick");
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    Options {
        pairs: value("--pairs")
            .and_then(|p| p.parse().ok())
            .unwrap_or(if quick { 3 } else { 7 }),
        hand_first: has("--hand-first"),
        profile: has("--profile"),
        extras: !has("--no-extras"),
        only: value("--only"),
        device: value("--device"),
        steps: value("--steps").and_then(|s| s.parse().ok()),
        ckpt_reps: if quick { 2 } else { 4 },
        extra_reps: if quick { 5 } else { 15 },
        tf_python: value("--tf"),
        split: has("--split"),
        slow: has("--slow"),
        predict_only: has("--predict-only"),
        extras_only: has("--extras-only"),
        calls: value("--calls").and_then(|s| s.parse().ok()),
    }
}

impl Options {
    fn workloads(&self) -> impl Iterator<Item = Workload> + '_ {
        WORKLOADS
            .iter()
            .filter(|w| {
                self.only
                    .as_ref()
                    .is_none_or(|o| w.name().contains(o.as_str()))
            })
            .map(|w| Workload {
                steps: self.steps.unwrap_or(w.steps),
                ..*w
            })
    }
}

/// Per-workload results of the interleaved comparison.
struct Comparison {
    est_sps: f64,
    est_call_sps: f64,
    hand_sps: f64,
    ratio: f64,
    ratio_min: f64,
    ratio_max: f64,
    hand_step: Duration,
}

fn compare(device: &Device, w: &Workload, pairs: usize, hand_first: bool) -> Res<Comparison> {
    let batches = make_batches(w, device);
    // One unmeasured pair: first-touch allocations, lazy statics, page cache.
    estimator_run(device, w, &batches)?;
    hand_run(device, w, &batches, Extras::default())?;
    let (mut est, mut est_call, mut hand, mut ratios) = (vec![], vec![], vec![], vec![]);
    for _ in 0..pairs {
        let (e, h) = if hand_first {
            let h = hand_run(device, w, &batches, Extras::default())?;
            (estimator_run(device, w, &batches)?, h)
        } else {
            let e = estimator_run(device, w, &batches)?;
            (e, hand_run(device, w, &batches, Extras::default())?)
        };
        let steps = w.steps as f64;
        est.push(steps / e.loop_time.as_secs_f64());
        est_call.push(steps / e.call_time.as_secs_f64());
        hand.push(steps / h.as_secs_f64());
        ratios.push(h.as_secs_f64() / e.loop_time.as_secs_f64());
    }
    let (ratio_min, ratio_max) = min_max(&ratios);
    let hand_sps = median(&hand);
    Ok(Comparison {
        est_sps: median(&est),
        est_call_sps: median(&est_call),
        hand_sps,
        ratio: median(&ratios),
        ratio_min,
        ratio_max,
        hand_step: Duration::from_secs_f64(1.0 / hand_sps),
    })
}

/// Fixed cost of one `train()` call on a model_dir with a checkpoint: `Estimator::new`
/// (restore) + 1 step + final checkpoint, minus one hand step. Returns (total, restore, step,
/// save) medians in ms.
fn fixed_cost(device: &Device, w: &Workload, reps: usize) -> Res<[f64; 4]> {
    let batches = make_batches(w, device);
    let dir = tempfile::tempdir()?;
    let model = fresh_model(w, device);
    Estimator::new(mlp_fn, model, config(dir.path(), device))?
        .train(batches.iter().cloned().cycle(), TrainArgs::steps(1))?;
    let (mut total, mut restore, mut step, mut save) = (vec![], vec![], vec![], vec![]);
    for _ in 0..reps + 1 {
        let model = fresh_model(w, device);
        let marks = Marks::default();
        let started = Instant::now();
        let mut estimator = Estimator::new(mlp_fn, model, config(dir.path(), device))?;
        let restored = Instant::now();
        let args = TrainArgs::steps(1).hook(LoopTimer(marks.clone()));
        estimator.train(batches.iter().cloned().cycle(), args)?;
        let done = Instant::now();
        let end = marks.end.get().ok_or("no end mark")?;
        total.push((done - started).as_secs_f64() * 1e3);
        restore.push((restored - started).as_secs_f64() * 1e3);
        step.push(marks.loop_time()?.as_secs_f64() * 1e3);
        save.push((done - end).as_secs_f64() * 1e3);
    }
    // The first rep warms the page cache and the allocator; drop it.
    Ok([
        median(&total[1..]),
        median(&restore[1..]),
        median(&step[1..]),
        median(&save[1..]),
    ])
}

/// Single-example predict latency, Estimator (resident model) and hand (`valid()` model kept),
/// median µs.
fn predict_latency(device: &Device, w: &Workload, calls: usize) -> Res<(f64, f64)> {
    let batches = make_batches(w, device);
    let dir = tempfile::tempdir()?;
    let model = fresh_model(w, device);
    let mut estimator = Estimator::new(mlp_fn, model, config(dir.path(), device))?;
    estimator.train(batches.iter().cloned().cycle(), TrainArgs::steps(20))?;
    device.seed(DATA_SEED);
    let examples: Vec<Tensor<2>> = (0..16)
        .map(|_| Tensor::<2>::random([1, w.shape.inputs], Distribution::Normal(0.0, 1.0), device))
        .collect();
    let valid = estimator.model().ok_or("no resident model")?.valid();
    let (mut est, mut hand) = (vec![], vec![]);
    let mut checksum = 0.0;
    for i in 0..calls + 20 {
        let x = examples[i % examples.len()].clone();
        let started = Instant::now();
        let p = estimator
            .predict([x.clone()], PredictArgs::default())?
            .next()
            .ok_or("no prediction")??;
        let e = started.elapsed();
        checksum += p.scalar("class").unwrap_or(f64::NAN);
        let started = Instant::now();
        let logits = valid.forward(x);
        // The same ops as `mlp_fn` in PREDICT (argmax, then flatten to `[batch]`).
        let class = logits.clone().argmax(1).flatten::<1>(0, 1).into_data();
        let probabilities = burn::tensor::activation::softmax(logits, 1).into_data();
        let h = started.elapsed();
        std::hint::black_box(probabilities);
        checksum -= class.iter::<f64>().next().unwrap_or(f64::NAN);
        if i >= 20 {
            est.push(e.as_secs_f64() * 1e6);
            hand.push(h.as_secs_f64() * 1e6);
        }
    }
    if checksum != 0.0 {
        return Err(format!("Estimator and hand predictions disagree ({checksum})").into());
    }
    Ok((median(&est), median(&hand)))
}

/// One line per device: `predict_latency` of the small workload over `calls` calls.
fn print_predict_latency(devices: &[(&str, Device)], calls: usize) -> Res<()> {
    let small = WORKLOADS[1];
    for (name, device) in devices {
        let (est_us, hand_us) = predict_latency(device, &small, calls)?;
        println!(
            "{name}: single-example predict latency ({}, class + probabilities): Estimator::predict {est_us:.1} µs, hand forward {hand_us:.1} µs, ratio {:.2} (medians of {calls} calls)",
            small.name(),
            est_us / hand_us
        );
    }
    Ok(())
}

/// A field of `/proc/self/status` in MB (`VmRSS`, `VmHWM`), where there is one (Linux).
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0 / 1e6)
}

/// Resets `VmHWM` (the peak resident set) to the current RSS (Linux `clear_refs` 5), and
/// returns that RSS in MB.
fn reset_peak() -> Option<f64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_mb("VmRSS:")
}

/// In `end` (right before the final checkpoint), resets the peak RSS and keeps the RSS then.
struct PeakReset(Rc<Cell<Option<f64>>>);

impl Hook for PeakReset {
    fn wants_loss(&self, _global_step: u64) -> bool {
        false
    }

    fn end(&mut self, _ctx: &HookContext) -> Result<(), Error> {
        self.0.set(reset_peak());
        Ok(())
    }
}

/// Checkpoint save and restore of a 4096-4096-10 MLP (16.8 M parameters, 67 MB of f32; with
/// Adam's two moments the checkpoint is ~200 MB). Save: the final checkpoint of a 1-step train
/// (hook `end` to the call's return). Restore: `Estimator::new` on that dir. Peak extra memory:
/// the peak resident set during the save (restore) above the resident set right before it.
/// Returns (file MB, save MB/s, restore MB/s, save ms, restore ms, save peak extra MB, restore
/// peak extra MB), medians.
fn checkpoint_throughput(device: &Device, reps: usize) -> Res<[f64; 7]> {
    let w = Workload::new(4096, 4096, 10, 8, 1);
    let batches = make_batches(&w, device);
    let (mut save, mut restore, mut size) = (vec![], vec![], 0.0);
    let (mut save_peak, mut restore_peak) = (vec![], vec![]);
    for _ in 0..reps {
        let dir = tempfile::tempdir()?;
        let model = fresh_model(&w, device);
        let mut estimator = Estimator::new(mlp_fn, model, config(dir.path(), device))?;
        let marks = Marks::default();
        let before_save = Rc::new(Cell::new(None));
        let args = TrainArgs::steps(1)
            .hook(LoopTimer(marks.clone()))
            .hook(PeakReset(before_save.clone()));
        estimator.train(batches.iter().cloned().cycle(), args)?;
        let done = Instant::now();
        if let (Some(base), Some(peak)) = (before_save.get(), status_mb("VmHWM:")) {
            save_peak.push(peak - base);
        }
        save.push((done - marks.end.get().ok_or("no end mark")?).as_secs_f64());
        let path = estimator.latest_checkpoint()?.ok_or("no checkpoint")?;
        size = std::fs::metadata(&path)?.len() as f64 / 1e6;
        drop(estimator);
        let model = fresh_model(&w, device);
        let base = reset_peak();
        let started = Instant::now();
        let restored = Estimator::new(mlp_fn, model, config(dir.path(), device))?;
        restore.push(started.elapsed().as_secs_f64());
        if let (Some(base), Some(peak)) = (base, status_mb("VmHWM:")) {
            restore_peak.push(peak - base);
        }
        if restored.global_step() != 1 {
            return Err("restore did not find the checkpoint".into());
        }
    }
    let (s, r) = (median(&save), median(&restore));
    Ok([
        size,
        size / s,
        size / r,
        s * 1e3,
        r * 1e3,
        median(&save_peak),
        median(&restore_peak),
    ])
}

/// `--profile`: hand loops that each add one thing the Estimator does, against the plain one.
fn profile(device: &Device, w: &Workload, pairs: usize) -> Res<()> {
    let batches = make_batches(w, device);
    let variants: [(&str, Extras); 7] = [
        ("plain", Extras::default()),
        (
            "+ loss readback",
            Extras {
                readback: true,
                ..Extras::default()
            },
        ),
        (
            "+ model clone held",
            Extras {
                hold_clone: true,
                ..Extras::default()
            },
        ),
        (
            "+ grads accumulator",
            Extras {
                accumulator: true,
                ..Extras::default()
            },
        ),
        (
            "+ loss module/step",
            Extras {
                loss_per_step: true,
                ..Extras::default()
            },
        ),
        (
            "+ reseed/step",
            Extras {
                reseed: true,
                ..Extras::default()
            },
        ),
        (
            "all of the above",
            Extras {
                readback: true,
                hold_clone: true,
                accumulator: true,
                loss_per_step: true,
                reseed: false,
            },
        ),
    ];
    // Each variant (and the Estimator) runs right after a plain run; the figure is the median
    // of those paired differences, which a load spike on this shared machine moves less than
    // a difference of medians.
    let per_step = |t: Duration| t.as_secs_f64() / w.steps as f64 * 1e6;
    let rows = variants.len(); // variants[1..], then the Estimator
    let (mut plain, mut times, mut diffs) = (vec![], vec![vec![]; rows], vec![vec![]; rows]);
    for round in 0..pairs + 1 {
        for i in 1..=rows {
            let p = per_step(hand_run(device, w, &batches, Extras::default())?);
            let t = match variants.get(i) {
                Some((_, extras)) => per_step(hand_run(device, w, &batches, *extras)?),
                None => per_step(estimator_run(device, w, &batches)?.loop_time),
            };
            if round > 0 {
                plain.push(p);
                times[i - 1].push(t);
                diffs[i - 1].push(t - p);
            }
        }
    }
    let (spec_us, forward_us) = model_fn_call(device, w, &batches)?;
    println!(
        "  {} ({} steps; medians of {pairs} rounds, each variant paired with a plain run)",
        w.name(),
        w.steps
    );
    println!(
        "    model_fn train_spec call {spec_us:>6.1} µs  vs hand forward + loss {forward_us:>6.1} µs  ({:+.1} µs)",
        spec_us - forward_us
    );
    println!("    {:<24} {:>9.1} µs/step", "plain", median(&plain));
    for (i, name) in variants
        .iter()
        .skip(1)
        .map(|v| v.0)
        .chain(["Estimator::train loop"])
        .enumerate()
    {
        println!(
            "    {name:<24} {:>9.1} µs/step  {:>+8.1} µs/step vs the paired plain run",
            median(&times[i]),
            median(&diffs[i])
        );
    }
    Ok(())
}

/// Building the graph through `mlp_fn.train_spec` (what the Estimator calls) against the hand
/// loop's forward + loss, median µs over interleaved calls; each graph is dropped unused.
fn model_fn_call(device: &Device, w: &Workload, batches: &[Batch]) -> Res<(f64, f64)> {
    let ad = device.clone().autodiff();
    let model = fresh_model(w, &ad);
    let loss_fn = CrossEntropyLossConfig::new().init(&ad);
    let config = RunConfig::default().device(device.clone());
    let (mut spec_us, mut forward_us) = (vec![], vec![]);
    for (i, (x, y)) in batches.iter().cloned().cycle().take(2000).enumerate() {
        let spec_call = |x: Tensor<2>, y: Tensor<1, Int>| -> Res<Duration> {
            let started = Instant::now();
            let spec = mlp_fn.train_spec(&model, x, y, &(), &config)?;
            let elapsed = started.elapsed();
            drop(spec);
            Ok(elapsed)
        };
        let hand_call = |x: Tensor<2>, y: Tensor<1, Int>| {
            let started = Instant::now();
            let loss = loss_fn.forward(model.forward(x), y);
            let elapsed = started.elapsed();
            drop(loss);
            elapsed
        };
        // Alternate which goes first: the second finds the batch in cache.
        let (s, f) = if i % 2 == 0 {
            (spec_call(x.clone(), y.clone())?, hand_call(x, y))
        } else {
            let f = hand_call(x.clone(), y.clone());
            (spec_call(x, y)?, f)
        };
        if i >= 100 {
            spec_us.push(s.as_secs_f64() * 1e6);
            forward_us.push(f.as_secs_f64() * 1e6);
        }
    }
    Ok((median(&spec_us), median(&forward_us)))
}

/// The compiled-in backends: ndarray (default feature), flex (`--features flex`), wgpu
/// (`--features wgpu`; on a CPU-only machine, Mesa's lavapipe).
#[allow(deprecated)]
/// The compiled-in devices, or only `--device NAME`'s.
fn devices(only: Option<&str>) -> Vec<(&'static str, Device)> {
    [
        #[cfg(feature = "ndarray")]
        ("ndarray", Device::ndarray()),
        #[cfg(feature = "flex")]
        ("flex", Device::flex()),
        #[cfg(feature = "wgpu")]
        (
            "wgpu",
            Device::wgpu(burn::tensor::DeviceKind::DefaultDevice),
        ),
    ]
    .into_iter()
    .filter(|(name, _)| only.is_none_or(|o| o == *name))
    .collect()
}

/// The sgemm peak of each compiled-in CPU backend, printed; returns the best (GFLOP/s).
fn machine_peak(devices: &[(&'static str, Device)]) -> f64 {
    let mut best = f64::NAN;
    for (name, device) in devices {
        let gflops = peak::sgemm_gflops(device);
        println!(
            "sgemm peak, {name}: {gflops:.1} GFLOP/s ({}; best of 5 products of 2048x2048 f32)",
            peak::sgemm_library(name)
        );
        best = best.max(gflops);
    }
    println!(
        "machine sgemm peak: {best:.1} GFLOP/s (the best of the above; measured again between workloads, %peak is against the best of all)"
    );
    best
}

fn print_row(name: &str, w: &Workload, c: &Comparison) {
    println!(
        "{:<8} {:<16} {:>6} {:>12.1} {:>12.1} {:>12.1} {:>7.3} {:>7.3}..{:<7.3}",
        name,
        w.name(),
        w.steps,
        c.est_sps,
        c.est_call_sps,
        c.hand_sps,
        c.ratio,
        c.ratio_min,
        c.ratio_max
    );
}

/// Each row's training GFLOP/s (matrix products only, `Workload::train_flops`), its share of
/// the run's best sgemm peak, and its speed against TF's on the same workload.
fn print_speeds(speeds: &[(&str, Workload, f64, Option<f64>)], peak: f64) {
    println!();
    println!(
        "GFLOP/s of the matrix products per training step, against the best sgemm peak of the run ({peak:.1} GFLOP/s):"
    );
    println!(
        "{:<8} {:<16} {:>10} {:>9} {:>7} {:>7}",
        "side", "workload", "steps/s", "GFLOP/s", "%peak", "x TF"
    );
    for (name, w, sps, tf) in speeds {
        let gflops = w.train_flops() * sps / 1e9;
        let vs_tf = tf.map_or(String::new(), |tf| format!("{:.2}", sps / tf));
        println!(
            "{name:<8} {:<16} {sps:>10.1} {gflops:>9.1} {:>6.0}% {vs_tf:>7}",
            w.name(),
            100.0 * gflops / peak
        );
    }
}

fn main() -> Res<()> {
    let opts = options();
    let tunables = std::env::var("GLIBC_TUNABLES").ok();
    println!("estimator bench: Estimator::train vs a hand-written burn 0.22 loop");
    println!(
        "allocator: mimalloc (#[global_allocator]); GLIBC_TUNABLES: {}",
        tunables.as_deref().unwrap_or("(not set; not needed)")
    );
    println!(
        "{} interleaved pairs per workload (after one warm-up pair); ratio = Estimator steps/s / hand steps/s",
        opts.pairs
    );
    let devices = devices(opts.device.as_deref());
    if devices.is_empty() {
        return Err("no backend compiled in: build with --features ndarray or flex".into());
    }
    if opts.predict_only {
        return print_predict_latency(&devices, opts.calls.unwrap_or(20 * opts.extra_reps));
    }
    let started = Instant::now();
    let mut peak = machine_peak(&devices);
    println!();
    println!(
        "{:<8} {:<16} {:>6} {:>12} {:>12} {:>12} {:>7} {:>15}",
        "device",
        "workload",
        "steps",
        "est loop/s",
        "est call/s",
        "hand/s",
        "ratio",
        "ratio min..max"
    );
    let mut small_hand_step = vec![];
    // (backend, workload, Estimator or TF steps/s, TF steps/s of that workload)
    let mut speeds: Vec<(&str, Workload, f64, Option<f64>)> = vec![];
    for w in opts.workloads().filter(|_| !opts.extras_only) {
        let first = speeds.len();
        for (name, device) in &devices {
            if *name == "ndarray" && w.kind == models::Kind::Cnn && !opts.slow {
                println!(
                    "{name:<8} {:<16} skipped: about 0.1 steps/s, 10 s a step (--slow runs it)",
                    w.name()
                );
                continue;
            }
            let c = compare(device, &w, opts.pairs, opts.hand_first)?;
            speeds.push((name, w, c.est_sps, None));
            print_row(name, &w, &c);
            if w.shape.inputs == 64 {
                small_hand_step.push(c.hand_step);
            }
        }
        if let Some(python) = &opts.tf_python {
            let tf_sps = tf::tf_steps_per_sec(python, &w, opts.pairs.min(5))?;
            println!(
                "{:<8} {:<16} {:>6} {tf_sps:>12.1}",
                "TF 2.15",
                w.name(),
                w.steps
            );
            speeds.push(("TF 2.15", w, tf_sps, None));
            speeds[first..].iter_mut().for_each(|s| s.3 = Some(tf_sps));
        }
        // The sgemm peak again between workloads: the best figure is the least disturbed by
        // the machine's other load.
        peak = peak.max(
            devices
                .iter()
                .map(|(_, d)| peak::sgemm_gflops(d))
                .fold(0.0, f64::max),
        );
    }
    print_speeds(&speeds, peak);
    println!();
    println!(
        "est loop/s: steps / (hook begin..end); est call/s: steps / whole train() call (incl. model fork + final checkpoint)"
    );
    println!();
    let small = WORKLOADS[1];
    for (i, (name, device)) in devices.iter().enumerate().filter(|_| opts.extras) {
        let hand_step = match small_hand_step.get(i) {
            Some(step) => *step,
            None => compare(device, &small, 1, opts.hand_first)?.hand_step,
        };
        let [total, restore, step, save] = fixed_cost(device, &small, opts.extra_reps)?;
        let hand_ms = hand_step.as_secs_f64() * 1e3;
        println!(
            "{name}: fixed cost of a train() call ({}, restore + 1 step + final checkpoint, minus one hand step of {:.3} ms): {:.2} ms (median of {}: Estimator::new/restore {:.2} ms, 1st step {:.2} ms, final checkpoint {:.2} ms)",
            small.name(),
            hand_ms,
            total - hand_ms,
            opts.extra_reps,
            restore,
            step,
            save
        );
        print_predict_latency(&[(*name, device.clone())], 20 * opts.extra_reps)?;
        let [
            mb,
            save_mbs,
            restore_mbs,
            save_ms,
            restore_ms,
            save_peak,
            restore_peak,
        ] = checkpoint_throughput(device, opts.ckpt_reps)?;
        println!(
            "{name}: checkpoint of 4096-4096-10 + Adam state ({mb:.1} MB file): save {save_mbs:.0} MB/s ({save_ms:.0} ms, peak extra memory {save_peak:.0} MB = {:.2}x the file), restore {restore_mbs:.0} MB/s ({restore_ms:.0} ms, peak extra memory {restore_peak:.0} MB = {:.2}x) (medians of {})",
            save_peak / mb,
            restore_peak / mb,
            opts.ckpt_reps
        );
    }
    if opts.split {
        println!();
        println!("split: where a hand-loop step's time goes (medians per step)");
        for (name, device) in &devices {
            for w in opts.workloads() {
                if *name == "ndarray" && w.kind == models::Kind::Cnn && !opts.slow {
                    continue;
                }
                let ad = device.clone().autodiff();
                let model = || fresh_model(&w, &ad);
                split::print_split(
                    name,
                    device,
                    &w,
                    opts.pairs,
                    &model,
                    &make_batches(&w, device),
                )?;
            }
        }
    }
    if opts.profile {
        println!();
        println!("profile: per-step cost of what the Estimator adds to the hand loop");
        for (name, device) in &devices {
            println!(" {name}");
            for w in opts.workloads() {
                profile(device, &w, opts.pairs)?;
            }
        }
    }
    println!();
    println!("total bench time: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
