//! Serving benchmark (BENCHMARKS.md): requests/s and p50/p99 latency of REST `:predict` over
//! loopback with 1, 16 and 64 concurrent clients, batching off and on, on the digits MLP
//! (64 → 64 → 10, one 64-pixel instance per request), and the in-process
//! `ExportedModel::predict` of the same instance as the baseline for the HTTP overhead.
//!
//! `cargo bench -p estimator-serving --bench serving` (`SERVING_BENCH_SECS` per cell, default 3).

use estimator_runtime::prelude::*;
use estimator_runtime::{ExportOutput, ExportOutputs, ExportedModel};
use estimator_serving::{BatchingParameters, ServerBuilder, exported_loader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The digits example's network.
#[derive(Module, Debug)]
struct Mlp {
    hidden: nn::Linear,
    output: nn::Linear,
}

impl Mlp {
    fn new(device: &Device) -> Self {
        Mlp {
            hidden: nn::LinearConfig::new(64, 64).init(device),
            output: nn::LinearConfig::new(64, 10).init(device),
        }
    }
}

#[model_fn]
fn digits(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.output.forward(burn::tensor::activation::relu(
        model.hidden.forward(features),
    ));
    let probabilities = burn::tensor::activation::softmax(logits.clone(), 1);
    let predictions = Predictions::new().with("probabilities", probabilities);
    let export_outputs = ExportOutputs::new().with(
        "serving_default",
        ExportOutput::Predict(predictions.clone()),
    );
    let loss = logits.mean();
    EstimatorSpec {
        export_outputs,
        ..EstimatorSpec::new(mode)
            .predictions(predictions)
            .loss(loss.clone())
            .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
    }
}

fn pixels() -> Vec<f32> {
    (0..64).map(|i| (i % 17) as f32 / 16.0).collect()
}

fn features(device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(pixels(), [1, 64]), device)
}

struct Stats {
    requests_per_sec: f64,
    p50_us: f64,
    p99_us: f64,
}

fn stats(mut latencies: Vec<Duration>, elapsed: Duration) -> Stats {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e6)
    };
    Stats {
        requests_per_sec: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_us: at(0.5),
        p99_us: at(0.99),
    }
}

fn in_process(dir: &std::path::Path, seconds: Duration) -> Stats {
    let device = Device::default();
    let model = ExportedModel::load(dir, digits, Mlp::new(&device)).expect("load");
    let mut latencies = Vec::new();
    let started = Instant::now();
    while started.elapsed() < seconds {
        let t = Instant::now();
        let out = model
            .predict("serving_default", features(&device))
            .expect("predict");
        std::hint::black_box(out);
        latencies.push(t.elapsed());
    }
    stats(latencies, started.elapsed())
}

fn load(addr: SocketAddr, clients: usize, seconds: Duration) -> Stats {
    let url = format!("http://{addr}/v1/models/digits:predict");
    let body = serde_json::json!({ "instances": [pixels()] }).to_string();
    let started = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                let (url, body) = (&url, &body);
                scope.spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(true)
                        .build()
                        .into();
                    let mut latencies = Vec::new();
                    while started.elapsed() < seconds {
                        let t = Instant::now();
                        let answer = agent
                            .post(url)
                            .header("content-type", "application/json")
                            .send(body.as_bytes());
                        let text = answer
                            .expect("an answer")
                            .body_mut()
                            .read_to_string()
                            .expect("a body");
                        assert!(text.starts_with("{\"predictions\""), "{text}");
                        latencies.push(t.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("client"))
            .collect()
    });
    stats(latencies, started.elapsed())
}

fn main() {
    let seconds = Duration::from_secs(
        std::env::var("SERVING_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3),
    );
    let base = tempfile::tempdir().expect("base");
    let model_dir = tempfile::tempdir().expect("model dir");
    let device = Device::default();
    let est = Estimator::new(
        digits,
        Mlp::new(&device),
        RunConfig::default().model_dir(model_dir.path()),
    )
    .expect("estimator");
    let dir = est.export(base.path(), features(&device)).expect("export");
    let baseline = in_process(&dir, seconds);
    println!(
        "in-process ExportedModel::predict (1 row): p50 {:.0} µs, p99 {:.0} µs",
        baseline.p50_us, baseline.p99_us
    );
    println!("| batching | clients | requests/s | p50 (µs) | p99 (µs) |\n|---|---|---|---|---|");
    let mut rps = Vec::new();
    for batching in [false, true] {
        let mut builder = ServerBuilder::new()
            .host(IpAddr::V4(Ipv4Addr::LOCALHOST))
            .rest_port(0)
            .model("digits", base.path(), exported_loader(digits, Mlp::new));
        if batching {
            builder = builder.batching(BatchingParameters {
                max_batch_size: 64,
                batch_timeout: Duration::from_micros(500),
                max_enqueued_batches: 100,
                num_batch_threads: 1,
            });
        }
        let server = builder.start().expect("start");
        let addr = server.rest_addr().expect("REST");
        for clients in [1, 16, 64] {
            let s = load(addr, clients, seconds);
            println!(
                "| {} | {clients} | {:.0} | {:.0} | {:.0} |",
                if batching { "on" } else { "off" },
                s.requests_per_sec,
                s.p50_us,
                s.p99_us
            );
            rps.push(((batching, clients), s));
        }
        server.shutdown().expect("shutdown");
    }
    let find = |key: (bool, usize)| rps.iter().find(|(k, _)| *k == key).map(|(_, s)| s);
    if let (Some(off), Some(on), Some(one)) =
        (find((false, 64)), find((true, 64)), find((false, 1)))
    {
        println!(
            "batching at 64 clients: {:.2}x the requests/s of no batching",
            on.requests_per_sec / off.requests_per_sec
        );
        println!(
            "REST p50 at 1 client: {:.0} µs = in-process p50 {:.0} µs + {:.0} µs ({:.2}x)",
            one.p50_us,
            baseline.p50_us,
            one.p50_us - baseline.p50_us,
            one.p50_us / baseline.p50_us
        );
    }
}
