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

/// What one `--train-and-evaluate` worker printed: its evaluations by step (loss and accuracy
/// bits) and, if it finished, its final step and whether it stopped early.
#[derive(Default)]
struct Evaluations {
    evals: std::collections::BTreeMap<u64, (u64, u64)>,
    stopped: Option<(u64, bool)>,
}

/// Runs the `--train-and-evaluate` worker, killing it right after the checkpoint of
/// `kill_after` (the `saved N` line), and records what it printed into `seen`: every
/// evaluation of a step must have the same bits whichever run made it.
fn run_train_and_evaluate(dir: &Path, kill_after: Option<u64>, seen: &mut Evaluations) {
    let mut child = Command::new(WORKER)
        .arg(dir)
        .arg("400")
        .arg("--train-and-evaluate")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the worker");
    let stdout = child.stdout.take().expect("worker stdout");
    let kill_line = kill_after.map(|s| format!("saved {s}"));
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let words: Vec<&str> = line.split(' ').collect();
        match words.as_slice() {
            ["eval", step, loss, acc] => {
                let parse = |w: &str| w.parse::<u64>().expect("a number");
                let new = (parse(loss), parse(acc));
                let old = seen.evals.insert(parse(step), new);
                assert!(
                    old.is_none_or(|old| old == new),
                    "two runs evaluated step {step} differently"
                );
            }
            ["stopped", step, early] => {
                seen.stopped = Some((step.parse().expect("a step"), *early == "true"));
            }
            _ => {}
        }
        if kill_line.as_deref() == Some(line.as_str()) {
            child.kill().expect("SIGKILL the worker");
            let _ = child.wait();
            return;
        }
    }
    let status = child.wait().expect("worker exit");
    assert!(status.success(), "worker failed: {status}");
}

/// The tensor bytes of every export's weights under `dir`'s `export/best`, sorted. (The
/// safetensors header, a JSON object whose key order varies from run to run, is skipped.)
fn exported_weights(dir: &Path) -> Vec<Vec<u8>> {
    let data = |bytes: Vec<u8>| {
        let header = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        bytes[8 + header as usize..].to_vec()
    };
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(dir.join("export/best"))
        .expect("exports written")
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read(e.path().join("model.safetensors")).ok())
        .map(data)
        .collect();
    out.sort();
    out
}

#[test]
fn train_and_evaluate_killed_after_checkpoints_evaluates_exports_and_stops_as_uninterrupted() {
    let reference = tempfile::tempdir().expect("temp dir");
    let mut want = Evaluations::default();
    run_train_and_evaluate(reference.path(), None, &mut want);
    let (stop_step, stopped_early) = want.stopped.expect("the reference run finished");
    assert!(stopped_early, "early stopping fired (at {stop_step})");
    assert_eq!(
        want.evals.keys().copied().collect::<Vec<_>>(),
        (1..=stop_step / 20).map(|k| 20 * k).collect::<Vec<_>>(),
        "an evaluation every 20 steps up to the stop"
    );
    // Killed right after the checkpoints of step 10 (no evaluation due), 40 (before or during
    // its evaluation) and 50, each time restarted with the same command.
    let crashed = tempfile::tempdir().expect("temp dir");
    let mut got = Evaluations::default();
    for at in [10, 40, 50] {
        run_train_and_evaluate(crashed.path(), Some(at), &mut got);
        assert!(got.stopped.is_none(), "the run killed at {at} finished");
    }
    run_train_and_evaluate(crashed.path(), None, &mut got);
    assert_eq!(got.stopped, want.stopped, "the same early-stopping step");
    assert_eq!(got.evals, want.evals, "the same evaluations, bit for bit");
    assert_eq!(
        exported_weights(crashed.path()),
        exported_weights(reference.path()),
        "the same exports"
    );
    compare(&weights(reference.path()), &weights(crashed.path()));
}
