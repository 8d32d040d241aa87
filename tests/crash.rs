//! Crash/resume harness: the worker is killed with SIGKILL at random steps (and during
//! checkpoint writes), restarted each time, and its final weights are compared with an
//! uninterrupted run's. `ESTIMATOR_CRASH_KILLS=20` runs the long mode (default: 3 kills).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const WORKER: &str = env!("CARGO_BIN_EXE_crash-worker");
const MAX_STEPS: u64 = 200;

fn kills() -> usize {
    std::env::var("ESTIMATOR_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

/// SplitMix64, for reproducible kill points.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs the worker; kills it when `kill_at` matches a line it prints. Returns whether it
/// finished, and the step it reported restoring from.
fn run_worker(dir: &Path, extra: &[&str], kill_at: Option<&str>) -> (bool, u64) {
    let mut child = Command::new(WORKER)
        .arg(dir)
        .arg(MAX_STEPS.to_string())
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the worker");
    let stdout = child.stdout.take().expect("worker stdout");
    let mut restored = 0;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(step) = line.strip_prefix("restored ") {
            restored = step.parse().unwrap_or(0);
        }
        if kill_at == Some(line.as_str()) {
            child.kill().expect("SIGKILL the worker");
            let _ = child.wait();
            return (false, restored);
        }
    }
    let status = child.wait().expect("worker exit");
    assert!(status.success(), "worker failed: {status}");
    (true, restored)
}

fn weights(dir: &Path) -> Vec<f32> {
    let bytes = std::fs::read(dir.join("weights.bin")).expect("weights written");
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn compare(reference: &[f32], resumed: &[f32]) {
    assert!(!reference.is_empty(), "the worker wrote weights");
    assert_eq!(reference.len(), resumed.len());
    let max_diff = reference
        .iter()
        .zip(resumed)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    let identical = reference
        .iter()
        .zip(resumed)
        .all(|(a, b)| a.to_bits() == b.to_bits());
    eprintln!("bit-identical: {identical}, max abs diff: {max_diff:e}");
    assert!(
        identical,
        "resumed weights differ from the uninterrupted run (max abs diff {max_diff:e})"
    );
}

#[test]
fn killed_at_random_steps_resumes_to_bit_identical_weights() {
    let reference = tempfile::tempdir().expect("temp dir");
    assert_eq!(run_worker(reference.path(), &[], None), (true, 0));
    let crashed = tempfile::tempdir().expect("temp dir");
    // Distinct, increasing kill steps: each run resumes below the next kill point, so every
    // planned kill happens.
    let mut rng = 0xC0FFEE;
    let mut points: Vec<u64> = Vec::new();
    while points.len() < kills().min(MAX_STEPS as usize - 1) {
        let at = 1 + next(&mut rng) % (MAX_STEPS - 1);
        if !points.contains(&at) {
            points.push(at);
        }
    }
    points.sort_unstable();
    let mut last_restored = 0;
    for (k, at) in points.iter().enumerate() {
        let (finished, restored) = run_worker(crashed.path(), &[], Some(&format!("step {at}")));
        assert!(!finished, "kill {k} at step {at} did not happen");
        assert!(
            restored >= last_restored && restored < *at,
            "kill {k}: restored {restored}, previous {last_restored}"
        );
        last_restored = restored;
    }
    eprintln!("killed {} times at steps {points:?}", points.len());
    let (finished, _) = run_worker(crashed.path(), &[], None);
    assert!(finished);
    compare(&weights(reference.path()), &weights(crashed.path()));
}

#[test]
fn killed_during_checkpoint_writes_the_latest_checkpoint_always_loads() {
    let reference = tempfile::tempdir().expect("temp dir");
    assert_eq!(run_worker(reference.path(), &["--wide"], None), (true, 0));
    let crashed = tempfile::tempdir().expect("temp dir");
    for k in 0..kills() {
        let at = 20 + 30 * k as u64;
        if at >= MAX_STEPS {
            break;
        }
        let (finished, restored) =
            run_worker(crashed.path(), &["--wide"], Some(&format!("saving {at}")));
        assert!(
            !finished,
            "kill {k} at the save of step {at} did not happen"
        );
        // The next start must restore a complete checkpoint: the one before, or this one if its
        // rename landed before the kill; never a torn file.
        let (_, next_restored) = run_worker(
            crashed.path(),
            &["--wide"],
            Some(&format!("step {}", at + 1)),
        );
        assert!(
            next_restored == at || next_restored == at - 10 || next_restored == restored,
            "restored {next_restored} after a kill at the save of {at}"
        );
    }
    let (finished, _) = run_worker(crashed.path(), &["--wide"], None);
    assert!(finished);
    compare(&weights(reference.path()), &weights(crashed.path()));
}
