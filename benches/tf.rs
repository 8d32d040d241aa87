//! `--tf PYTHON`: TF 2.15's Estimator on the same workload (`scripts/tf_estimator_bench.py`),
//! run right after the Rust rows of that workload, so both sides see the same machine load.

use crate::models::{Kind, Workload};
use std::process::Command;

/// TF's median loop steps/s over `runs` runs of `w.steps` steps (after the script's warm-up).
pub fn tf_steps_per_sec(python: &str, w: &Workload, runs: usize) -> Result<f64, String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/tf_estimator_bench.py");
    let s = w.shape;
    let model = match w.kind {
        Kind::Mlp => "mlp",
        Kind::Cnn => "cnn",
    };
    let out = Command::new(python)
        .arg(script)
        .args(["--model", model])
        .args([
            "--shape",
            &format!("{}-{}-{}", s.inputs, s.hidden, s.classes),
        ])
        .args(["--batch", &w.batch.to_string()])
        .args(["--steps", &w.steps.to_string()])
        .args(["--runs", &runs.to_string()])
        .output()
        .map_err(|e| format!("could not run {python}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "the TF bench failed ({}): {stdout}{stderr}",
            out.status
        ));
    }
    // "... median loop 123.4 steps/s ..."
    stdout
        .split("median loop ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no 'median loop' figure in the TF bench's output: {stdout}"))
}
