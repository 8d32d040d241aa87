//! Premade exports served with no user code (`load_premade`): feature-column inputs by name,
//! `:classify` with the label vocabulary, `:regress`, and errors that name the feature.

mod common;

use common::{Client, floats, output_floats};
use estimator_runtime::feature_column::*;
use estimator_runtime::prelude::*;
use estimator_runtime::premade::*;
use estimator_serving::{ServerBuilder, load_premade};
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;

const COLOURS: [&str; 3] = ["red", "green", "blue"];

fn columns() -> FeatureColumns {
    FeatureColumns::new([
        numeric_column("x1").into(),
        indicator_column(categorical_column_with_vocabulary_list("colour", COLOURS)),
    ])
}

fn sample() -> FeatureBatch {
    FeatureBatch::new(3)
        .with("x1", ColumnValues::Float(vec![0.5, -1.0, 0.25]))
        .with(
            "colour",
            ColumnValues::Str(["red", "blue", "green"].map(String::from).to_vec()),
        )
}

fn examples() -> serde_json::Value {
    json!([{"x1": 0.5, "colour": "red"}, {"x1": -1.0, "colour": "blue"}, {"x1": 0.25, "colour": "green"}])
}

fn serve(base: &Path) -> estimator_serving::RunningServer {
    ServerBuilder::new()
        .host(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .rest_port(0)
        .model(
            "p",
            base,
            Arc::new(|dir: &Path| load_premade(dir, &Device::default())),
        )
        .start()
        .expect("start")
}

#[test]
fn a_premade_classifier_classifies_with_its_label_vocabulary() {
    let model_dir = tempfile::tempdir().expect("model dir");
    let base = tempfile::tempdir().expect("base");
    let config = DnnClassifierConfig::new(columns(), [8]).label_vocabulary(["low", "mid", "high"]);
    let est = DnnClassifier::new(config, RunConfig::default().model_dir(model_dir.path()))
        .expect("estimator");
    let dir = est
        .export_saved_model(base.path(), &sample())
        .expect("export");
    let served =
        ServedPremade::<DnnClassifierConfig>::load(&dir, &Device::default()).expect("load");
    let expected = output_floats(
        &served
            .predict("serving_default", &sample())
            .expect("predict"),
        "scores",
    );
    let server = serve(base.path());
    let client = Client::new(&server);

    let (status, answer) = client.post(
        "/v1/models/p:classify",
        json!({"examples": examples()}).to_string(),
    );
    assert_eq!(status, 200, "{answer}");
    let result = answer["result"].as_array().expect("result");
    let labels: Vec<&str> = result[0]
        .as_array()
        .expect("pairs")
        .iter()
        .filter_map(|p| p[0].as_str())
        .collect();
    assert_eq!(labels, ["low", "mid", "high"]);
    let scores: Vec<f32> = result
        .iter()
        .flat_map(|e| {
            e.as_array()
                .into_iter()
                .flatten()
                .flat_map(|p| floats(&p[1]))
        })
        .collect();
    assert_eq!(scores, expected);

    let (status, answer) = client.post(
        "/v1/models/p:predict",
        json!({"signature_name": "predict", "instances": examples()}).to_string(),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["predictions"].as_array().map(Vec::len), Some(3));

    let (status, answer) = client.post(
        "/v1/models/p:classify",
        json!({"examples": [{"x1": 1.0}]}).to_string(),
    );
    assert_eq!(status, 400);
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("`colour`")),
        "{answer}"
    );

    let (_, metadata) = client.get("/v1/models/p/metadata");
    let inputs =
        &metadata["metadata"]["signature_def"]["signature_def"]["serving_default"]["inputs"];
    assert_eq!(inputs["x1"]["dtype"], "DT_FLOAT");
    assert_eq!(inputs["colour"]["dtype"], "DT_STRING");
}

#[test]
fn a_premade_regressor_regresses() {
    let model_dir = tempfile::tempdir().expect("model dir");
    let base = tempfile::tempdir().expect("base");
    let config = DnnRegressorConfig::new(columns(), [8]);
    let est = DnnRegressor::new(config, RunConfig::default().model_dir(model_dir.path()))
        .expect("estimator");
    let dir = est
        .export_saved_model(base.path(), &sample())
        .expect("export");
    let served = ServedPremade::<DnnRegressorConfig>::load(&dir, &Device::default()).expect("load");
    let expected = output_floats(
        &served.predict("regression", &sample()).expect("predict"),
        "value",
    );
    let server = serve(base.path());
    let client = Client::new(&server);
    let body = json!({"signature_name": "regression", "examples": examples()});
    let (status, answer) = client.post("/v1/models/p:regress", body.to_string());
    assert_eq!(status, 200, "{answer}");
    assert_eq!(floats(&answer["result"]), expected);
    let (status, _) = client.post(
        "/v1/models/p:classify",
        json!({"examples": examples()}).to_string(),
    );
    assert_eq!(status, 400, "a regressor has no classify signature");
}
