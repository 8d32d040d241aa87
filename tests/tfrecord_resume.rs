//! Exact resume with a TFRecord input pipeline: the crash worker (`--tfrecord DIR`) trains on
//! the digits read from 5 TFRecord files (plain and GZIP) through a sharded, interleaved,
//! shuffled, repeated, parallel-parsed, prefetched `data::Dataset`. It is killed with SIGKILL
//! at random steps and restarted each time; every batch each run hands to `train` (the ones a
//! resumed run skips included) must be the uninterrupted run's batch of the same index, and
//! the final weights must be bit-identical. `ESTIMATOR_CRASH_KILLS` sets the kills (default 3).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const WORKER: &str = env!("CARGO_BIN_EXE_crash-worker");
const MAX_STEPS: u64 = 120;

/// What one run printed: the step it restored, and each batch's index and hash.
struct Run {
    finished: bool,
    restored: u64,
    batches: BTreeMap<u64, String>,
}

fn run_worker(model_dir: &Path, data: &Path, kill_at: Option<&str>) -> Run {
    let mut child = Command::new(WORKER)
        .arg(model_dir)
        .arg(MAX_STEPS.to_string())
        .arg("--tfrecord")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the worker");
    let stdout = child.stdout.take().expect("worker stdout");
    let mut run = Run {
        finished: false,
        restored: 0,
        batches: BTreeMap::new(),
    };
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["restored", step] => run.restored = step.parse().unwrap_or(0),
            ["batch", i, hash] => {
                run.batches
                    .insert(i.parse().expect("index"), hash.to_string());
            }
            _ => {}
        }
        if kill_at == Some(line.as_str()) {
            child.kill().expect("SIGKILL the worker");
            let _ = child.wait();
            return run;
        }
    }
    let status = child.wait().expect("worker exit");
    assert!(status.success(), "worker failed: {status}");
    run.finished = true;
    run
}

fn kills() -> usize {
    std::env::var("ESTIMATOR_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

#[test]
fn a_killed_tfrecord_pipeline_run_sees_the_same_batches_and_ends_bit_identical() {
    let data = tempfile::tempdir().expect("temp dir");
    let reference_dir = tempfile::tempdir().expect("temp dir");
    let reference = run_worker(reference_dir.path(), data.path(), None);
    assert!(reference.finished);
    assert!(reference.batches.len() as u64 >= MAX_STEPS);
    let crashed = tempfile::tempdir().expect("temp dir");
    let step = (MAX_STEPS - 10) / kills().max(1) as u64;
    let points: Vec<u64> = (0..kills() as u64)
        .map(|k| 5 + k * step + (k * 7) % step)
        .collect();
    let mut seen = 0;
    for &at in points.iter().chain([0].iter()) {
        let kill = (at > 0).then(|| format!("step {at}"));
        let run = run_worker(crashed.path(), data.path(), kill.as_deref());
        assert_eq!(run.finished, at == 0, "kill at step {at}");
        if at > 0 {
            assert!(
                run.restored < at,
                "restored {} before step {at}",
                run.restored
            );
        }
        for (i, hash) in &run.batches {
            assert_eq!(
                Some(hash),
                reference.batches.get(i),
                "batch {i} (run killed at {at})"
            );
        }
        seen += run.batches.len();
    }
    eprintln!("killed at steps {points:?}; {seen} batches compared with the uninterrupted run's");
    let weights = |dir: &Path| std::fs::read(dir.join("weights.bin")).expect("weights written");
    let (a, b) = (weights(reference_dir.path()), weights(crashed.path()));
    assert!(!a.is_empty());
    assert!(
        a == b,
        "resumed weights are not bit-identical to the uninterrupted run's"
    );
}
