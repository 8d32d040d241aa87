//! Versions and hot swap: client loops across a new export see 0 failures and switch version
//! exactly once; a truncated newer version leaves the serving one in place.

mod common;

use common::*;
use estimator_serving::ServerBuilder;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const CLIENTS: usize = 4;
const REQUESTS_PER_CLIENT: usize = 300;
const MAX_REQUESTS_PER_CLIENT: usize = 20_000;

/// Which export answered: 1 or 2 by its probabilities, 0 for neither (or a failed request).
fn which(answer: &(u16, serde_json::Value), v1: &[f32], v2: &[f32]) -> u8 {
    let served: Vec<f32> = answer.1["predictions"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| floats(&p["probabilities"]))
        .collect();
    match answer.0 {
        200 if served == v1 => 1,
        200 if served == v2 => 2,
        _ => 0,
    }
}

#[test]
fn a_new_version_swaps_in_under_load_with_no_failed_request() {
    let base = tempfile::tempdir().expect("base");
    let first = export_fresh(base.path());
    let server = serve(base.path(), ServerBuilder::new());
    let rows = rows(3, 0.0);
    let v1 = output_floats(
        &in_process(&first, "serving_default", &rows),
        "probabilities",
    );
    let body = instances(&rows);
    let done = Arc::new(AtomicUsize::new(0));
    let client = Arc::new(Client::new(&server));
    let answers = std::thread::scope(|scope| {
        let loops: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (client, body, done, v1) =
                    (client.clone(), body.clone(), done.clone(), v1.clone());
                scope.spawn(move || {
                    // Until both enough requests and one answer that is not version 1's.
                    let mut answers = Vec::new();
                    while answers.len() < MAX_REQUESTS_PER_CLIENT {
                        done.fetch_add(1, Ordering::Relaxed);
                        let answer = client.post("/v1/models/m:predict", &body);
                        let moved_on = which(&answer, &v1, &[]) != 1;
                        answers.push(answer);
                        if moved_on && answers.len() >= REQUESTS_PER_CLIENT {
                            break;
                        }
                    }
                    answers
                })
            })
            .collect();
        eventually("a few requests on version 1", || {
            done.load(Ordering::Relaxed) > 200
        });
        let second = export_fresh(base.path());
        let answers: Vec<Vec<(u16, serde_json::Value)>> = loops
            .into_iter()
            .map(|l| l.join().expect("client loop"))
            .collect();
        (answers, second)
    });
    let (answers, second) = answers;
    let v2 = output_floats(
        &in_process(&second, "serving_default", &rows),
        "probabilities",
    );
    assert_ne!(v1, v2, "two fresh exports differ");
    for answers in &answers {
        let versions: Vec<u8> = answers.iter().map(|a| which(a, &v1, &v2)).collect();
        assert!(
            !versions.contains(&0),
            "a failed or wrong answer: {:?}",
            answers.iter().find(|a| which(a, &v1, &v2) == 0)
        );
        let switches = versions.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(
            versions[0] == 1 && switches == 1,
            "switches {switches}: {versions:?}"
        );
    }
    let total: usize = answers.iter().map(Vec::len).sum();
    assert!(total >= 1_000, "{total} requests");
}

/// Copies the export `from` to the version `to`, its weights cut in half.
fn truncated_copy(from: &Path, to: &Path) {
    let staging = to.with_extension("staging");
    std::fs::create_dir_all(&staging).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let bytes = std::fs::read(entry.path()).expect("read file");
        let keep = if entry.file_name() == "model.safetensors" {
            bytes.len() / 2
        } else {
            bytes.len()
        };
        std::fs::write(staging.join(entry.file_name()), &bytes[..keep]).expect("write");
    }
    std::fs::rename(staging, to).expect("publish");
}

#[test]
fn a_truncated_new_version_leaves_serving_intact() {
    let base = tempfile::tempdir().expect("base");
    let first = export_fresh(base.path());
    let server = serve(base.path(), ServerBuilder::new());
    let client = Client::new(&server);
    let rows = rows(2, 0.0);
    let expected = output_floats(
        &in_process(&first, "serving_default", &rows),
        "probabilities",
    );
    let version: u64 = first
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .expect("integer version");
    truncated_copy(&first, &base.path().join((version + 1).to_string()));
    let next = (version + 1).to_string();
    eventually("the truncated version's failure in the status", || {
        let (_, status) = client.get("/v1/models/m");
        status["model_version_status"].as_array().is_some_and(|s| {
            s.iter().any(|v| {
                v["version"].as_str() == Some(next.as_str())
                    && v["state"] == "END"
                    && v["status"]["error_code"] == "UNKNOWN"
            })
        })
    });
    let (status, answer) = client.post("/v1/models/m:predict", instances(&rows));
    assert_eq!(status, 200, "{answer}");
    let served: Vec<f32> = answer["predictions"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| floats(&p["probabilities"]))
        .collect();
    assert_eq!(served, expected, "version {version} still serves");
    let (_, status) = client.get(&format!("/v1/models/m/versions/{version}"));
    assert_eq!(
        status["model_version_status"][0]["state"], "AVAILABLE",
        "{status}"
    );
}
