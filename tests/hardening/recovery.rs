//! Issue 22, item 1: never overwrite what cannot be read. An unreadable index, a corrupt
//! latest checkpoint, a checkpoint whose bytes are another step's and a missing optimizer
//! section each keep the checkpoints on disk and say what happened.

use super::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A model_dir with checkpoints at steps 1, 2 and 3 (one train call of one step each).
fn three_checkpoints(dir: &Path) {
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir)).expect("estimator");
    for _ in 0..3 {
        est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
            .expect("train");
    }
}

/// Every file of `dir` and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("model.ckpt-"))
        .map(|e| (e.path(), std::fs::read(e.path()).expect("read")))
        .collect()
}

/// What `run` logs at WARN and above.
fn warnings_of<T>(run: impl FnOnce() -> T) -> (T, String) {
    let buffer = std::sync::Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || SharedBuffer(sink.clone()))
        .finish();
    let out = tracing::subscriber::with_default(subscriber, run);
    let bytes = buffer.lock().map(|b| b.clone()).unwrap_or_default();
    (out, String::from_utf8_lossy(&bytes).into_owned())
}

struct SharedBuffer(std::sync::Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut inner) = self.0.lock() {
            inner.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn flip_a_byte(path: &Path) {
    let mut bytes = std::fs::read(path).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(path, bytes).expect("write");
}

/// The trial's recipe: `echo > checkpoint` (and its siblings) between two runs.
#[test]
fn an_unreadable_index_resumes_from_the_newest_checkpoint_and_overwrites_nothing() {
    let unreadable: [&[u8]; 5] = [
        b"",
        b"\n",
        b"\x00\xffgarbage\n",
        b"model_checkpoint_path: \"model.ckpt-999\"\n",
        b"all_model_checkpoint_paths: \"gone\"\n",
    ];
    for index in unreadable {
        let dir = tmp();
        three_checkpoints(dir.path());
        let before = snapshot(dir.path());
        std::fs::write(dir.path().join("checkpoint"), index).expect("clobber index");
        let (est, logs) = warnings_of(|| {
            Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))
        });
        let mut est = est.expect("restores");
        assert_eq!(est.global_step(), 3, "{index:?}: resumed, not restarted");
        assert!(
            logs.contains("rebuilt it from the 3 checkpoint files"),
            "{index:?}: {logs}"
        );
        assert!(logs.contains("model.ckpt-3"), "{logs}");
        est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
            .expect("train on");
        let after = snapshot(dir.path());
        for (path, bytes) in &before {
            if let Some(now) = after.get(path) {
                assert_eq!(now, bytes, "{index:?}: {} was overwritten", path.display());
            }
        }
        assert!(dir.path().join("model.ckpt-4").is_file());
    }
}

#[test]
fn no_intact_checkpoint_is_a_typed_error_and_nothing_is_written() {
    let dir = tmp();
    three_checkpoints(dir.path());
    std::fs::write(dir.path().join("checkpoint"), b"\n").expect("clobber index");
    for path in snapshot(dir.path()).keys() {
        flip_a_byte(path);
    }
    let before = snapshot(dir.path());
    let err = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))
        .map(drop)
        .unwrap_err();
    assert!(matches!(err, Error::NoIntactCheckpoint { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("model.ckpt-1") && msg.contains("model.ckpt-3"),
        "{msg}"
    );
    assert_eq!(snapshot(dir.path()), before, "nothing overwritten");
    assert_eq!(
        std::fs::read(dir.path().join("checkpoint")).ok().as_deref(),
        Some(&b"\n"[..])
    );
}

#[test]
fn a_corrupt_latest_falls_back_to_the_newest_intact_one_unless_configured_not_to() {
    let dir = tmp();
    three_checkpoints(dir.path());
    flip_a_byte(&dir.path().join("model.ckpt-3"));
    let (est, logs) =
        warnings_of(|| Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())));
    assert_eq!(est.expect("falls back").global_step(), 2);
    assert!(
        logs.contains("model.ckpt-3"),
        "the warning names it: {logs}"
    );
    assert!(logs.contains("restoring"), "{logs}");
    let strict = config(dir.path()).error_on_corrupt_checkpoint(true);
    let err = Estimator::new(iris_classifier, Net::new(&device()), strict)
        .map(drop)
        .unwrap_err();
    assert!(matches!(err, Error::CorruptCheckpoint { .. }), "{err:?}");
}

/// The trial's recipe: `cp model.ckpt-100 model.ckpt-300`.
#[test]
fn a_latest_holding_an_older_checkpoints_bytes_is_a_typed_error() {
    let dir = tmp();
    three_checkpoints(dir.path());
    std::fs::copy(
        dir.path().join("model.ckpt-1"),
        dir.path().join("model.ckpt-3"),
    )
    .expect("copy");
    let err = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))
        .map(drop)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::CheckpointStepMismatch {
                name_step: 3,
                stored_step: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_missing_optimizer_section_is_a_typed_error_unless_a_reset_is_asked_for() {
    let dir = tmp();
    trained(dir.path(), 2);
    let path = ckpt::latest(dir.path());
    let mut c = Ckpt::read(&path);
    c.sections.retain(|(n, _)| !n.starts_with("optimizer."));
    c.write(&path);
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let err = est
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingOptimizerState {
                step: 2,
                index: 0,
                ..
            }
        ),
        "{err:?}"
    );
    drop(est);
    let reset = config(dir.path()).reset_missing_optimizer_state(true);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), reset).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("a reset optimizer trains on");
    assert_eq!(est.global_step(), 3);
}
