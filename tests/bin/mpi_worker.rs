//! The MPI tests' worker (`tests/mpi.rs`): trains a small MLP on a synthetic, deterministic
//! stream of global batches, one replica per rank, and writes each rank's final weights.
//!
//! `mpirun -np 2 mpi-worker --distributed --model-dir DIR --out OUT`: rank r takes rows
//! `[r*B/N, (r+1)*B/N)` of every global batch of `B` rows. Without `--distributed` it is the
//! one-process reference with the full batch. `--evaluator` runs the evaluator task instead.

#[path = "eval_printer.rs"]
mod eval_printer;
#[path = "mpi_worker_modes.rs"]
mod modes;

use clap::Parser;
use estimator_runtime::prelude::*;
use estimator_runtime::{ContinuousEvalArgs, Distribution};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const FEATURES: usize = 16;
const CLASSES: usize = 4;

#[derive(Parser, Debug)]
#[command(about = "Worker of the MPI tests")]
pub(crate) struct Args {
    /// The chief's model_dir.
    #[arg(long)]
    model_dir: PathBuf,
    /// Where each rank writes `weights-rank<r>.bin` and `step-rank<r>`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Join the MPI world (`Distribution::mpi()`).
    #[arg(long)]
    distributed: bool,
    /// Non-chief ranks get `<model-dir>-rank<r>` as model_dir (to show they never touch it).
    #[arg(long)]
    rank_dirs: bool,
    /// Train until this global step.
    #[arg(long, default_value_t = 200)]
    steps: u64,
    /// Examples per global batch (split across ranks).
    #[arg(long, default_value_t = 32)]
    global_batch: usize,
    /// Hidden units.
    #[arg(long, default_value_t = 32)]
    hidden: usize,
    /// Hidden units on rank 1 (a model-shape mismatch).
    #[arg(long)]
    hidden_rank1: Option<usize>,
    /// Checkpoint every this many steps.
    #[arg(long, default_value_t = 50)]
    save_steps: u64,
    /// keep_checkpoint_max.
    #[arg(long, default_value_t = 5)]
    keep: usize,
    /// SIGKILL this rank after `--kill-at-step`.
    #[arg(long)]
    kill_rank: Option<usize>,
    /// The global step after which `--kill-rank` dies.
    #[arg(long, default_value_t = 0)]
    kill_at_step: u64,
    /// This rank's training fails with an error after `--fail-at-step`.
    #[arg(long)]
    fail_rank: Option<usize>,
    /// The global step after which `--fail-rank` fails.
    #[arg(long, default_value_t = 0)]
    fail_at_step: u64,
    /// Run the evaluator task on `model_dir` until `--steps`.
    #[arg(long)]
    evaluator: bool,
    /// Gradient accumulation: each rank's share of a global batch comes in this many batches.
    #[arg(long, default_value_t = 1)]
    accumulate: usize,
    /// Only evaluate a seeded, untrained model on smartcore's digits (29 batches of 64, the last
    /// of 5 rows) and print `eval <loss bits> <accuracy bits> <auc bits> <batches> <secs>`.
    #[arg(long)]
    eval_digits: bool,
    /// With `--eval-digits`: shard the evaluation across the ranks (`EvalArgs::sharded`).
    #[arg(long)]
    sharded: bool,
    /// A batch norm after the hidden layer: running statistics each rank updates from its own
    /// rows; `--out` then writes them after the weights.
    #[arg(long)]
    batch_norm: bool,
    /// Run `train_and_evaluate` (an evaluation every 20 steps, early stopping, a best
    /// exporter); the chief prints `eval <step> <loss bits> <accuracy bits>` lines and
    /// `stopped <step> <early>`.
    #[arg(long)]
    train_and_evaluate: bool,
}

#[derive(Module, Debug)]
pub(crate) struct Mlp {
    hidden: nn::Linear,
    norm: Option<nn::BatchNorm>,
    output: nn::Linear,
}

impl Mlp {
    fn new(hidden: usize, batch_norm: bool, device: &Device) -> Self {
        Mlp {
            hidden: nn::LinearConfig::new(FEATURES, hidden).init(device),
            norm: batch_norm.then(|| nn::BatchNormConfig::new(hidden).init(device)),
            output: nn::LinearConfig::new(hidden, CLASSES).init(device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let hidden = burn::tensor::activation::relu(self.hidden.forward(x));
        let hidden = match &self.norm {
            Some(norm) => norm.forward(hidden),
            None => hidden,
        };
        self.output.forward(hidden)
    }

    fn weights(&self) -> Vec<f32> {
        let mut out = Vec::new();
        for t in [
            self.hidden.weight.val().flatten::<1>(0, 1),
            self.output.weight.val().flatten::<1>(0, 1),
        ] {
            out.extend(t.into_data().try_to_vec::<f32>().unwrap_or_default());
        }
        for b in [&self.hidden.bias, &self.output.bias].into_iter().flatten() {
            out.extend(b.val().into_data().try_to_vec::<f32>().unwrap_or_default());
        }
        if let Some(norm) = &self.norm {
            for t in [
                norm.gamma.val(),
                norm.beta.val(),
                norm.running_mean.value(),
                norm.running_var.value(),
            ] {
                out.extend(t.into_data().try_to_vec::<f32>().unwrap_or_default());
            }
        }
        out
    }
}

#[model_fn]
pub(crate) fn classifier(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let predictions = Predictions::new().with("class", classes.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.clone());
    EstimatorSpec::new(mode)
        .loss(loss.clone())
        .train_op(TrainOp::minimize(loss, AdamConfig::new(), 1e-2))
        .eval_metric_ops(EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)))
        .predictions(predictions)
}

/// SplitMix64 of `x`, as a float in [-1, 1).
fn noise(x: u64) -> f32 {
    let mut z = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

/// Example `i`: 16 features, and as label the class whose block of 4 features sums highest.
fn example(i: u64) -> (Vec<f32>, i64) {
    let x: Vec<f32> = (0..FEATURES as u64)
        .map(|j| noise(i * 64 + j + 1))
        .collect();
    let label = (0..CLASSES)
        .map(|c| x[c * 4..c * 4 + 4].iter().sum::<f32>())
        .enumerate()
        .fold(
            (0, f32::MIN),
            |best, (c, s)| if s > best.1 { (c, s) } else { best },
        )
        .0;
    (x, label as i64)
}

pub(crate) fn batch(rows: std::ops::Range<u64>, device: &Device) -> (Tensor<2>, Tensor<1, Int>) {
    let n = (rows.end - rows.start) as usize;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for i in rows {
        let (f, l) = example(i);
        x.extend(f);
        y.push(l);
    }
    (
        Tensor::from_data(TensorData::new(x, [n, FEATURES]), device),
        Tensor::from_data(TensorData::new(y, [n]), device),
    )
}

/// Kills this process at a step (the fault test).
pub(crate) struct KillAt(pub(crate) u64);

impl Hook for KillAt {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if ctx.global_step == self.0 {
            let pid = std::process::id().to_string();
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status();
            std::thread::sleep(Duration::from_secs(60));
        }
        Ok(())
    }
}

/// Fails at a step with an error (the error-abort test).
struct FailAt(u64);

impl Hook for FailAt {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if ctx.global_step == self.0 {
            return Err(Error::Input(format!("injected failure at step {}", self.0)));
        }
        Ok(())
    }
}

#[allow(deprecated)] // ndarray: the backend the rest of the tests use
fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let device = Device::ndarray();
    if args.evaluator {
        return evaluate(&args, device);
    }
    if args.eval_digits {
        return modes::eval_digits(&args, device);
    }
    let distribution = args.distributed.then(Distribution::mpi).transpose()?;
    let ctx = distribution
        .as_ref()
        .map(Distribution::input_context)
        .unwrap_or_default();
    let mut model_dir = args.model_dir.clone();
    if args.rank_dirs && ctx.replica_id > 0 {
        model_dir = PathBuf::from(format!("{}-rank{}", model_dir.display(), ctx.replica_id));
    }
    let mut config = RunConfig::default()
        .model_dir(model_dir)
        .device(device.clone())
        .random_seed(7)
        .save_checkpoints_steps(args.save_steps)
        .keep_checkpoint_max(args.keep)
        .log_step_count_steps(50)
        .gradient_accumulation_steps(args.accumulate as u64);
    if let Some(d) = distribution {
        config = config.distribute(d);
    }
    let hidden = match args.hidden_rank1 {
        Some(h) if ctx.replica_id == 1 => h,
        _ => args.hidden,
    };
    let model = Mlp::new(hidden, args.batch_norm, &device);
    let mut estimator = Estimator::new(classifier, model, config)?;
    let per_rank = ctx.per_replica_batch_size(args.global_batch) as u64;
    let global = args.global_batch as u64;
    let first = ctx.replica_id as u64 * per_rank;
    // With accumulation, each rank's share of global batch k comes in `accumulate` pieces.
    let pieces = args.accumulate.max(1) as u64;
    let piece = per_rank / pieces;
    let input_device = device.clone();
    let input = (0u64..).map(move |j| {
        let start = (j / pieces) * global + first + (j % pieces) * piece;
        batch(start..start + piece, &input_device)
    });
    if args.train_and_evaluate {
        let kill = (args.kill_rank == Some(ctx.replica_id)).then_some(args.kill_at_step);
        return modes::train_and_evaluate_mode(&mut estimator, input, args.steps, kill, device);
    }
    let mut train_args = TrainArgs::max_steps(args.steps);
    if args.kill_rank == Some(ctx.replica_id) {
        train_args = train_args.hook(KillAt(args.kill_at_step));
    }
    if args.fail_rank == Some(ctx.replica_id) {
        train_args = train_args.hook(FailAt(args.fail_at_step));
    }
    estimator.train(input, train_args)?;
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out)?;
        let model = estimator.model().ok_or("no model")?;
        let bytes: Vec<u8> = model
            .weights()
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        std::fs::write(
            out.join(format!("weights-rank{}.bin", ctx.replica_id)),
            bytes,
        )?;
        std::fs::write(
            out.join(format!("step-rank{}", ctx.replica_id)),
            estimator.global_step().to_string(),
        )?;
    }
    Ok(())
}

fn evaluate(args: &Args, device: Device) -> Result<(), Box<dyn std::error::Error>> {
    let model = Mlp::new(args.hidden, args.batch_norm, &device);
    let config = RunConfig::default()
        .model_dir(&args.model_dir)
        .device(device.clone());
    let mut estimator = Estimator::new(classifier, model, config)?;
    let eval_args = ContinuousEvalArgs::final_step(args.steps)
        .and_timeout(Duration::from_secs(120))
        .poll_interval(Duration::from_millis(100));
    let base = 1u64 << 40;
    let evals = estimator.evaluate_continuously(
        || (0..4).map(|k| batch(base + k * 64..base + (k + 1) * 64, &device)),
        eval_args,
    )?;
    for r in &evals {
        println!(
            "evaluated step={} loss={} {}",
            r.global_step,
            r.loss,
            r.summary()
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            // mpirun ends the job when the first rank exits non-zero; give the other ranks a
            // moment to print their own (more detailed) errors first, so the tests see them.
            if std::env::var("OMPI_COMM_WORLD_RANK").is_ok_and(|r| r == "0") {
                std::thread::sleep(std::time::Duration::from_millis(1500));
            }
            ExitCode::FAILURE
        }
    }
}
