//! Issue 22's process-level faults, each run against the crash harness's worker as a real
//! child process: an index clobbered between two runs (`echo > checkpoint`), FIFOs where the
//! index or a checkpoint should be, a planted `eval` symlink, SIGKILLs during saves (their
//! temporary files are removed at the next start), a model_dir swapped under a running
//! trainer, and a lock file that lies about its holder. A worker that does not exit in time
//! counts as a hang and is killed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const WORKER: &str = env!("CARGO_BIN_EXE_crash-worker");
/// Longer than any run here takes on a busy machine, far shorter than "for ever".
const HANG_LIMIT: Duration = Duration::from_secs(120);

/// Runs the worker on `dir` up to `max_steps`; panics if it runs past [`HANG_LIMIT`].
fn run_worker(dir: &Path, max_steps: u64) -> Output {
    run_worker_with(dir, max_steps, &[])
}

fn spawn_worker(dir: &Path, max_steps: u64, extra: &[&str]) -> Child {
    Command::new(WORKER)
        .arg(dir)
        .arg(max_steps.to_string())
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the worker")
}

/// Reads the worker's stdout until a line equal to `line` (or starting with it); false if it
/// ended first.
fn wait_for_line(child: &mut Child, line: &str) -> bool {
    let Some(stdout) = child.stdout.as_mut() else {
        return false;
    };
    let mut reader = BufReader::new(stdout);
    let mut text = String::new();
    while reader.read_line(&mut text).is_ok_and(|n| n > 0) {
        if text.trim_end().starts_with(line) {
            return true;
        }
        text.clear();
    }
    false
}

/// Waits for `child` to exit within [`HANG_LIMIT`]; panics (after killing it) if not.
fn finish(mut child: Child, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("poll the worker").is_none() {
        if start.elapsed() > HANG_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the worker hung for {HANG_LIMIT:?}: {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("worker output")
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

fn run_worker_with(dir: &Path, max_steps: u64, extra: &[&str]) -> Output {
    let child = spawn_worker(dir, max_steps, extra);
    finish(child, &dir.display().to_string())
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
    assert!(
        err.contains("not a regular file") && err.contains("FIFO"),
        "{err}"
    );
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
    assert!(
        err.contains("model.ckpt-10") && err.contains("FIFO"),
        "{err}"
    );
}

/// The trial's recipe: `ln -s /elsewhere model_dir/eval` before an evaluation.
#[cfg(unix)]
#[test]
fn a_planted_eval_symlink_is_refused_and_nothing_is_written_behind_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = tempfile::tempdir().expect("outside");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("eval")).expect("plant");
    let out = run_worker_with(dir.path(), 5, &["--evaluate"]);
    assert!(!out.status.success(), "refused");
    let err = text(&out.stderr);
    assert!(
        err.contains("the runtime writes only inside model_dir") && err.contains("is a symlink"),
        "{err}"
    );
    let leaked = std::fs::read_dir(outside.path())
        .map(|e| e.count())
        .unwrap_or(0);
    assert_eq!(leaked, 0, "nothing written outside model_dir");
    std::fs::remove_file(dir.path().join("eval")).expect("unplant");
    let out = run_worker_with(dir.path(), 5, &["--evaluate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("eval").is_dir());
}

/// The trial's recipe: SIGKILL during checkpoint writes leaves `.model.ckpt-N.tmp-*`; the next
/// trainer's start removes them, and a dead exporter's `.export.tmp-*` too.
#[test]
fn temporaries_of_killed_saves_are_removed_at_the_next_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut left = 0;
    for kill in 0..15 {
        let mut child = spawn_worker(dir.path(), 200, &["--wide"]);
        let saving = format!("saving {}", 10 * (kill + 1));
        if wait_for_line(&mut child, &saving) {
            let _ = child.kill();
        }
        let _ = child.wait();
        left = temporaries(dir.path()).len();
        if left > 0 {
            break;
        }
    }
    eprintln!("temporary files left by the kills: {left}");
    if left == 0 {
        // No kill landed inside a write on this machine: plant what one leaves (a pid above
        // Linux's pid_max, so its writer is dead).
        let name = ".model.ckpt-10.tmp-4194305-0-0123456789abcdef";
        std::fs::write(dir.path().join(name), b"torn").expect("plant");
    }
    let exports = dir.path().join("export/best");
    std::fs::create_dir_all(&exports).expect("export dir");
    // A pid above Linux's pid_max: the exporter that wrote it is dead.
    std::fs::create_dir(exports.join(".export.tmp-4194305-0-0123456789abcdef")).expect("plant");
    let out = run_worker_with(dir.path(), 200, &["--wide"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    assert_eq!(temporaries(&exports), Vec::<String>::new());
}

/// The trial's recipe: `mv model_dir away; mkdir model_dir` under a running trainer.
#[test]
fn a_trainer_whose_model_dir_was_swapped_stops_at_its_next_save() {
    let parent = tempfile::tempdir().expect("temp dir");
    let dir = parent.path().join("model");
    let mut child = spawn_worker(&dir, 1_000_000, &[]);
    assert!(wait_for_line(&mut child, "step 1"), "the worker started");
    std::fs::rename(&dir, parent.path().join("away")).expect("move away");
    std::fs::create_dir(&dir).expect("a fresh model_dir");
    // Drain stdout so the worker never blocks on a full pipe.
    if let Some(stdout) = child.stdout.take() {
        std::thread::spawn(move || {
            std::io::copy(&mut BufReader::new(stdout), &mut std::io::sink())
        });
    }
    let out = finish(child, "after its model_dir was swapped");
    assert!(!out.status.success(), "stopped");
    let err = text(&out.stderr);
    assert!(
        err.contains("is no longer the directory this trainer locked"),
        "{err}"
    );
    assert!(
        checkpoints(&dir).is_empty(),
        "nothing written into the fresh directory"
    );
}

/// A lock file whose pid is wrong (the trial: it names the pid written, not the holder).
#[cfg(target_os = "linux")]
#[test]
fn the_lock_error_names_the_process_the_os_says_holds_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut holder = spawn_worker(dir.path(), 1_000_000, &[]);
    assert!(wait_for_line(&mut holder, "step 1"), "the holder started");
    std::fs::write(dir.path().join("trainer.lock"), b"pid 1\n").expect("lie");
    let second = run_worker(dir.path(), 1_000_000);
    let _ = holder.kill();
    let _ = holder.wait();
    let err = text(&second.stderr);
    let real = format!("pid {}, as the OS says; the file says pid 1", holder.id());
    assert!(
        err.contains("is being trained by another process") && err.contains(&real),
        "{err}"
    );
}
