//! Regression on linfa's embedded diabetes data set (442 patients, 10 features): an MLP with
//! `ExportOutput::Regression`, MSE/MAE metrics, `train_and_evaluate`, and an export read back by
//! `ExportedModel`. Prints the test MAE against a mean predictor's.
//!
//! ```text
//! cargo run --release --example diabetes -- [--model-dir DIR]
//! ```

use estimator_runtime::hooks::EarlyStopping;
use estimator_runtime::prelude::*;
use estimator_runtime::{EvalSpec, ExportedModel, TrainSpec, train_and_evaluate};

/// mimalloc instead of glibc's malloc: burn frees and reallocates the same large buffers every
/// step, and glibc's dynamic mmap threshold hands them back to the kernel and faults them in
/// again. Binaries choose the allocator; the library never does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A small MLP with one output.
#[derive(Module, Debug)]
pub struct Regressor {
    hidden: nn::Linear,
    output: nn::Linear,
}

impl Regressor {
    fn new(device: &Device) -> Self {
        Regressor {
            hidden: nn::LinearConfig::new(10, 32).init(device),
            output: nn::LinearConfig::new(32, 1).init(device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<1> {
        let h = burn::tensor::activation::relu(self.hidden.forward(x));
        self.output.forward(h).flatten::<1>(0, 1)
    }
}

/// How targets were scaled, so that metrics are reported in the data set's units.
pub struct Scale {
    mean: f32,
    std: f32,
}

#[model_fn]
fn regressor(
    model: &Regressor,
    features: Tensor<2>,
    labels: Option<Tensor<1>>,
    mode: ModeKeys,
    params: &Scale,
) -> EstimatorSpec {
    let scaled = model.forward(features);
    let value = scaled.clone() * params.std + params.mean;
    let predictions = Predictions::new().with("value", value.clone());
    let export_outputs = ExportOutputs::new().with(
        "regression",
        ExportOutput::Regression {
            value: value.clone(),
        },
    );
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode)
            .predictions(predictions)
            .export_outputs(export_outputs);
    }
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let target = (labels.clone() - params.mean) / params.std;
    let loss = (scaled - target).square().mean();
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), AdamConfig::new(), 3e-3));
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        eval_metric_ops: EvalMetricOps::new()
            .with(
                "mae",
                metrics::mean_absolute_error(labels.clone(), value.clone()),
            )
            .with("rmse", metrics::root_mean_squared_error(labels, value)),
        export_outputs,
        ..EstimatorSpec::new(mode)
    }
}

type Rows = Vec<(Vec<f32>, f32)>;

/// Standardised features, raw targets, split 80/20 by a fixed permutation.
fn load() -> (Rows, Rows) {
    let ds = linfa_datasets::diabetes();
    let (x, y) = (ds.records(), ds.targets());
    let (n, f) = (x.nrows(), x.ncols());
    let mean: Vec<f64> = (0..f).map(|j| x.column(j).sum() / n as f64).collect();
    let std: Vec<f64> = (0..f)
        .map(|j| {
            (x.column(j)
                .iter()
                .map(|v| (v - mean[j]).powi(2))
                .sum::<f64>()
                / n as f64)
                .sqrt()
        })
        .collect();
    let rows: Rows = (0..n)
        .map(|i| {
            (
                (0..f)
                    .map(|j| ((x[[i, j]] - mean[j]) / std[j]) as f32)
                    .collect(),
                y[i] as f32,
            )
        })
        .collect();
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, row) in rows.into_iter().enumerate() {
        if (i * 7919) % 10 < 2 {
            test.push(row)
        } else {
            train.push(row)
        }
    }
    (train, test)
}

fn batch(rows: &[(Vec<f32>, f32)], device: &Device) -> (Tensor<2>, Tensor<1>) {
    let x: Vec<f32> = rows.iter().flat_map(|r| r.0.iter().copied()).collect();
    let y: Vec<f32> = rows.iter().map(|r| r.1).collect();
    (
        Tensor::from_data(TensorData::new(x, [rows.len(), 10]), device),
        Tensor::from_data(TensorData::new(y, [rows.len()]), device),
    )
}

fn train_stream(rows: Rows, device: Device) -> impl Iterator<Item = (Tensor<2>, Tensor<1>)> {
    (0usize..).flat_map(move |epoch| {
        let n = rows.len();
        let order: Vec<usize> = (0..n).map(|i| (i * 37 + epoch * 11) % n).collect();
        let batches: Vec<_> = order
            .chunks(32)
            .map(|idx| {
                batch(
                    &idx.iter().map(|&i| rows[i].clone()).collect::<Vec<_>>(),
                    &device,
                )
            })
            .collect();
        batches
    })
}

/// Regression on linfa's diabetes data set.
#[derive(clap::Parser, Debug)]
#[command(
    about = "Regression on linfa's diabetes data set with an Estimator; a second run resumes"
)]
struct Options {
    /// Where checkpoints, summaries and exports go.
    #[arg(long, default_value = "runs/diabetes")]
    model_dir: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    estimator_runtime::logging::init();
    let model_dir = <Options as clap::Parser>::parse().model_dir;
    let device = Device::default();
    let (train, test) = load();
    let train_mean = train.iter().map(|r| r.1).sum::<f32>() / train.len() as f32;
    let train_std = (train
        .iter()
        .map(|r| (r.1 - train_mean).powi(2))
        .sum::<f32>()
        / train.len() as f32)
        .sqrt();
    let baseline_mae =
        test.iter().map(|r| (r.1 - train_mean).abs()).sum::<f32>() / test.len() as f32;
    println!(
        "diabetes: {} train / {} test patients",
        train.len(),
        test.len()
    );

    let config = RunConfig::default()
        .model_dir(&model_dir)
        .device(device.clone())
        .random_seed(1)
        .log_step_count_steps(500);
    let mut estimator =
        Estimator::new(regressor, Regressor::new(&device), config)?.with_params(Scale {
            mean: train_mean,
            std: train_std,
        });
    let estimator_start = estimator.global_step();
    let test_for_eval = test.clone();
    let eval_device = device.clone();
    let result = train_and_evaluate(
        &mut estimator,
        TrainSpec::new(
            train_stream(train, device.clone()),
            Some(estimator_start + 2000),
        ),
        EvalSpec::new(move || vec![batch(&test_for_eval, &eval_device)])
            .throttle_steps(250)
            .early_stopping(EarlyStopping::no_decrease("mae", 500)),
    )?;
    let eval = result.last_eval.ok_or("no evaluation ran")?;
    let mae = eval.metric("mae").unwrap_or(f64::NAN);
    println!(
        "test MAE {mae:.2} (mean predictor {baseline_mae:.2}, ratio {:.2}); RMSE {:.2}",
        mae / baseline_mae as f64,
        eval.metric("rmse").unwrap_or(f64::NAN)
    );

    let (features, labels) = batch(&test[..5], &device);
    let export_dir = estimator.export(
        std::path::Path::new(&model_dir).join("export"),
        features.clone(),
    )?;
    let served =
        ExportedModel::load(&export_dir, regressor, Regressor::new(&device))?.with_params(Scale {
            mean: train_mean,
            std: train_std,
        });
    let outputs = served.predict("serving_default", features)?;
    let values = outputs
        .first()
        .map(|(_, d)| d.clone().try_into_vec_as::<f32>().unwrap_or_default())
        .unwrap_or_default();
    let labels = labels
        .into_data()
        .try_into_vec_as::<f32>()
        .unwrap_or_default();
    for (v, l) in values.iter().zip(&labels) {
        println!("exported model predicts {v:.1} for a patient whose target is {l:.0}");
    }
    Ok(())
}
