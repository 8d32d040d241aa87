//! The crash/resume harness's worker: trains an MLP on smartcore's digits with a fixed seed,
//! checkpointing every 10 steps, and writes the final weights' raw bits to `<model_dir>/weights.bin`.
//!
//! `crash-worker <model_dir> <max_steps> [--wide]` prints `step N` after each step and
//! `saving N` just before each checkpoint write, so the harness can kill it at a chosen moment.
//! `--wide` adds a 1024-wide hidden layer so checkpoint writes take long enough to be hit.
//! `--train-and-evaluate` runs `train_and_evaluate` instead (an evaluation every 20 steps on
//! 64 rows, early stopping and a best exporter) and prints `saved N` after each
//! checkpoint, `eval N <loss bits> <accuracy bits>` for each evaluation and `stopped N <early>`
//! at the end. `--evaluate` evaluates 5 batches after training (event files under
//! `model_dir/eval`), for the fault tests (tests/faults.rs).
//! `--tfrecord DIR` reads the digits from TFRecord files of tf.Examples in DIR instead (written
//! there first if absent, some GZIP), through a sharded, interleaved, shuffled, parallel-parsed,
//! prefetched `data::Dataset`, and prints `batch I HASH` for each batch it hands to `train`.

use estimator_runtime::hooks::{CheckpointSaverListener, EarlyStopping};
use estimator_runtime::prelude::*;
use estimator_runtime::{BestExporter, EvalSpec, TrainSpec, train_and_evaluate};
use eval_printer::{EvalPrinter, eval_line, say};
use std::io::Write;

#[path = "eval_printer.rs"]
mod eval_printer;

/// mimalloc instead of glibc's malloc: burn frees and reallocates the same large buffers every
/// step, and glibc's dynamic mmap threshold hands them back to the kernel and faults them in
/// again. Binaries choose the allocator; the library never does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Module, Debug)]
struct Mlp {
    hidden: nn::Linear,
    output: nn::Linear,
}

impl Mlp {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.output
            .forward(burn::tensor::activation::relu(self.hidden.forward(x)))
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
        .train_op(TrainOp::minimize(loss, AdamConfig::new(), 1e-3))
        .predictions(predictions)
        .eval_metric_ops(EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)))
}

struct Progress;

impl Hook for Progress {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "step {}", ctx.global_step);
        let _ = out.flush();
        Ok(())
    }
}

impl CheckpointSaverListener for Progress {
    fn before_save(&mut self, global_step: u64) -> Result<(), Error> {
        say(format!("saving {global_step}"));
        Ok(())
    }

    fn after_save(&mut self, global_step: u64, _: &std::path::Path) -> Result<bool, Error> {
        say(format!("saved {global_step}"));
        Ok(false)
    }
}

/// `train_and_evaluate` on the digits stream, evaluated on the first 60 rows of the first epoch.
fn run_train_and_evaluate<F>(
    estimator: &mut Estimator<F>,
    device: Device,
    max_steps: u64,
) -> Result<(), Box<dyn std::error::Error>>
where
    F: ModelFn<Model = Mlp, Features = Tensor<2>, Labels = Tensor<1, Int>>,
    F::Params: 'static,
{
    let eval_device = device.clone();
    let serving_device = device.clone();
    let train = TrainSpec::new(digits_stream(device), Some(max_steps))
        .hook(Progress)
        .hook(EvalPrinter(None))
        .saving_listener(Progress);
    let eval = EvalSpec::new(move || digits_stream(eval_device.clone()).take(2))
        .throttle_steps(20)
        .early_stopping(EarlyStopping::no_increase("accuracy", 60).min_steps(60))
        .exporter(BestExporter::new("best", "accuracy", true, move || {
            digits_stream(serving_device.clone())
                .next()
                .map(|(x, _)| x)
                .expect("a batch")
        }));
    let result = train_and_evaluate(estimator, train, eval)?;
    for eval in &result.evals {
        say(eval_line(eval));
    }
    say(format!(
        "stopped {} {}",
        estimator.global_step(),
        result.stopped_early
    ));
    Ok(())
}

fn digits_stream(device: Device) -> impl Iterator<Item = (Tensor<2>, Tensor<1, Int>)> {
    let ds = smartcore::dataset::digits::load_dataset();
    let f = ds.num_features;
    let rows: Vec<(Vec<f32>, i64)> = (0..ds.num_samples)
        .map(|i| {
            (
                ds.data[i * f..(i + 1) * f]
                    .iter()
                    .map(|v| v / 16.0)
                    .collect(),
                ds.target[i] as i64,
            )
        })
        .collect();
    (0usize..).flat_map(move |epoch| {
        let n = rows.len();
        let order: Vec<usize> = (0..n).map(|i| (i * 31 + epoch * 17) % n).collect();
        let batches: Vec<_> = order
            .chunks(32)
            .map(|idx| {
                let x: Vec<f32> = idx
                    .iter()
                    .flat_map(|&i| rows[i].0.iter().copied())
                    .collect();
                let y: Vec<i64> = idx.iter().map(|&i| rows[i].1).collect();
                (
                    Tensor::<2>::from_data(TensorData::new(x, [idx.len(), f]), &device),
                    Tensor::<1, Int>::from_data(TensorData::new(y, [idx.len()]), &device),
                )
            })
            .collect();
        batches
    })
}

#[cfg(feature = "tfrecord")]
/// The digits as 5 TFRecord files of tf.Examples (`pixels`: 64 floats, `label`: int64), 2 of
/// them GZIP.
fn write_digits(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    use estimator_runtime::data::example::{Example, Feature};
    use estimator_runtime::data::{Compression, TfRecordWriter};
    std::fs::create_dir_all(dir)?;
    let ds = smartcore::dataset::digits::load_dataset();
    let f = ds.num_features;
    for part in 0..5 {
        let gzip = part % 2 == 1;
        let name = format!("digits-{part}.tfrecord{}", if gzip { ".gz" } else { "" });
        let compression = if gzip {
            Compression::Gzip
        } else {
            Compression::None
        };
        let mut writer = TfRecordWriter::create(dir.join(name), compression)?;
        for i in (part..ds.num_samples).step_by(5) {
            let pixels = ds.data[i * f..(i + 1) * f].iter().map(|v| v / 16.0);
            let example = Example::from_features([
                ("pixels", Feature::floats(pixels)),
                ("label", Feature::int64s([ds.target[i] as i64])),
            ]);
            writer.write(&example.to_bytes())?;
        }
        writer.finish()?;
    }
    Ok(())
}

#[cfg(feature = "tfrecord")]
type Batch = (Tensor<2>, Tensor<1, Int>);

#[cfg(feature = "tfrecord")]
/// Shard 0 of 2 (by file: files 0, 2, 4), 2 files interleaved, shuffled, for ever, batches
/// of 32 parsed on 2 threads, 4 batches prefetched.
fn tfrecord_stream(
    dir: &std::path::Path,
    device: Device,
) -> Result<impl Iterator<Item = Result<Batch, String>>, Box<dyn std::error::Error>> {
    use estimator_runtime::data::*;
    use estimator_runtime::feature_column::ColumnValues;
    use std::hash::{Hash, Hasher};
    if !dir.join("digits-0.tfrecord").exists() {
        write_digits(dir)?;
    }
    let spec = ParseSpec::from([
        (
            "pixels".to_string(),
            FeatureSpec::fixed([64], DType::Float32),
        ),
        ("label".to_string(), FeatureSpec::fixed([], DType::Int64)),
    ]);
    let pattern = dir.join("digits-*");
    let batches = TfRecordFiles::glob(pattern.to_str().ok_or("path")?)?
        .shard(2, 0)
        .interleave(2)
        .shuffle(256, 7)
        .repeat(None)
        .batch(32, true)
        .map_parallel(move |records| parse_example(&records, &spec), 2)
        .prefetch(4);
    let to_tensors = move |(i, batch): (usize, Item<_>)| {
        let batch: estimator_runtime::feature_column::FeatureBatch =
            batch.map_err(|e| e.to_string())?;
        let (Some(ColumnValues::Float(x)), Some(ColumnValues::Int(y))) =
            (batch.get("pixels"), batch.get("label"))
        else {
            return Err("unexpected columns".to_string());
        };
        let mut hash = std::collections::hash_map::DefaultHasher::new();
        x.iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
            .hash(&mut hash);
        y.hash(&mut hash);
        let _ = writeln!(std::io::stdout().lock(), "batch {i} {:016x}", hash.finish());
        Ok((
            Tensor::<2>::from_data(TensorData::new(x.clone(), [y.len(), 64]), &device),
            Tensor::<1, Int>::from_data(TensorData::new(y.clone(), [y.len()]), &device),
        ))
    };
    Ok(batches.into_iter().enumerate().map(to_tensors))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(max_steps)) = (args.get(1), args.get(2)) else {
        return Err("usage: crash-worker <model_dir> <max_steps> [--wide]".into());
    };
    let max_steps: u64 = max_steps.parse()?;
    let width = if args.iter().any(|a| a == "--wide") {
        1024
    } else {
        32
    };
    #[allow(deprecated)]
    let device = Device::ndarray();
    let model = Mlp {
        hidden: nn::LinearConfig::new(64, width).init(&device),
        output: nn::LinearConfig::new(width, 10).init(&device),
    };
    let config = RunConfig::default()
        .model_dir(dir)
        .device(device.clone())
        .random_seed(3)
        .save_checkpoints_steps(10)
        .log_step_count_steps(0)
        .save_summary_steps(0);
    let mut estimator = Estimator::new(classifier, model, config)?;
    println!("restored {}", estimator.global_step());
    let train_args = TrainArgs::max_steps(max_steps)
        .hook(Progress)
        .saving_listener(Progress);
    if args.iter().any(|a| a == "--train-and-evaluate") {
        run_train_and_evaluate(&mut estimator, device.clone(), max_steps)?;
    } else {
        match args.iter().position(|a| a == "--tfrecord") {
            #[cfg(feature = "tfrecord")]
            Some(at) => {
                let data = std::path::Path::new(args.get(at + 1).ok_or("--tfrecord DIR")?);
                estimator.train(tfrecord_stream(data, device.clone())?, train_args)?
            }
            _ => estimator.train(digits_stream(device.clone()), train_args)?,
        };
    }
    if args.iter().any(|a| a == "--evaluate") {
        let results =
            estimator.evaluate(digits_stream(device.clone()).take(5), EvalArgs::default())?;
        println!("evaluated {}", results.global_step);
    }
    let model = estimator.model().ok_or("model lost")?;
    let mut bits = Vec::new();
    for t in [
        model.hidden.weight.val().flatten::<1>(0, 1),
        model.output.weight.val().flatten::<1>(0, 1),
    ] {
        bits.extend(
            t.into_data()
                .try_into_vec_as::<f32>()
                .map_err(|e| format!("{e:?}"))?,
        );
    }
    for b in [&model.hidden.bias, &model.output.bias]
        .into_iter()
        .flatten()
    {
        bits.extend(
            b.val()
                .into_data()
                .try_into_vec_as::<f32>()
                .map_err(|e| format!("{e:?}"))?,
        );
    }
    let bytes: Vec<u8> = bits.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(std::path::Path::new(dir).join("weights.bin"), bytes)?;
    println!("done {}", estimator.global_step());
    Ok(())
}
