//! Fuzzed REST bodies: bad JSON, wrong shapes, NaN strings, deep nesting, 10 MB bodies,
//! unknown signatures. Each is answered 4xx (never 5xx, never a crash), and the server still
//! answers correctly afterwards. `FUZZ_CASES` sets the number per kind (default 150).

mod common;

use common::*;
use estimator_serving::ServerBuilder;
use serde_json::json;

/// Makes one fuzzed body.
type MakeBody = fn(&mut Rng) -> Vec<u8>;

/// SplitMix64: deterministic cases with no extra dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    (0..1 + rng.below(200)).map(|_| rng.next() as u8).collect()
}

fn truncated(rng: &mut Rng) -> Vec<u8> {
    let body = instances(&rows(3, 0.0)).into_bytes();
    body[..rng.below(body.len() - 1)].to_vec()
}

fn wrong_shape(rng: &mut Rng) -> Vec<u8> {
    let width = [0, 1, 2, 3, 5, 8, 64][rng.below(7)];
    let row: Vec<f32> = (0..width).map(|i| i as f32).collect();
    let body = match rng.below(4) {
        0 => json!({ "instances": [row] }),
        1 => json!({ "instances": [[row]] }),
        2 => json!({ "inputs": { "input": [row, [1.0, 2.0, 3.0, 4.0]] } }),
        _ => json!({ "instances": [[1.0, 2.0, 3.0, 4.0], row] }),
    };
    body.to_string().into_bytes()
}

fn nan_strings(rng: &mut Rng) -> Vec<u8> {
    let word = ["NaN", "nan", "Infinity", "-Infinity", "inf", "1e999x", ""][rng.below(7)];
    match rng.below(3) {
        0 => format!(r#"{{"instances": [[1, "{word}", 3, 4]]}}"#),
        1 => format!(r#"{{"instances": [[1, {word}, 3, 4]]}}"#),
        _ => format!(r#"{{"inputs": {{"input": [["{word}", 2, 3, 4]]}}}}"#),
    }
    .into_bytes()
}

fn deep_nesting(rng: &mut Rng) -> Vec<u8> {
    let depth = 129 + rng.below(100_000);
    let open = if rng.below(2) == 0 { "[" } else { r#"{"a":"# };
    let close = if open == "[" { "]" } else { "}" };
    format!(
        r#"{{"instances": {}1{}}}"#,
        open.repeat(depth),
        close.repeat(depth)
    )
    .into_bytes()
}

fn unknown_signature(rng: &mut Rng) -> Vec<u8> {
    let name = format!("sig_{}", rng.next());
    json!({ "signature_name": name, "instances": rows(2, 0.0) })
        .to_string()
        .into_bytes()
}

fn wrong_types(rng: &mut Rng) -> Vec<u8> {
    let bodies = [
        json!({ "instances": "rows" }),
        json!({ "instances": {"input": [1, 2, 3, 4]} }),
        json!({ "instances": [null] }),
        json!({ "instances": [[true, false, true, false]] }),
        json!({ "instances": [{"input": [1, 2, 3, 4], "extra": 1}] }),
        json!({ "inputs": 3 }),
        json!({ "inputs": {"other": [[1, 2, 3, 4]]} }),
        json!({ "signature_name": 7, "instances": [[1, 2, 3, 4]] }),
        json!({ "instances": [] }),
        json!([1, 2, 3]),
    ];
    bodies[rng.below(bodies.len())].to_string().into_bytes()
}

/// A well-formed body of 10 MB: over the 8 MB limit.
fn ten_megabytes(_: &mut Rng) -> Vec<u8> {
    let row = "[0.125,0.25,0.5,1.0],";
    let rows = row.repeat(10 * 1024 * 1024 / row.len());
    format!(r#"{{"instances": [{}[1,2,3,4]]}}"#, rows).into_bytes()
}

#[test]
fn fuzzed_bodies_get_4xx_and_the_server_keeps_answering() {
    let base = tempfile::tempdir().expect("base");
    let dir = export_fresh(base.path());
    let server = serve(base.path(), ServerBuilder::new());
    let client = Client::new(&server);
    let per_kind: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let kinds: [(&str, MakeBody, usize); 8] = [
        ("random bytes", random_bytes, per_kind),
        ("truncated JSON", truncated, per_kind),
        ("wrong shape", wrong_shape, per_kind),
        ("NaN strings", nan_strings, per_kind),
        ("deep nesting", deep_nesting, per_kind),
        ("unknown signature", unknown_signature, per_kind),
        ("wrong types", wrong_types, per_kind),
        ("10 MB body", ten_megabytes, 4),
    ];
    let mut rng = Rng(18);
    let mut sent = 0;
    for (kind, make, count) in kinds {
        for _ in 0..count {
            let body = make(&mut rng);
            let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
            let (status, answer) = post_raw(&server, "/v1/models/m:predict", body);
            assert!(
                (400..500).contains(&status),
                "{kind}: {shown} got {status} {answer}"
            );
            assert!(answer["error"].is_string(), "{kind}: {shown} got {answer}");
            sent += 1;
        }
    }
    assert!(sent >= 1_000 || per_kind < 150, "{sent} bodies");

    let rows = rows(5, 0.25);
    let (status, answer) = client.post("/v1/models/m:predict", instances(&rows));
    assert_eq!(status, 200, "{answer}");
    let served: Vec<f32> = answer["predictions"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| floats(&p["probabilities"]))
        .collect();
    assert_eq!(
        served,
        output_floats(&in_process(&dir, "serving_default", &rows), "probabilities")
    );
}
