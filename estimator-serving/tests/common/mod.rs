//! Shared by the serving tests: a small dense classifier, its exports, a server on an
//! OS-picked port of 127.0.0.1, and a plain HTTP client.
#![allow(dead_code)]

use estimator_runtime::prelude::*;
use estimator_runtime::{ExportOutput, ExportOutputs, ExportedModel};
use estimator_serving::{RunningServer, ServerBuilder, exported_loader};
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const INPUTS: usize = 4;
pub const CLASSES: usize = 3;

/// A two-layer perceptron.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: nn::Linear,
    output: nn::Linear,
}

impl Mlp {
    pub fn new(device: &Device) -> Self {
        Mlp {
            hidden: nn::LinearConfig::new(INPUTS, 8).init(device),
            output: nn::LinearConfig::new(8, CLASSES).init(device),
        }
    }
}

/// Predicts class probabilities: `serving_default` (predict: `class`, `probabilities`) and
/// `classification` (classify: `scores`, `classes`).
#[model_fn]
pub fn classifier(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.output.forward(burn::tensor::activation::relu(
        model.hidden.forward(features),
    ));
    let probabilities = burn::tensor::activation::softmax(logits.clone(), 1);
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let predictions = Predictions::new()
        .with("class", classes.clone())
        .with("probabilities", probabilities.clone());
    let export_outputs = ExportOutputs::new()
        .with(
            "serving_default",
            ExportOutput::Predict(predictions.clone()),
        )
        .with(
            "classification",
            ExportOutput::Classification {
                scores: Some(probabilities),
                classes: Some(classes),
            },
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

pub fn device() -> Device {
    Device::default()
}

/// `n` examples of `INPUTS` features, deterministic, each a multiple of 1/8 (exact in JSON).
pub fn rows(n: usize, salt: f32) -> Vec<Vec<f32>> {
    (0..n)
        .map(|i| {
            (0..INPUTS)
                .map(|j| ((i * 7 + j * 3) % 17) as f32 / 8.0 - 1.0 + salt)
                .collect()
        })
        .collect()
}

pub fn tensor(rows: &[Vec<f32>]) -> Tensor<2> {
    let flat: Vec<f32> = rows.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), INPUTS]), &device())
}

/// Exports a freshly initialized model (random weights) under `base`; returns its directory.
pub fn export_fresh(base: &Path) -> PathBuf {
    let model_dir = tempfile::tempdir().expect("model dir");
    let est = Estimator::new(
        classifier,
        Mlp::new(&device()),
        RunConfig::default().model_dir(model_dir.path()),
    )
    .expect("estimator");
    est.export(base, tensor(&rows(4, 0.0))).expect("export")
}

/// What `ExportedModel::predict` gives for `rows` on the export in `dir`.
pub fn in_process(dir: &Path, signature: &str, rows: &[Vec<f32>]) -> Vec<(String, TensorData)> {
    let model = ExportedModel::load(dir, classifier, Mlp::new(&device())).expect("load");
    model.predict(signature, tensor(rows)).expect("predict")
}

/// A server of `base` as model `m`, REST on 127.0.0.1 at a port the OS picks.
pub fn serve(base: &Path, builder: ServerBuilder) -> RunningServer {
    builder
        .host(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .rest_port(0)
        .poll_wait(Duration::from_millis(50))
        .model("m", base, exported_loader(classifier, Mlp::new))
        .start()
        .expect("start")
}

/// A plain HTTP client that reports 4xx/5xx as answers, not errors.
pub struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    pub fn new(server: &RunningServer) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build();
        Client {
            agent: config.into(),
            base: format!("http://{}", server.rest_addr().expect("REST")),
        }
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let response = self.agent.get(format!("{}{path}", self.base)).call();
        read(response)
    }

    pub fn post(&self, path: &str, body: impl AsRef<[u8]>) -> (u16, Value) {
        let response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .send(body.as_ref());
        read(response)
    }
}

fn read(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> (u16, Value) {
    let mut response = response.expect("an HTTP answer");
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().expect("a body");
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

/// The f32 values of a JSON list of numbers (nested lists flattened).
pub fn floats(value: &Value) -> Vec<f32> {
    match value {
        Value::Array(items) => items.iter().flat_map(floats).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap_or(f64::NAN) as f32],
        _ => vec![f32::NAN],
    }
}

/// The f32 values of an output tensor.
pub fn output_floats(outputs: &[(String, TensorData)], name: &str) -> Vec<f32> {
    let data = &outputs.iter().find(|(n, _)| n == name).expect("output").1;
    data.try_to_vec_as::<f32>().expect("floats")
}

pub fn instances(rows: &[Vec<f32>]) -> String {
    serde_json::json!({ "instances": rows }).to_string()
}

/// Waits until `check` holds (polls every 20 ms, up to 30 s).
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// POSTs `body` over a raw connection, writing on another thread while reading the answer: a
/// server may answer 413 and close before a large body is sent, which a client that writes the
/// whole body first sees as a broken pipe.
pub fn post_raw(server: &RunningServer, path: &str, body: Vec<u8>) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect(server.rest_addr().expect("REST")).expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let mut writer = stream.try_clone().expect("clone");
    let sending = std::thread::spawn(move || {
        let _ = writer
            .write_all(head.as_bytes())
            .and_then(|()| writer.write_all(&body));
    });
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&chunk[..n]);
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    let _ = sending.join();
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let json = text
        .split("\r\n\r\n")
        .nth(1)
        .and_then(|b| serde_json::from_str(b).ok());
    (status, json.unwrap_or(Value::Null))
}
