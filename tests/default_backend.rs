//! No result changes from the faster default path (issue 26): an `Estimator` on burn's default
//! device (flex with gemm's AVX-512 kernels when the `flex` feature is on) trains a model to the
//! same weights as the old path, a hand-written burn loop with burn's Adam on ndarray, within
//! float tolerance (the two matmul libraries sum in different orders).

#![cfg(all(feature = "ndarray", feature = "flex"))]
// burn 0.22 deprecates its ndarray backend; it is the old path compared against here.
#![allow(deprecated)]

use burn::module::Param;
use burn::optim::GradientsParams;
use estimator_runtime::prelude::*;

const INPUTS: usize = 64;
const HIDDEN: usize = 128;
const CLASSES: usize = 10;
const BATCH: usize = 32;
const BATCHES: usize = 8;
const STEPS: u64 = 30;
const LEARNING_RATE: f64 = 1e-2;

#[derive(Module, Debug)]
struct Net {
    hidden: nn::Linear,
    output: nn::Linear,
}

impl Net {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.output
            .forward(burn::tensor::activation::relu(self.hidden.forward(x)))
    }
}

#[model_fn]
fn classifier(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
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

/// Deterministic values in about [-1, 1], the same on every backend.
fn values(n: usize, salt: f32) -> Vec<f32> {
    (0..n).map(|i| (i as f32 * 0.7318 + salt).sin()).collect()
}

/// The initial weights, built from the same host values on `device`.
fn initial_net(device: &Device) -> Net {
    let linear = |inputs: usize, outputs: usize, salt: f32| {
        let scale = 1.0 / (inputs as f32).sqrt();
        let w: Vec<f32> = values(inputs * outputs, salt)
            .iter()
            .map(|v| v * scale)
            .collect();
        let b = values(outputs, salt + 1.0);
        let mut l = nn::LinearConfig::new(inputs, outputs).init(device);
        l.weight = Param::from_tensor(Tensor::from_data(
            TensorData::new(w, [inputs, outputs]),
            device,
        ));
        l.bias = Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(b, [outputs]),
            device,
        )));
        l
    };
    Net {
        hidden: linear(INPUTS, HIDDEN, 0.1),
        output: linear(HIDDEN, CLASSES, 0.2),
    }
}

fn batches(device: &Device) -> Vec<(Tensor<2>, Tensor<1, Int>)> {
    (0..BATCHES)
        .map(|b| {
            let x = values(BATCH * INPUTS, b as f32 * 3.3);
            let y: Vec<i64> = (0..BATCH).map(|i| ((i * 7 + b) % CLASSES) as i64).collect();
            (
                Tensor::from_data(TensorData::new(x, [BATCH, INPUTS]), device),
                Tensor::from_data(TensorData::new(y, [BATCH]), device),
            )
        })
        .collect()
}

fn weights(net: &Net) -> Vec<f32> {
    let biases = [&net.hidden.bias, &net.output.bias].map(|b| b.as_ref().map(|p| p.val()));
    [net.hidden.weight.val(), net.output.weight.val()]
        .into_iter()
        .map(|w| w.flatten::<1>(0, 1))
        .chain(biases.into_iter().flatten())
        .flat_map(|t| t.into_data().try_to_vec::<f32>().expect("f32 parameters"))
        .collect()
}

/// The old default path: burn's Adam in a hand loop on ndarray.
fn hand_loop_on_ndarray() -> Vec<f32> {
    let device = Device::ndarray().autodiff();
    let mut model = initial_net(&device);
    let mut optim = AdamConfig::new().init();
    let loss_fn = CrossEntropyLossConfig::new().init(&device);
    for (x, y) in batches(&device).into_iter().cycle().take(STEPS as usize) {
        let loss = loss_fn.forward(model.forward(x), y);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(LEARNING_RATE, model, grads);
    }
    weights(&model)
}

/// The new default path: the Estimator on burn's default device.
fn estimator_on_default_device() -> Result<Vec<f32>, Error> {
    let device = Device::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = RunConfig::default()
        .model_dir(dir.path())
        .log_step_count_steps(0);
    let mut est = Estimator::new(classifier, initial_net(&device), config)?;
    est.train(
        batches(&device).into_iter().cycle(),
        TrainArgs::steps(STEPS),
    )?;
    Ok(weights(est.model().expect("a resident model")))
}

/// Largest `|a - b| / (|b| + 1e-3)` over the elements.
fn max_relative_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "the same parameters");
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b).abs() / (b.abs() + 1e-3))
        .fold(0.0, f32::max)
}

#[test]
fn the_default_device_is_flex() {
    assert_eq!(Device::default(), Device::flex());
}

#[test]
fn default_path_trains_to_the_weights_of_the_old_ndarray_path() -> Result<(), Error> {
    let old = hand_loop_on_ndarray();
    let new = estimator_on_default_device()?;
    let initial = weights(&initial_net(&Device::ndarray()));
    let difference = max_relative_difference(&new, &old);
    let moved = max_relative_difference(&initial, &old);
    assert!(
        difference < 1e-3,
        "new default path vs old: max relative difference {difference}"
    );
    assert!(moved > 0.1, "training moved the weights ({moved})");
    Ok(())
}
