//! The wgpu path: train, evaluate and predict on burn's wgpu backend. Built only with
//! `--features wgpu`; on a machine without a GPU, Mesa's lavapipe (`mesa-vulkan-drivers`)
//! provides the Vulkan device, as `.ci/run` installs it. A missing device fails loudly.

#![cfg(feature = "wgpu")]

mod common;

use common::*;
use estimator_runtime::prelude::*;

fn wgpu_device() -> Device {
    let device = Device::wgpu(burn::tensor::DeviceKind::DefaultDevice);
    let probe = std::panic::catch_unwind(|| {
        let t = Tensor::<1>::from_data([1.0f32, 2.0], &device);
        t.sum().into_scalar::<f32>()
    });
    match probe {
        Ok(3.0) => device,
        other => panic!(
            "\n\n*** NO WGPU DEVICE: the wgpu test cannot run ({other:?}).\n*** Install a Vulkan driver (Debian: `apt-get install mesa-vulkan-drivers`) and rerun.\n"
        ),
    }
}

#[test]
fn trains_evaluates_and_predicts_on_wgpu() -> Result<(), Error> {
    let device = wgpu_device();
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let rows = iris();
    let config = RunConfig::default()
        .model_dir(dir.path())
        .device(device.clone())
        .log_step_count_steps(0);
    let mut est = Estimator::new(iris_classifier, Net::new(&device), config)?;
    est.train(
        stream(rows.clone(), 16, device.clone()),
        TrainArgs::steps(150),
    )?;
    let results = est.evaluate(vec![batch(&rows, &device)], EvalArgs::default())?;
    let accuracy = results.metric("accuracy").unwrap_or(0.0);
    assert!(accuracy > 0.85, "wgpu iris accuracy {accuracy}");
    let (features, _) = batch(&rows[..4], &device);
    assert_eq!(est.predict([features], PredictArgs::default())?.count(), 4);
    Ok(())
}
