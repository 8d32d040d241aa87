//! The main job: an MLP on the digits data set that ships inside smartcore (1,797 8×8 images).
//!
//! Trains with `#[model_fn]` + `Estimator`, evaluates on a held-out split, predicts a few test
//! digits, and resumes from `--model-dir` when run again.
//!
//! ```text
//! cargo run --release --example digits -- [--device default|ndarray|flex|wgpu] [--model-dir DIR] [--steps N]
//! cargo build --release --features mpi --example digits
//! mpirun -np 2 target/release/examples/digits --distributed --model-dir runs/digits-2
//! ```
//!
//! The device defaults to burn's default device: flex, a default feature (the
//! fastest CPU backend in BENCHMARKS.md), else ndarray.

use estimator_runtime::hooks::EarlyStopping;
use estimator_runtime::prelude::*;
use estimator_runtime::{BestExporter, Distribution, EvalSpec, TrainSpec, train_and_evaluate};
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: burn frees and reallocates the same large buffers every
/// step, and glibc's dynamic mmap threshold hands them back to the kernel and faults them in
/// again. Binaries choose the allocator; the library never does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common/digits_model.rs"]
mod digits_model;
use digits_model::{HParams, Mlp, classifier};

/// The main job: train, evaluate and predict digits.
#[derive(clap::Parser, Debug)]
#[command(about = "Trains an MLP on smartcore's digits with an Estimator; a second run resumes")]
struct Options {
    /// The backend: default, ndarray, flex or wgpu (build with `--features flex` / `--features
    /// wgpu`). `default` is burn's default device: flex when it is compiled in (it beat ndarray
    /// at every size in BENCHMARKS.md, 1.3-1.5x on this job's 64-wide MLP), ndarray otherwise.
    #[arg(long, default_value = "default")]
    device: String,
    /// Where checkpoints, summaries and exports go.
    #[arg(long, default_value = "runs/digits")]
    model_dir: String,
    /// Steps to train in this run (added to the global step).
    #[arg(long, default_value_t = 1500)]
    steps: u64,
    /// Examples per optimizer step, over all replicas.
    #[arg(long, default_value_t = 32)]
    global_batch: usize,
    /// Train as one replica of an MPI job: `mpirun -np 2 target/release/examples/digits
    /// --distributed` (build with `--features mpi`).
    #[arg(long)]
    distributed: bool,
}

fn device(name: &str) -> Result<Device, String> {
    match name {
        "default" => Ok(Device::default()),
        // burn 0.22 deprecates its ndarray backend; it stays selectable for the benchmarks.
        #[cfg(feature = "ndarray")]
        #[allow(deprecated)]
        "ndarray" => Ok(Device::ndarray()),
        #[cfg(feature = "flex")]
        "flex" => Ok(Device::flex()),
        #[cfg(feature = "wgpu")]
        "wgpu" => Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)),
        other => Err(format!(
            "device `{other}` is not compiled in: build with `--features {other}` (ndarray, flex, wgpu)"
        )),
    }
}

/// The data set, scaled to [0, 1], split 80/20 by a fixed seed.
struct Digits {
    train: Vec<(Vec<f32>, i64)>,
    test: Vec<(Vec<f32>, i64)>,
}

fn load_digits() -> Digits {
    let ds = smartcore::dataset::digits::load_dataset();
    let n_features = ds.num_features;
    let mut examples: Vec<(Vec<f32>, i64)> = (0..ds.num_samples)
        .map(|i| {
            (
                ds.data[i * n_features..(i + 1) * n_features]
                    .iter()
                    .map(|v| v / 16.0)
                    .collect(),
                ds.target[i] as i64,
            )
        })
        .collect();
    shuffle(&mut examples, 2024);
    let test = examples.split_off(examples.len() * 4 / 5);
    Digits {
        train: examples,
        test,
    }
}

/// Fisher–Yates with a small seeded generator (SplitMix64), so the split never changes.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        let j = ((z ^ (z >> 31)) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

fn batch(examples: &[(Vec<f32>, i64)], device: &Device) -> (Tensor<2>, Tensor<1, Int>) {
    let width = examples.first().map_or(0, |e| e.0.len());
    let x: Vec<f32> = examples.iter().flat_map(|e| e.0.iter().copied()).collect();
    let y: Vec<i64> = examples.iter().map(|e| e.1).collect();
    (
        Tensor::from_data(TensorData::new(x, [examples.len(), width]), device),
        Tensor::from_data(TensorData::new(y, [examples.len()]), device),
    )
}

/// An endless stream of shuffled batches; epoch `e` is shuffled with seed `e`, so the stream is
/// the same in every process and a resumed run sees exactly the batches it would have seen.
fn train_input(
    data: &[(Vec<f32>, i64)],
    batch_size: usize,
    device: Device,
) -> impl Iterator<Item = (Tensor<2>, Tensor<1, Int>)> + '_ {
    (0u64..).flat_map(move |epoch| {
        let mut order: Vec<usize> = (0..data.len()).collect();
        shuffle(&mut order, epoch);
        let device = device.clone();
        let chunks: Vec<Vec<usize>> = order.chunks(batch_size).map(<[usize]>::to_vec).collect();
        chunks.into_iter().map(move |idx| {
            let examples: Vec<(Vec<f32>, i64)> = idx.iter().map(|&i| data[i].clone()).collect();
            batch(&examples, &device)
        })
    })
}

fn run(opts: Options) -> Result<(), Box<dyn std::error::Error>> {
    let device = device(&opts.device)?;
    let data = load_digits();
    let mut config = RunConfig::default()
        .model_dir(&opts.model_dir)
        .device(device.clone())
        .random_seed(42)
        .save_checkpoints_steps(500)
        .log_step_count_steps(250);
    if opts.distributed {
        config = config.distribute(Distribution::mpi()?);
    }
    let model = Mlp::new(64, 64, 10, &device);
    let mut estimator = Estimator::new(classifier, model, config)?.with_params(HParams {
        learning_rate: 3e-3,
    });
    // Every replica takes its shard of the stream, in batches that keep the global batch size.
    let ctx = estimator.input_context();
    let chief = estimator.is_chief();
    if chief {
        println!(
            "digits: {} train / {} test examples, device {}, {} replica(s)",
            data.train.len(),
            data.test.len(),
            opts.device,
            ctx.num_replicas
        );
    }
    if chief && estimator.global_step() > 0 {
        println!("resuming from global step {}", estimator.global_step());
    }
    let started = std::time::Instant::now();
    let start_step = estimator.global_step();
    let test = data.test.clone();
    let eval_device = device.clone();
    let serving = data.test[..4].to_vec();
    let serving_device = device.clone();
    let outcome = train_and_evaluate(
        &mut estimator,
        TrainSpec::new(
            ctx.shard(train_input(
                &data.train,
                ctx.per_replica_batch_size(opts.global_batch),
                device.clone(),
            )),
            Some(start_step + opts.steps),
        ),
        EvalSpec::new(move || {
            test.chunks(128)
                .map(|c| batch(c, &eval_device))
                .collect::<Vec<_>>()
        })
        .throttle_steps(500)
        .early_stopping(EarlyStopping::no_decrease("loss", 1000))
        .exporter(BestExporter::new("best", "accuracy", true, move || {
            batch(&serving, &serving_device).0
        })),
    )?;
    if !chief {
        return Ok(());
    }
    println!(
        "trained {} steps in {:.2} s (global step {}){}",
        estimator.global_step() - start_step,
        started.elapsed().as_secs_f64(),
        estimator.global_step(),
        if outcome.stopped_early {
            ", stopped early: eval loss stopped improving"
        } else {
            ""
        }
    );
    for dir in &outcome.exports {
        println!("exported the best model so far to {}", dir.display());
    }
    let results = outcome.last_eval.ok_or("no evaluation ran")?;
    println!(
        "test accuracy {:.4} at global step {}",
        results.metric("accuracy").unwrap_or(f64::NAN),
        results.global_step
    );

    let sample = &data.test[..8];
    let (features, _) = batch(sample, &device);
    let predictions =
        estimator.predict([features], PredictArgs::default().predict_keys(["class"]))?;
    for (prediction, (_, label)) in predictions.zip(sample) {
        let class = prediction?.scalar("class").unwrap_or(f64::NAN);
        println!("predicted {class} for a digit labelled {label}");
    }
    Ok(())
}

fn main() -> ExitCode {
    estimator_runtime::logging::init();
    match run(<Options as clap::Parser>::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
