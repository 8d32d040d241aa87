//! The status and metadata answers (`GET /v1/models/{name}[/versions/{v}][/metadata]`), in
//! TF Serving's JSON form.

use crate::versions::VersionState;
use estimator_runtime::{SignatureDef, TensorSpec};
use serde_json::{Map, Value, json};

/// `model_version_status` for the given versions.
pub fn status_answer<'a>(versions: impl Iterator<Item = (u64, &'a VersionState)>) -> Value {
    let statuses: Vec<Value> = versions
        .map(|(v, state)| {
            let (state, code, message) = match state {
                VersionState::Available(_) => ("AVAILABLE", "OK", String::new()),
                VersionState::Ended => ("END", "OK", String::new()),
                VersionState::Failed(why) => ("END", "UNKNOWN", why.clone()),
            };
            json!({
                "version": v.to_string(),
                "state": state,
                "status": { "error_code": code, "error_message": message },
            })
        })
        .collect();
    json!({ "model_version_status": statuses })
}

/// `GetModelMetadata`'s answer: every signature with its inputs and outputs.
pub fn metadata_answer(model: &str, version: u64, signatures: &[SignatureDef]) -> Value {
    let defs: Map<String, Value> = signatures
        .iter()
        .map(|s| (s.name.clone(), signature_json(s)))
        .collect();
    json!({
        "model_spec": { "name": model, "signature_name": "", "version": version.to_string() },
        "metadata": { "signature_def": { "signature_def": defs } },
    })
}

fn signature_json(signature: &SignatureDef) -> Value {
    json!({
        "inputs": tensors_json(&signature.inputs),
        "outputs": tensors_json(&signature.outputs),
        "method_name": format!("tensorflow/serving/{}", signature.method),
    })
}

fn tensors_json(specs: &[TensorSpec]) -> Value {
    let tensors: Map<String, Value> = specs
        .iter()
        .map(|t| {
            let dims: Vec<Value> = t
                .shape
                .iter()
                .map(|d| json!({ "size": d.to_string(), "name": "" }))
                .collect();
            let info = json!({
                "dtype": tf_dtype(&t.dtype),
                "tensor_shape": { "dim": dims, "unknown_rank": false },
                "name": format!("{}:0", t.name),
            });
            (t.name.clone(), info)
        })
        .collect();
    Value::Object(tensors)
}

/// TF's `DataType` name for a recorded dtype.
pub fn tf_dtype(dtype: &str) -> &'static str {
    match dtype {
        "F32" => "DT_FLOAT",
        "F64" => "DT_DOUBLE",
        "F16" => "DT_HALF",
        "BF16" => "DT_BFLOAT16",
        "I64" => "DT_INT64",
        "I32" => "DT_INT32",
        "String" => "DT_STRING",
        d if d.starts_with("Bool") => "DT_BOOL",
        _ => "DT_INVALID",
    }
}
