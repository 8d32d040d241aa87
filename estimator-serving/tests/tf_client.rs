//! TF Serving's own Python client (`tensorflow_serving.apis` gRPC stubs, plain `requests` for
//! REST with the bodies of TF Serving's REST docs) against this server, through
//! `tests/common/tf.rs`: skips with a message unless the TF venv is there
//! (`ESTIMATOR_TF_PYTHON`), and fails without it under `ESTIMATOR_REQUIRE_TF=1` (CI).

mod common;
#[path = "../../tests/common/tf.rs"]
mod tf;

use common::*;
use estimator_serving::ServerBuilder;
use serde_json::{Value, json};
use std::process::Command;

fn f32s(value: &Value) -> Vec<f32> {
    floats(value)
}

#[test]
fn tf_servings_python_client_gets_the_same_answers() {
    let Some(python) = tf::python("TF Serving's Python client against estimator-serving") else {
        return;
    };
    let base = tempfile::tempdir().expect("base");
    let dir = export_fresh(base.path());
    let version: i64 = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .expect("version");
    let server = serve(base.path(), ServerBuilder::new().grpc_port(0));
    let rows = rows(3, 0.0);
    let output = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/tf_serving_client.py"
        ))
        .arg(server.grpc_addr().expect("gRPC").to_string())
        .arg(format!("http://{}", server.rest_addr().expect("REST")))
        .args(["m", &json!(rows).to_string()])
        // model_service_pb2 of tensorflow-serving-api 2.15 fails to import under the upb protobuf.
        .env("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")
        .env("TF_CPP_MIN_LOG_LEVEL", "3")
        .output()
        .expect("run python");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the TF Serving client failed:\n{stderr}"
    );
    let got: Value = serde_json::from_slice(&output.stdout).expect("the client's JSON");
    let expected = output_floats(&in_process(&dir, "serving_default", &rows), "probabilities");

    assert_eq!(f32s(&got["grpc_predict"]), expected);
    assert_eq!(got["grpc_version"], json!(version));
    let classify_scores: Vec<f32> = got["grpc_classify"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| {
            e.as_array()
                .into_iter()
                .flatten()
                .flat_map(|p| floats(&p[1]))
        })
        .collect();
    assert_eq!(classify_scores, expected);
    assert_eq!(got["grpc_classify"][0][2][0], "2");
    assert_eq!(got["grpc_metadata_input"], json!(["float32", [-1, 4]]));
    assert_eq!(got["grpc_status"], json!([[version, "AVAILABLE"]]));
    assert_eq!(got["grpc_unknown_model"], "NOT_FOUND");
    assert_eq!(
        got["rest_status"]["model_version_status"][0]["state"],
        "AVAILABLE"
    );
    assert_eq!(got["rest_metadata_method"], "tensorflow/serving/predict");
    assert_eq!(f32s(&got["rest_row"]), expected);
    assert_eq!(f32s(&got["rest_columnar"]), expected);
    let rest_scores: Vec<f32> = got["rest_classify"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| {
            e.as_array()
                .into_iter()
                .flatten()
                .flat_map(|p| floats(&p[1]))
        })
        .collect();
    assert_eq!(rest_scores, expected);
    assert_eq!(got["rest_bad_shape"], json!([400, true]));
}
