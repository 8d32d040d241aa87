//! Shared fixtures: smartcore's iris data set and a small classifier model_fn.

#![allow(dead_code)]

pub mod ckpt;
pub mod tf;

use estimator_runtime::prelude::*;

/// A one-hidden-layer classifier.
#[derive(Module, Debug)]
pub struct Net {
    pub hidden: nn::Linear,
    pub output: nn::Linear,
}

impl Net {
    pub fn new(device: &Device) -> Net {
        Net {
            hidden: nn::LinearConfig::new(4, 16).init(device),
            output: nn::LinearConfig::new(16, 3).init(device),
        }
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.output
            .forward(burn::tensor::activation::relu(self.hidden.forward(x)))
    }
}

#[model_fn]
pub fn iris_classifier(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let predictions = Predictions::new()
        .with("class", classes.clone())
        .with("logits", logits.clone());
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(predictions);
    }
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.clone());
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), AdamConfig::new(), 0.02));
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        eval_metric_ops: EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)),
        ..EstimatorSpec::new(mode)
    }
}

/// `iris_classifier` with plain SGD on a linear learning-rate schedule (0.1 at step 1, down by
/// 0.0045 a step to 0.01 at step 21), for the resume and fast-forward tests.
#[model_fn]
pub fn scheduled(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let predictions = Predictions::new().with("logits", logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    // 0.1 at step 1, down by 0.0045 a step to 0.01 at step 21.
    let schedule = burn::optim::lr_scheduler::linear::LinearLrSchedulerConfig::new(0.1, 0.01, 20)
        .init()
        .expect("a valid schedule");
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), schedule));
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

pub type Batch = (Tensor<2>, Tensor<1, Int>);

/// Iris, standardised per feature, as (features, label) rows.
pub fn iris() -> Vec<(Vec<f32>, i64)> {
    let ds = smartcore::dataset::iris::load_dataset();
    let f = ds.num_features;
    let rows: Vec<Vec<f32>> = (0..ds.num_samples)
        .map(|i| ds.data[i * f..(i + 1) * f].to_vec())
        .collect();
    let mean: Vec<f32> = (0..f)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f32>() / rows.len() as f32)
        .collect();
    let std: Vec<f32> = (0..f)
        .map(|j| {
            (rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f32>() / rows.len() as f32).sqrt()
        })
        .collect();
    rows.into_iter()
        .zip(&ds.target)
        .map(|(r, &t)| {
            (
                r.iter()
                    .enumerate()
                    .map(|(j, v)| (v - mean[j]) / std[j])
                    .collect(),
                t as i64,
            )
        })
        .collect()
}

pub fn batch(rows: &[(Vec<f32>, i64)], device: &Device) -> Batch {
    let x: Vec<f32> = rows.iter().flat_map(|r| r.0.iter().copied()).collect();
    let y: Vec<i64> = rows.iter().map(|r| r.1).collect();
    (
        Tensor::from_data(TensorData::new(x, [rows.len(), 4]), device),
        Tensor::from_data(TensorData::new(y, [rows.len()]), device),
    )
}

/// The spec of a classifier's `logits`: `logits` predictions, the mean cross-entropy (TF's
/// `sparse_softmax_cross_entropy` with `SUM_OVER_BATCH_SIZE`) and, in TRAIN, `optimizer` at
/// `learning_rate`. For test model_fns whose network is the point (a dropout, a batch norm, a
/// renamed layer, TF's layers); the macro leaves a spec built here to the runtime check.
pub fn logits_spec(
    mode: ModeKeys,
    logits: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    optimizer: impl estimator_runtime::OptimizerConfig,
    learning_rate: f64,
) -> EstimatorSpec {
    let predictions = Predictions::new().with("logits", logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), optimizer, learning_rate));
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

/// [`logits_spec`] with plain SGD at 0.1.
pub fn sgd_logits_spec(
    mode: ModeKeys,
    logits: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
) -> EstimatorSpec {
    logits_spec(mode, logits, labels, SgdConfig::new(), 0.1)
}

/// A deterministic endless stream of batches: epoch `e` visits rows in an order fixed by `e`.
pub fn stream(
    rows: Vec<(Vec<f32>, i64)>,
    batch_size: usize,
    device: Device,
) -> impl Iterator<Item = Batch> {
    (0u64..).flat_map(move |epoch| {
        let n = rows.len();
        let order: Vec<usize> = (0..n).map(|i| (i * 7 + epoch as usize * 13) % n).collect();
        let batches: Vec<Batch> = order
            .chunks(batch_size)
            .map(|idx| {
                let picked: Vec<(Vec<f32>, i64)> = idx.iter().map(|&i| rows[i].clone()).collect();
                batch(&picked, &device)
            })
            .collect();
        batches
    })
}

#[allow(deprecated)]
pub fn device() -> Device {
    Device::ndarray()
}

/// Every parameter of the model, as raw f32 values. Panics if a tensor does not convert or the
/// model has no parameters, so that "equal weights" never holds for two empty vectors.
pub fn weights(net: &Net) -> Vec<f32> {
    let mut tensors = vec![
        net.hidden.weight.val().flatten::<1>(0, 1),
        net.output.weight.val().flatten::<1>(0, 1),
    ];
    tensors.extend(
        [&net.hidden.bias, &net.output.bias]
            .into_iter()
            .flatten()
            .map(|b| b.val()),
    );
    let out: Vec<f32> = tensors
        .into_iter()
        .flat_map(|t| {
            t.into_data()
                .try_into_vec_as::<f32>()
                .expect("parameters convert to f32")
        })
        .collect();
    assert!(!out.is_empty(), "the model has parameters");
    out
}

pub fn config(dir: &std::path::Path) -> RunConfig {
    // The fixtures' device: burn's default device is flex when that feature is on.
    RunConfig::default()
        .device(device())
        .model_dir(dir)
        .random_seed(7)
        .log_step_count_steps(0)
}
