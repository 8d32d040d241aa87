//! Peak memory of `Estimator::predict` over a large input (issue 22): 1M rows, streamed in
//! batches of 1,000 from a lazy input after one warm-up batch, each prediction's class kept as an `i64` (the output:
//! 8 MB). Prints the peak RSS (`VmHWM`) before and after, and the growth over the output's
//! size. `predict-rss collect` keeps every `Prediction` instead, to show what holding them costs.
//!
//! `cargo run --release --bin predict-rss [-- collect] [rows]` (BENCHMARKS.md). Linux only
//! (`/proc/self/status`).

use estimator_runtime::prelude::*;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Module, Debug)]
struct Mlp {
    hidden: nn::Linear,
    output: nn::Linear,
}

#[model_fn(modes(predict))]
fn classifier(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.output.forward(burn::tensor::activation::relu(
        model.hidden.forward(features),
    ));
    let classes = logits.argmax(1).flatten::<1>(0, 1);
    EstimatorSpec::new(mode).predictions(Predictions::new().with("class", classes))
}

/// The process's peak resident set size in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let collect = args.iter().any(|a| a == "collect");
    let rows: usize = args
        .iter()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let batch = 1_000;
    #[allow(deprecated)]
    let device = Device::ndarray();
    let model = Mlp {
        hidden: nn::LinearConfig::new(4, 16).init(&device),
        output: nn::LinearConfig::new(16, 3).init(&device),
    };
    let dir = std::env::temp_dir().join(format!("predict-rss-{}", std::process::id()));
    let config = RunConfig::default().model_dir(&dir).device(device.clone());
    let est = Estimator::new(classifier, model, config)?;
    let input = (0..rows.div_ceil(batch)).map(|b| {
        let n = batch.min(rows - b * batch);
        let x: Vec<f32> = (0..n * 4).map(|i| ((i + b) % 97) as f32 / 97.0).collect();
        Tensor::<2>::from_data(TensorData::new(x, [n, 4]), &device)
    });
    // One batch first, so that burn's one-time set-up (thread pool, kernels) is not counted.
    let warm = Tensor::<2>::from_data(
        TensorData::new(vec![0.5f32; batch * 4], [batch, 4]),
        &device,
    );
    for prediction in est.predict([warm], PredictArgs::default())? {
        prediction?;
    }
    let before = peak_rss();
    let mut classes: Vec<i64> = Vec::with_capacity(rows);
    let mut kept = Vec::new();
    for prediction in est.predict(input, PredictArgs::default())? {
        let prediction = prediction?;
        classes.push(prediction.scalar("class").unwrap_or(-1.0) as i64);
        if collect {
            kept.push(prediction);
        }
    }
    let after = peak_rss();
    let output = (classes.len() * std::mem::size_of::<i64>()) as u64;
    let growth = after.saturating_sub(before);
    println!(
        "rows {} ({}): peak RSS before predict {:.1} MiB, after {:.1} MiB; growth {:.1} MiB for an output of {:.1} MiB ({:.2}x)",
        classes.len(),
        if collect {
            "every Prediction kept"
        } else {
            "streamed"
        },
        before as f64 / 1048576.0,
        after as f64 / 1048576.0,
        growth as f64 / 1048576.0,
        output as f64 / 1048576.0,
        growth as f64 / output.max(1) as f64
    );
    drop(kept);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
