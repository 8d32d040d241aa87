//! Issue 22's process-level faults, each run against the crash harness's worker as a real
//! child process: an index clobbered between two runs (`echo > checkpoint`), and FIFOs where
//! the index or a checkpoint should be. A worker that does not exit in time counts as a hang
//! and is killed.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const WORKER: &str = env!("CARGO_BIN_EXE_crash-worker");
/// Longer than any run here takes on a busy machine, far shorter than "for ever".
const HANG_LIMIT: Duration = Duration::from_secs(120);

/// Runs the worker on `dir` up to `max_steps`; panics if it runs past [`HANG_LIMIT`].
fn run_worker(dir: &Path, max_steps: u64) -> Output {
    let mut child = Command::new(WORKER)
        .arg(dir)
        .arg(max_steps.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the worker");
    let start = Instant::now();
    while child.try_wait().expect("poll the worker").is_none() {
        if start.elapsed() > HANG_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the worker hung for {HANG_LIMIT:?} on {}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("worker output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every `model.ckpt-*` file of `dir` and its bytes.
fn checkpoints(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("model.ckpt-"))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).expect("read");
            (n, bytes)
        })
        .collect();
    out.sort();
    out
}

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(rustix::fs::CWD, path, rustix::fs::Mode::RWXU).expect("mkfifo");
}

/// The trial's recipe: `digits --steps N; echo > checkpoint; digits --steps M`.
#[test]
fn a_clobbered_index_between_two_runs_resumes_and_overwrites_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = run_worker(dir.path(), 20);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let before = checkpoints(dir.path());
    assert_eq!(before.len(), 2, "checkpoints at 10 and 20");
    std::fs::write(dir.path().join("checkpoint"), b"\n").expect("echo > checkpoint");
    let second = run_worker(dir.path(), 40);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(
        text(&second.stdout).contains("restored 20"),
        "{}",
        text(&second.stdout)
    );
    let after = checkpoints(dir.path());
    for (name, bytes) in &before {
        let now = after.iter().find(|(n, _)| n == name).map(|(_, b)| b);
        assert_eq!(now, Some(bytes), "{name} was overwritten or deleted");
    }
}

#[test]
fn a_fifo_as_the_index_is_a_typed_error_not_a_hang() {
    let dir = tempfile::tempdir().expect("temp dir");
    mkfifo(&dir.path().join("checkpoint"));
    let out = run_worker(dir.path(), 5);
    assert!(!out.status.success(), "refused");
    let err = text(&out.stderr);
    assert!(err.contains("NotRegularFile") && err.contains("FIFO"), "{err}");
}

#[test]
fn a_fifo_as_the_latest_checkpoint_is_a_typed_error_not_a_hang() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = run_worker(dir.path(), 10);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let latest = dir.path().join("model.ckpt-10");
    std::fs::remove_file(&latest).expect("remove");
    mkfifo(&latest);
    let out = run_worker(dir.path(), 20);
    assert!(!out.status.success(), "refused");
    let err = text(&out.stderr);
    assert!(err.contains("model.ckpt-10") && err.contains("FIFO"), "{err}");
}
