//! Multi-worker data-parallel training on MPI: 2 ranks under `mpirun --oversubscribe`.
//!
//! Needs `--features mpi` and Open MPI (`.ci/run` installs it); without the feature every test
//! here is ignored with that message. The tests run one at a time (they share the 2 cores).

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WORKER: &str = env!("CARGO_BIN_EXE_mpi-worker");
const IGNORE: &str = "needs `--features mpi` and Open MPI: `cargo test --features mpi --test mpi`";
/// How long a job may take before the test calls it a hang.
const JOB_LIMIT: Duration = Duration::from_secs(240);

#[path = "mpi/semantics.rs"]
mod semantics;

static ONE_JOB_AT_A_TIME: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_JOB_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn mpirun(ranks: usize, args: &[&str]) -> Command {
    let mut cmd = Command::new("mpirun");
    cmd.args([
        "--oversubscribe",
        "-np",
        &ranks.to_string(),
        WORKER,
        "--distributed",
    ])
    .args(args)
    .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
    .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
    .env("RUST_LOG", "warn");
    cmd
}

fn local(args: &[&str]) -> Command {
    let mut cmd = Command::new(WORKER);
    cmd.args(args).env("RUST_LOG", "warn");
    cmd
}

/// Runs `cmd` to its end, failing the test if it outlives `JOB_LIMIT`; returns the output and
/// how long it took.
fn run(mut cmd: Command) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mpirun (install Open MPI: apt-get install openmpi-bin libopenmpi-dev)");
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > JOB_LIMIT {
            let _ = child.kill();
            panic!("the job hung for more than {JOB_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

fn ok(cmd: Command) -> Output {
    let (out, _) = run(cmd);
    assert!(
        out.status.success(),
        "job failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn weights(out: &Path, rank: usize) -> Vec<f32> {
    std::fs::read(out.join(format!("weights-rank{rank}.bin")))
        .unwrap()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn step(out: &Path, rank: usize) -> u64 {
    std::fs::read_to_string(out.join(format!("step-rank{rank}")))
        .unwrap()
        .parse()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Processes still running whose command line mentions `marker`.
fn leftover_processes(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if cmdline.contains(marker) && !cmdline.contains("cargo") {
                found.push(cmdline);
            }
        }
    }
    found
}

fn relative_difference(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let diff: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum();
    let norm: f64 = b.iter().map(|y| f64::from(*y).powi(2)).sum();
    (diff / norm).sqrt()
}

#[test]
#[cfg_attr(not(feature = "mpi"), ignore = "needs `--features mpi` and Open MPI")]
fn two_ranks_with_half_batches_match_one_rank_and_only_the_chief_writes() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    let (out1, out2) = (tmp.path().join("out1"), tmp.path().join("out2"));
    ok(local(&["--model-dir", s(&one), "--out", s(&out1)]));
    ok(mpirun(
        2,
        &["--model-dir", s(&two), "--out", s(&out2), "--rank-dirs"],
    ));

    let reference = weights(&out1, 0);
    let (chief, other) = (weights(&out2, 0), weights(&out2, 1));
    assert_eq!(step(&out1, 0), 200);
    assert_eq!((step(&out2, 0), step(&out2, 1)), (200, 200));
    let same_bits = chief
        .iter()
        .zip(&other)
        .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(
        same_bits,
        "every rank's weights equal the chief's bit for bit"
    );
    let rel = relative_difference(&chief, &reference);
    println!("2 ranks x B/2 vs 1 rank x B after 200 Adam steps: relative difference {rel:.3e}");
    assert!(rel < 1e-5, "relative difference {rel:e}");

    assert!(two.join("checkpoint").exists(), "the chief wrote its index");
    assert!(two.join("model.ckpt-200").exists());
    let rank1_dir = PathBuf::from(format!("{}-rank1", two.display()));
    assert!(
        !rank1_dir.exists(),
        "rank 1 wrote nothing: its model_dir {} was never created",
        rank1_dir.display()
    );
}

#[test]
#[cfg_attr(not(feature = "mpi"), ignore = "needs `--features mpi` and Open MPI")]
fn a_killed_rank_ends_the_job_and_a_restart_matches_an_uninterrupted_run_bit_for_bit() {
    kill_and_restart(&[]);
}

/// The same with a batch norm, whose running statistics each rank updates from its own rows:
/// a checkpoint makes them the ranks' mean on every rank, so the restarted ranks (which all
/// load the chief's checkpoint) continue as the uninterrupted ones do, to the bit.
#[test]
#[cfg_attr(not(feature = "mpi"), ignore = "needs `--features mpi` and Open MPI")]
fn with_batch_norm_a_restart_matches_an_uninterrupted_run_bit_for_bit() {
    kill_and_restart(&["--batch-norm"]);
}

/// `args` then `extra`.
fn with<'a>(args: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    [args, extra].concat()
}

/// Runs the worker (with `extra` arguments) uninterrupted, then killed after step 130 and
/// restarted from the checkpoint of step 100; both ranks must end with the same tensors.
fn kill_and_restart(extra: &[&str]) {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let (clean, crashed) = (tmp.path().join("clean"), tmp.path().join("crashed"));
    let (out_clean, out_crashed) = (tmp.path().join("out-clean"), tmp.path().join("out-crashed"));
    ok(mpirun(
        2,
        &with(&["--model-dir", s(&clean), "--out", s(&out_clean)], extra),
    ));

    let (killed, took) = run(mpirun(
        2,
        &with(
            &[
                "--model-dir",
                s(&crashed),
                "--kill-rank",
                "1",
                "--kill-at-step",
                "130",
            ],
            extra,
        ),
    ));
    let stderr = String::from_utf8_lossy(&killed.stderr);
    assert!(!killed.status.success(), "the job must fail");
    println!("a SIGKILLed rank ended the job in {took:.2?}");
    assert!(took < Duration::from_secs(120), "ended in {took:?}");
    assert!(
        leftover_processes(s(&crashed)).is_empty(),
        "no process left behind: {:?}\n{stderr}",
        leftover_processes(s(&crashed))
    );
    let ckpt = std::fs::read_to_string(crashed.join("checkpoint")).unwrap();
    assert!(ckpt.contains("model.ckpt-100"), "{ckpt}");

    // One rank cannot take over an interrupted 2-rank checkpoint: a clear error, no hang.
    let (wrong, _) = run(mpirun(1, &with(&["--model-dir", s(&crashed)], extra)));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success());
    assert!(stderr.contains("written by 2 replica(s)"), "{stderr}");

    ok(mpirun(
        2,
        &with(
            &["--model-dir", s(&crashed), "--out", s(&out_crashed)],
            extra,
        ),
    ));
    for rank in 0..2 {
        let (a, b) = (weights(&out_clean, rank), weights(&out_crashed, rank));
        assert_eq!(a.len(), b.len());
        assert!(
            a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
            "rank {rank}: the resumed run's weights equal the uninterrupted run's bit for bit"
        );
        assert_eq!(step(&out_crashed, rank), 200);
    }
}

#[test]
#[cfg_attr(not(feature = "mpi"), ignore = "needs `--features mpi` and Open MPI")]
fn an_evaluator_beside_a_two_rank_job_evaluates_each_checkpoint_once() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let evaluator = local(&["--model-dir", s(&dir), "--evaluator"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    ok(mpirun(
        2,
        &["--model-dir", s(&dir), "--save-steps", "20", "--keep", "2"],
    ));
    let out = evaluator.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let steps: Vec<u64> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("evaluated step="))
        .filter_map(|l| l.split(' ').next()?.parse().ok())
        .collect();
    println!("the evaluator evaluated steps {steps:?}");
    assert!(!steps.is_empty());
    assert!(
        steps.windows(2).all(|w| w[0] < w[1]),
        "each checkpoint once: {steps:?}"
    );
    assert_eq!(steps.last(), Some(&200), "ends with the final step");
    assert!(dir.join("eval").exists(), "eval summaries written");
}

#[test]
#[cfg_attr(not(feature = "mpi"), ignore = "needs `--features mpi` and Open MPI")]
fn bad_setups_give_clear_errors() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let no_launcher = local(&["--model-dir", s(&tmp.path().join("a")), "--distributed"]);
    let (out, _) = run(no_launcher);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("no MPI launcher"), "{stderr}");

    let (out, took) = run(mpirun(
        2,
        &[
            "--model-dir",
            s(&tmp.path().join("b")),
            "--hidden-rank1",
            "48",
        ],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("build different models"), "{stderr}");
    assert!(
        stderr.contains("chief:"),
        "rank 1 shows both shapes: {stderr}"
    );
    assert!(took < Duration::from_secs(60));

    // An error on one rank mid-run ends the whole job with that error (MPI_Abort), no hang.
    let dir = tmp.path().join("c");
    let (out, took) = run(mpirun(
        2,
        &[
            "--model-dir",
            s(&dir),
            "--fail-rank",
            "1",
            "--fail-at-step",
            "30",
        ],
    ));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("injected failure at step 30"), "{stderr}");
    println!("an error on rank 1 ended the job in {took:.2?}");
    assert!(took < Duration::from_secs(60));
    assert!(leftover_processes(s(&dir)).is_empty());
}

#[test]
#[cfg_attr(feature = "mpi", ignore = "the MPI tests run instead")]
fn mpi_tests_need_the_mpi_feature() {
    println!("skipped: {IGNORE}");
}
