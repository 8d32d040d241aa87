//! The REST API against a real HTTP client on 127.0.0.1: answers equal
//! `ExportedModel::predict` bit for bit, TF Serving's JSON forms and status codes.

mod common;

use common::*;
use estimator_serving::ServerBuilder;
use serde_json::json;

#[test]
fn rest_predictions_equal_exported_model_predict_bit_for_bit() {
    let base = tempfile::tempdir().expect("base");
    let dir = export_fresh(base.path());
    let server = serve(base.path(), ServerBuilder::new());
    let client = Client::new(&server);
    let rows = rows(10, 0.0);
    let expected = in_process(&dir, "serving_default", &rows);

    let (status, answer) = client.post("/v1/models/m:predict", instances(&rows));
    assert_eq!(status, 200, "{answer}");
    let predictions = answer["predictions"].as_array().expect("predictions");
    assert_eq!(predictions.len(), 10);
    let served: Vec<f32> = predictions
        .iter()
        .flat_map(|p| floats(&p["probabilities"]))
        .collect();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&served),
        bits(&output_floats(&expected, "probabilities"))
    );
    let classes: Vec<f32> = predictions
        .iter()
        .flat_map(|p| floats(&p["class"]))
        .collect();
    assert_eq!(classes, output_floats(&expected, "class"));

    let columnar = json!({ "inputs": { "input": rows } }).to_string();
    let (status, answer) = client.post(
        &format!("/v1/models/m/versions/{}:predict", version_of(&dir)),
        columnar,
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        bits(&floats(&answer["outputs"]["probabilities"])),
        bits(&served)
    );
}

fn version_of(dir: &std::path::Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn classify_pairs_class_ids_with_the_same_scores() {
    let base = tempfile::tempdir().expect("base");
    let dir = export_fresh(base.path());
    let server = serve(base.path(), ServerBuilder::new());
    let client = Client::new(&server);
    let rows = rows(3, 0.5);
    let expected = output_floats(&in_process(&dir, "classification", &rows), "scores");
    let body = json!({ "signature_name": "classification", "examples": rows.iter().map(|r| json!({"input": r})).collect::<Vec<_>>() });
    let (status, answer) = client.post("/v1/models/m:classify", body.to_string());
    assert_eq!(status, 200, "{answer}");
    let result = answer["result"].as_array().expect("result");
    assert_eq!(result.len(), 3);
    let labels: Vec<&str> = result[0]
        .as_array()
        .expect("pairs")
        .iter()
        .filter_map(|p| p[0].as_str())
        .collect();
    assert_eq!(labels, ["0", "1", "2"]);
    let scores: Vec<f32> = result
        .iter()
        .flat_map(|pairs| {
            pairs
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|p| floats(&p[1]))
        })
        .collect();
    assert_eq!(scores, expected);
}

#[test]
fn status_and_metadata_answer_as_tf_serving() {
    let base = tempfile::tempdir().expect("base");
    let dir = export_fresh(base.path());
    let v = version_of(&dir);
    let server = serve(base.path(), ServerBuilder::new());
    let client = Client::new(&server);
    let (status, answer) = client.get("/v1/models/m");
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({"model_version_status": [{"version": v, "state": "AVAILABLE", "status": {"error_code": "OK", "error_message": ""}}]})
    );
    let (status, answer) = client.get(&format!("/v1/models/m/versions/{v}/metadata"));
    assert_eq!(status, 200, "{answer}");
    let def = &answer["metadata"]["signature_def"]["signature_def"]["serving_default"];
    assert_eq!(def["method_name"], "tensorflow/serving/predict");
    assert_eq!(def["inputs"]["input"]["dtype"], "DT_FLOAT");
    assert_eq!(
        def["inputs"]["input"]["tensor_shape"]["dim"],
        json!([{"size": "-1", "name": ""}, {"size": "4", "name": ""}])
    );
    assert_eq!(def["outputs"]["probabilities"]["dtype"], "DT_FLOAT");
    assert_eq!(answer["model_spec"]["version"], json!(v));
}

#[test]
fn errors_carry_tf_servings_status_codes() {
    let base = tempfile::tempdir().expect("base");
    export_fresh(base.path());
    let server = serve(base.path(), ServerBuilder::new().max_body_bytes(1 << 20));
    let client = Client::new(&server);
    let good = instances(&rows(2, 0.0));
    let cases: Vec<(&str, String, u16)> = vec![
        ("/v1/models/nope:predict", good.clone(), 404),
        ("/v1/models/m/versions/7:predict", good.clone(), 404),
        ("/v1/models/m/labels/stable:predict", good.clone(), 404),
        (
            "/v1/models/m:predict",
            r#"{"signature_name": "nope", "instances": [[1,2,3,4]]}"#.into(),
            400,
        ),
        ("/v1/models/m:predict", "{not json".into(), 400),
        (
            "/v1/models/m:predict",
            r#"{"instances": [[1, 2]]}"#.into(),
            400,
        ),
        (
            "/v1/models/m:classify",
            r#"{"examples": [{"input": [1,2,3,4]}]}"#.into(),
            400,
        ),
        (
            "/v1/models/m:predict",
            format!(r#"{{"instances": [[{}]]}}"#, "1,".repeat(600_000)),
            413,
        ),
    ];
    for (path, body, want) in cases {
        let (status, answer) = client.post(path, &body);
        assert_eq!(
            status,
            want,
            "{path} {}: {answer}",
            &body[..body.len().min(80)]
        );
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
    }
    let (status, answer) =
        client.post("/v1/models/m:predict", r#"{"instances": [[1, "x", 3, 4]]}"#);
    assert_eq!(status, 400);
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("`input`")),
        "{answer}"
    );
}

#[test]
fn no_loaded_version_is_unavailable() {
    let base = tempfile::tempdir().expect("base");
    let server = serve(base.path(), ServerBuilder::new());
    let client = Client::new(&server);
    let (status, answer) = client.post("/v1/models/m:predict", instances(&rows(1, 0.0)));
    assert_eq!(status, 503, "{answer}");
    export_fresh(base.path());
    eventually("the first version", || {
        client
            .post("/v1/models/m:predict", instances(&rows(1, 0.0)))
            .0
            == 200
    });
}

#[test]
fn shutdown_finishes_and_returns() {
    let base = tempfile::tempdir().expect("base");
    export_fresh(base.path());
    let server = serve(base.path(), ServerBuilder::new());
    let addr = server.rest_addr().expect("REST");
    assert_eq!(Client::new(&server).get("/v1/models/m").0, 200);
    server.shutdown().expect("a clean shutdown");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the port is closed"
    );
}
