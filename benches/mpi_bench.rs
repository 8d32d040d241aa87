//! Data-parallel scaling on MPI: steps/s and examples/s for 1 and 2 ranks at the same global
//! batch, and the gradient all-reduce's cost per step, for MLPs of several sizes. Prints ratios
//! (BENCHMARKS.md); not a timed test.
//!
//! ```text
//! cargo build --release --features mpi --bin mpi-bench
//! target/release/mpi-bench            # 1 rank here, then itself under `mpirun -np 2`
//! ```

use clap::Parser;
use estimator_runtime::prelude::*;
use estimator_runtime::{Distribution, InputContext};
use std::process::Command;

#[derive(Parser, Debug, Clone)]
#[command(about = "1 vs N ranks of data-parallel training, and the all-reduce's share of a step")]
struct Args {
    /// Measured steps per model (after the warm-up).
    #[arg(long, default_value_t = 60)]
    steps: u64,
    /// Warm-up steps per model.
    #[arg(long, default_value_t = 10)]
    warmup: u64,
    /// Examples per optimizer step, over all ranks.
    #[arg(long, default_value_t = 64)]
    global_batch: usize,
    /// Ranks of the distributed run.
    #[arg(long, default_value_t = 2)]
    ranks: usize,
    /// Hidden layer widths of each model, e.g. `128` or `1024x1024`.
    #[arg(long, default_values_t = ["128".to_string(), "512x512".to_string(), "1024x1024".to_string()])]
    models: Vec<String>,
    /// Internal: this process is one rank of the distributed run.
    #[arg(long, hide = true)]
    worker: bool,
}

#[derive(Module, Debug)]
struct Mlp {
    layers: Vec<nn::Linear>,
}

impl Mlp {
    fn new(widths: &[usize], device: &Device) -> Self {
        Mlp {
            layers: widths
                .windows(2)
                .map(|w| nn::LinearConfig::new(w[0], w[1]).init(device))
                .collect(),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(x, |x, (i, l)| {
            let y = l.forward(x);
            if i < last {
                burn::tensor::activation::relu(y)
            } else {
                y
            }
        })
    }
}

#[model_fn]
fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let predictions = Predictions::from(logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    EstimatorSpec::new(mode)
        .loss(loss.clone())
        .train_op(TrainOp::minimize(loss, AdamConfig::new(), 1e-3))
        .predictions(predictions)
}

/// One model's figures on this rank.
struct Figures {
    params: usize,
    steps_per_sec: f64,
    all_reduce_us: f64,
    all_reduce_calls: f64,
}

fn widths(model: &str) -> Vec<usize> {
    let mut w = vec![784];
    w.extend(model.split('x').filter_map(|h| h.parse::<usize>().ok()));
    w.push(10);
    w
}

fn batches(n: usize, rows: usize, device: &Device) -> Vec<(Tensor<2>, Tensor<1, Int>)> {
    (0..n)
        .map(|k| {
            let x: Vec<f32> = (0..rows * 784)
                .map(|i| ((i * 31 + k * 7) % 97) as f32 / 97.0)
                .collect();
            let y: Vec<i64> = (0..rows).map(|i| ((i + k) % 10) as i64).collect();
            (
                Tensor::from_data(TensorData::new(x, [rows, 784]), device),
                Tensor::from_data(TensorData::new(y, [rows]), device),
            )
        })
        .collect()
}

fn measure(
    args: &Args,
    model: &str,
    distribution: Option<&Distribution>,
) -> Result<Figures, Error> {
    #[allow(deprecated)]
    let device = Device::ndarray();
    let ctx = distribution.map_or_else(InputContext::default, Distribution::input_context);
    let dir = std::env::temp_dir().join(format!(
        "mpi-bench-{}-{model}-{}",
        std::process::id(),
        ctx.num_replicas
    ));
    let mut config = RunConfig::default()
        .model_dir(&dir)
        .device(device.clone())
        .random_seed(1)
        .log_step_count_steps(0)
        .save_summary_steps(0)
        .save_checkpoints_steps(u64::MAX);
    if let Some(d) = distribution {
        config = config.distribute(d.clone());
    }
    let mlp = Mlp::new(&widths(model), &device);
    let params = mlp.num_params();
    let mut estimator = Estimator::new(classifier, mlp, config)?;
    let data = batches(4, ctx.per_replica_batch_size(args.global_batch), &device);
    let stream = || data.iter().cloned().cycle();
    estimator.train(stream(), TrainArgs::steps(args.warmup))?;
    let _ = distribution.map(Distribution::take_all_reduce_stats);
    let summary = estimator.train(stream(), TrainArgs::steps(args.steps))?;
    let stats = distribution
        .map(Distribution::take_all_reduce_stats)
        .unwrap_or_default();
    if ctx.replica_id == 0 {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let steps = summary.steps.max(1) as f64;
    Ok(Figures {
        params,
        steps_per_sec: summary.steps as f64 / summary.seconds,
        all_reduce_us: stats.seconds * 1e6 / steps,
        all_reduce_calls: stats.calls as f64 / steps,
    })
}

/// Runs every model on this rank; the chief prints one machine-readable line per model.
fn worker(args: &Args) -> Result<(), Error> {
    let distribution = Distribution::mpi()?;
    for model in &args.models {
        let f = measure(args, model, Some(&distribution))?;
        if distribution.is_chief() {
            println!(
                "RESULT {model} {} {} {} {}",
                f.params, f.steps_per_sec, f.all_reduce_us, f.all_reduce_calls
            );
        }
    }
    Ok(())
}

fn distributed_results(args: &Args) -> Result<Vec<(String, Figures)>, Box<dyn std::error::Error>> {
    let me = std::env::current_exe()?;
    let mut cmd = Command::new("mpirun");
    cmd.args(["--oversubscribe", "-np", &args.ranks.to_string()])
        .arg(me)
        .args(["--worker", "--steps", &args.steps.to_string()])
        .args(["--warmup", &args.warmup.to_string()])
        .args(["--global-batch", &args.global_batch.to_string()])
        .args(args.models.iter().flat_map(|m| ["--models", m.as_str()]))
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("RUST_LOG", "warn");
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!("mpirun failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let mut results = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if let ["RESULT", model, params, sps, us, calls] = f[..] {
            results.push((
                model.to_string(),
                Figures {
                    params: params.parse()?,
                    steps_per_sec: sps.parse()?,
                    all_reduce_us: us.parse()?,
                    all_reduce_calls: calls.parse()?,
                },
            ));
        }
    }
    Ok(results)
}

fn report(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let b = args.global_batch as f64;
    let n = args.ranks;
    println!(
        "global batch {}, {} measured steps after {} warm-up, ndarray, {} vs 1 rank(s)\n",
        args.global_batch, args.steps, args.warmup, n
    );
    let single: Vec<Figures> = args
        .models
        .iter()
        .map(|m| measure(args, m, None))
        .collect::<Result<_, _>>()?;
    let multi = distributed_results(args)?;
    println!(
        "| model | params | 1 rank steps/s | 1 rank ex/s | {n} ranks steps/s | {n} ranks ex/s | speed-up | efficiency | all-reduce µs/step | share of step | buckets/step |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for ((model, m), s) in multi.iter().zip(&single) {
        let step_us = 1e6 / m.steps_per_sec;
        let speedup = m.steps_per_sec / s.steps_per_sec;
        println!(
            "| 784-{}-10 | {} | {:.1} | {:.0} | {:.1} | {:.0} | {:.2} | {:.0}% | {:.0} | {:.1}% | {:.0} |",
            model.replace('x', "-"),
            m.params,
            s.steps_per_sec,
            s.steps_per_sec * b,
            m.steps_per_sec,
            m.steps_per_sec * b,
            speedup,
            100.0 * speedup / n as f64,
            m.all_reduce_us,
            100.0 * m.all_reduce_us / step_us,
            m.all_reduce_calls
        );
    }
    if let (Some((_, small)), Some((_, big))) = (multi.first(), multi.last()) {
        println!(
            "\nall-reduce cost ratio, largest / smallest model: {:.1}x for {:.1}x the parameters",
            big.all_reduce_us / small.all_reduce_us,
            big.params as f64 / small.params as f64
        );
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let args = Args::parse();
    let result = if args.worker {
        worker(&args).map_err(Into::into)
    } else {
        report(&args)
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
