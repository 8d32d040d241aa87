//! Premade estimators on the Palmer penguins table (shipped in `examples/data`, CC0): the
//! species from four measurements, the island and the sex. Compares a `LinearClassifier`, a
//! `DnnClassifier` and wide and deep (`DnnLinearCombinedClassifier`) on a fixed 80/20 split,
//! then times the `DnnClassifier`'s train steps against the same network written as a plain
//! `#[model_fn]`.
//!
//! ```text
//! cargo run --release --example penguins -- [--steps N] [--model-dir DIR]
//! cargo run --release --example penguins -- --write-tfrecords DIR
//! cargo run --release --example penguins -- --train-files 'DIR/train-*' --eval-files 'DIR/eval*'
//! ```
//!
//! By default the table is the CSV shipped in `examples/data`. `--write-tfrecords DIR` writes
//! its 80/20 split as TFRecord files of tf.Examples (`train-0.tfrecord`,
//! `train-1.tfrecord.gz`, `eval-0.tfrecord`; `NA` is an absent feature) and exits;
//! `--train-files` / `--eval-files` then read such files (globs; GZIP by a `.gz` suffix or
//! `--compression GZIP`) through `make_parse_example_spec` + `parse_example`.

use estimator_runtime::feature_column::*;
use estimator_runtime::prelude::*;
use estimator_runtime::premade::*;
use estimator_runtime::tf_optim::TfAdagradConfig;
use std::time::Instant;

#[path = "common/penguins.rs"]
mod penguins;
#[path = "common/penguins_tfrecord.rs"]
mod penguins_tfrecord;

use penguins::*;

/// Premade estimators on the Palmer penguins, from the shipped CSV or from TFRecord files.
#[derive(clap::Parser, Debug)]
#[command(about = "Linear, DNN and wide-and-deep classifiers on the Palmer penguins")]
struct Options {
    /// Steps to train each model.
    #[arg(long, default_value_t = 1000)]
    steps: u64,
    /// Where checkpoints and exports go.
    #[arg(long, default_value = "runs/penguins")]
    model_dir: std::path::PathBuf,
    /// Training data: TFRecord files of tf.Examples matching this glob (default: the CSV's
    /// 80% split). Needs `--eval-files`.
    #[arg(long, requires = "eval_files")]
    train_files: Option<String>,
    /// Test data: TFRecord files matching this glob. Needs `--train-files`.
    #[arg(long, requires = "train_files")]
    eval_files: Option<String>,
    /// The files' compression, as TF names it (`GZIP`, `ZLIB`, `""`); default: GZIP for `.gz`
    /// names, none otherwise.
    #[arg(long)]
    compression: Option<String>,
    /// Write the CSV's train/test split as TFRecord files into this directory, then exit.
    #[arg(long)]
    write_tfrecords: Option<std::path::PathBuf>,
}

/// Trains `config` for `steps` steps and returns the test accuracy.
fn run<C: PremadeConfig>(
    name: &str,
    config: C,
    dir: &std::path::Path,
    train: &FeatureBatch,
    test: &FeatureBatch,
    steps: u64,
) -> Result<f64, Box<dyn std::error::Error>>
where
    C::Features: Clone,
    C::Labels: Clone,
{
    let _ = std::fs::remove_dir_all(dir.join(name));
    let run = RunConfig::default()
        .model_dir(dir.join(name))
        .random_seed(42)
        .log_step_count_steps(100_000);
    let mut est = Premade::new(config, run)?;
    let start = Instant::now();
    let train_batches = batches(&est, train)?;
    est.train(stream(train_batches), TrainArgs::steps(steps))?;
    let secs = start.elapsed().as_secs_f64();
    let test_batches = batches(&est, test)?;
    let eval = est.evaluate(test_batches, EvalArgs::default())?;
    let accuracy = eval.metric("accuracy").unwrap_or(f64::NAN);
    println!(
        "{name:<14} accuracy {accuracy:.3}  average_loss {:.3}  ({steps} steps in {secs:.1} s)",
        eval.metric("average_loss").unwrap_or(f64::NAN)
    );
    Ok(accuracy)
}

/// The `DnnClassifier`'s network, written by hand.
#[derive(Module, Debug)]
struct Mlp {
    hidden: Vec<nn::Linear>,
    logits: nn::Linear,
}

impl Mlp {
    fn new(input: usize, hidden: &[usize], classes: usize, device: &Device) -> Self {
        let mut width = input;
        let mut layers = Vec::new();
        for &h in hidden {
            layers.push(nn::LinearConfig::new(width, h).init(device));
            width = h;
        }
        Mlp {
            hidden: layers,
            logits: nn::LinearConfig::new(width, classes).init(device),
        }
    }
}

/// The plain model_fn: the same layers, loss and optimizer as the premade `DnnClassifier`, and
/// like it, nothing but the loss in TRAIN.
#[model_fn]
fn plain_dnn(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let mut x = features;
    for layer in &model.hidden {
        x = burn::tensor::activation::relu(layer.forward(x));
    }
    let logits = model.logits.forward(x);
    if mode == ModeKeys::Predict {
        let classes = logits.argmax(1).flatten::<1>(0, 1);
        return EstimatorSpec::new(mode).predictions(Predictions::new().with("class_ids", classes));
    }
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits.clone(), labels.clone());
    if mode == ModeKeys::Train {
        let adagrad = TfAdagradConfig::new().with_legacy(true);
        let train_op =
            TrainOp::minimize(loss.clone(), adagrad, TfAdagradConfig::KERAS_LEARNING_RATE);
        return EstimatorSpec::new(mode).loss(loss).train_op(train_op);
    }
    let classes = logits.argmax(1).flatten::<1>(0, 1);
    EstimatorSpec::new(mode)
        .loss(loss)
        .eval_metric_ops(EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)))
}

/// Steps per second of `train` over `steps` steps, best of `rounds`.
fn steps_per_sec(
    rounds: usize,
    steps: u64,
    mut train: impl FnMut(u64) -> Result<(), Error>,
) -> Result<f64, Error> {
    let mut best = 0.0f64;
    for _ in 0..rounds {
        let start = Instant::now();
        train(steps)?;
        best = best.max(steps as f64 / start.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// The premade `DnnClassifier` against `plain_dnn`, on the same encoded batches: the best
/// steps/s of five alternating rounds of `steps` steps each.
fn bench(
    dir: &std::path::Path,
    train: &FeatureBatch,
    steps: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let hidden = [32, 16];
    let config = DnnClassifierConfig::new(dnn_columns(train), hidden).label_vocabulary(SPECIES);
    let _ = std::fs::remove_dir_all(dir.join("bench"));
    let run = |name: &str| {
        RunConfig::default()
            .model_dir(dir.join("bench").join(name))
            .random_seed(1)
            .log_step_count_steps(1_000_000)
    };
    let mut premade = Premade::new(config.clone(), run("premade"))?;
    let data = batches(&premade, train)?;
    let width = config.feature_columns.dense_width();
    let dense: Vec<(Tensor<2>, Tensor<1, Int>)> = data
        .iter()
        .filter_map(|(f, l)| f.dense.clone().map(|d| (d, l.clone())))
        .collect();
    let device = premade.device().clone();
    let mut plain = Estimator::new(
        plain_dnn,
        Mlp::new(width, &hidden, 3, &device),
        run("plain").device(device),
    )?;
    // Warm up both, then alternate rounds.
    premade.train(stream(data.clone()), TrainArgs::steps(50))?;
    plain.train(stream(dense.clone()), TrainArgs::steps(50))?;
    let (mut a, mut b) = (0.0f64, 0.0f64);
    for _ in 0..5 {
        a = a.max(steps_per_sec(1, steps, |n| {
            premade
                .train(stream(data.clone()), TrainArgs::steps(n))
                .map(|_| ())
        })?);
        b = b.max(steps_per_sec(1, steps, |n| {
            plain
                .train(stream(dense.clone()), TrainArgs::steps(n))
                .map(|_| ())
        })?);
    }
    println!(
        "train steps/s: premade DnnClassifier {a:.0}, plain #[model_fn] {b:.0}; ratio {:.3}",
        a / b
    );
    Ok(())
}

/// The train and test tables: from TFRecord files when the options name them, else the CSV.
fn tables(options: &Options) -> Result<(FeatureBatch, FeatureBatch), Box<dyn std::error::Error>> {
    let (Some(train), Some(eval)) = (&options.train_files, &options.eval_files) else {
        return Ok(load()?);
    };
    let compression = match options.compression.as_deref() {
        None => None,
        Some(name) => Some(
            estimator_runtime::data::Compression::from_tf_name(name)
                .ok_or(format!("--compression {name}: expected GZIP, ZLIB or \"\""))?,
        ),
    };
    let spec = penguins_tfrecord::spec(&NUMERIC, &[island(), sex()])?;
    let read = |glob: &str| penguins_tfrecord::read(&[glob], compression, spec.clone());
    Ok((read(train)?, read(eval)?))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = <Options as clap::Parser>::parse();
    let (steps, dir) = (options.steps, options.model_dir.clone());
    if let Some(out) = &options.write_tfrecords {
        let (train, test) = load()?;
        let mut paths = penguins_tfrecord::write(&train, out, "train", 2)?;
        paths.extend(penguins_tfrecord::write(&test, out, "eval", 1)?);
        for path in paths {
            println!("wrote {}", path.display());
        }
        return Ok(());
    }
    let (train, test) = tables(&options)?;
    println!("penguins: {} train / {} test rows", train.len(), test.len());

    let linear = LinearClassifierConfig::new(linear_columns(&train)).label_vocabulary(SPECIES);
    let dnn = DnnClassifierConfig::new(dnn_columns(&train), [32, 16]).label_vocabulary(SPECIES);
    let wide_deep = DnnLinearCombinedClassifierConfig::new(
        linear_columns(&train),
        dnn_columns(&train),
        [32, 16],
    )
    .label_vocabulary(SPECIES);
    let lin = run("linear", linear, &dir, &train, &test, steps)?;
    let deep = run("dnn", dnn, &dir, &train, &test, steps)?;
    let wd = run("wide_and_deep", wide_deep, &dir, &train, &test, steps)?;
    println!("test accuracy: Linear {lin:.3}, DNN {deep:.3}, wide and deep {wd:.3}");

    // Predict the species of three test penguins with the wide-and-deep model's export.
    let wide_deep_dir = dir.join("wide_and_deep");
    let est = DnnLinearCombinedClassifier::from_model_dir(
        RunConfig::default().model_dir(&wide_deep_dir),
    )?;
    let sample = test.select(&[0, 1, 2]).without("species");
    let export = est.export_saved_model(wide_deep_dir.join("export"), &sample)?;
    let served = ServedPremade::<DnnLinearCombinedClassifierConfig>::load(&export, est.device())?;
    let classes = served.config().head.classes().clone();
    for (name, data) in served.predict("serving_default", &sample)? {
        if name == "classes" {
            let ids = data.try_into_vec_as::<i64>().unwrap_or_default();
            println!("exported model: {:?}", classes.names(&ids));
        }
    }
    if let Some(ColumnValues::Str(truth)) = test.select(&[0, 1, 2]).get("species") {
        println!("true species:   {truth:?}");
    }

    bench(&dir, &train, steps.max(3000))?;
    Ok(())
}
