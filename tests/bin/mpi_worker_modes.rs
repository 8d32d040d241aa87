//! The MPI worker's evaluation modes: a sharded evaluation on digits, and `train_and_evaluate`
//! (killed and restarted by the resume test).

use super::eval_printer::{EvalPrinter, eval_line, say};
use super::{Args, KillAt, Mlp};
use estimator_runtime::hooks::EarlyStopping;
use estimator_runtime::prelude::*;
use estimator_runtime::{BestExporter, Distribution, EvalSpec, TrainSpec, train_and_evaluate};
use std::time::Instant;

/// A linear classifier of smartcore's digits.
#[derive(Module, Debug)]
pub(crate) struct Digits {
    hidden: nn::Linear,
    output: nn::Linear,
}

#[model_fn]
fn digits_classifier(
    model: &Digits,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.output.forward(burn::tensor::activation::relu(
        model.hidden.forward(features),
    ));
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let zero = burn::tensor::activation::softmax(logits.clone(), 1)
        .narrow(1, 0, 1)
        .flatten::<1>(0, 1);
    let predictions = Predictions::new().with("class", classes.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let is_zero = labels.clone().equal_elem(0);
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.clone());
    let metrics = EvalMetricOps::new()
        .with("accuracy", metrics::accuracy(labels, classes))
        .with("auc_zero", metrics::auc(is_zero, zero));
    EstimatorSpec::new(mode)
        .loss(loss.clone())
        .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
        .eval_metric_ops(metrics)
        .predictions(predictions)
}

/// Digits in batches of 64: 28 full ones and one of 5 rows (1,797 rows, an odd count).
fn digits(device: &Device) -> Vec<(Tensor<2>, Tensor<1, Int>)> {
    let ds = smartcore::dataset::digits::load_dataset();
    let f = ds.num_features;
    (0..ds.num_samples)
        .collect::<Vec<_>>()
        .chunks(64)
        .map(|rows| {
            let x: Vec<f32> = rows
                .iter()
                .flat_map(|&i| ds.data[i * f..(i + 1) * f].iter().map(|v| v / 16.0))
                .collect();
            let y: Vec<i64> = rows.iter().map(|&i| ds.target[i] as i64).collect();
            (
                Tensor::from_data(TensorData::new(x, [rows.len(), f]), device),
                Tensor::from_data(TensorData::new(y, [rows.len()]), device),
            )
        })
        .collect()
}

/// Evaluates a seeded, untrained model (64-`hidden`-10) on digits, sharded or not, and prints
/// the results and the best of 5 evaluations' seconds after a warm-up one
/// (`scripts/eval_shard_bench.sh` times it).
pub(crate) fn eval_digits(args: &Args, device: Device) -> Result<(), Box<dyn std::error::Error>> {
    device.seed(11);
    let model = Digits {
        hidden: nn::LinearConfig::new(64, args.hidden).init(&device),
        output: nn::LinearConfig::new(args.hidden, 10).init(&device),
    };
    let mut config = RunConfig::default()
        .model_dir(&args.model_dir)
        .device(device.clone());
    if args.distributed {
        config = config.distribute(Distribution::mpi()?);
    }
    let mut estimator = Estimator::new(digits_classifier, model, config)?;
    let mut eval_args = EvalArgs::default();
    if args.sharded {
        eval_args = eval_args.sharded();
    }
    // The best of 5 timed evaluations after a warm-up one (thread pools, allocator).
    let mut results = estimator.evaluate(digits(&device), eval_args.clone())?;
    let mut secs = f64::INFINITY;
    for _ in 0..5 {
        let input = digits(&device);
        let started = Instant::now();
        results = estimator.evaluate(input, eval_args.clone())?;
        secs = secs.min(started.elapsed().as_secs_f64());
    }
    let bits = |name: &str| results.metric(name).unwrap_or(f64::NAN).to_bits();
    println!(
        "eval {} {} {} {} {secs}",
        results.loss.to_bits(),
        bits("accuracy"),
        bits("auc_zero"),
        results.batches
    );
    Ok(())
}

/// `train_and_evaluate` with an evaluation every 20 steps on held-out synthetic rows.
pub(crate) fn train_and_evaluate_mode<F>(
    estimator: &mut Estimator<F>,
    input: impl Iterator<Item = (Tensor<2>, Tensor<1, Int>)>,
    max_steps: u64,
    kill_at: Option<u64>,
    device: Device,
) -> Result<(), Box<dyn std::error::Error>>
where
    F: ModelFn<Model = Mlp, Features = Tensor<2>, Labels = Tensor<1, Int>>,
    F::Params: 'static,
{
    let chief = estimator.is_chief();
    let mut train = TrainSpec::new(input, Some(max_steps));
    if chief {
        train = train.hook(EvalPrinter(None));
    }
    if let Some(step) = kill_at {
        train = train.hook(KillAt(step));
    }
    let (eval_device, serving_device) = (device.clone(), device);
    let base = 1u64 << 40;
    let eval = EvalSpec::new(move || {
        let device = eval_device.clone();
        (0..4).map(move |k| super::batch(base + k * 64..base + (k + 1) * 64, &device))
    })
    .throttle_steps(20)
    .early_stopping(EarlyStopping::no_increase("accuracy", 40).min_steps(40))
    .exporter(BestExporter::new("best", "accuracy", true, move || {
        super::batch(0..4, &serving_device).0
    }));
    let result = train_and_evaluate(estimator, train, eval)?;
    if chief {
        for eval in &result.evals {
            say(eval_line(eval));
        }
        say(format!(
            "stopped {} {}",
            estimator.global_step(),
            result.stopped_early
        ));
    }
    Ok(())
}
