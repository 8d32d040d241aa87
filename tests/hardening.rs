//! Hardening (issue 9): untrusted checkpoints, panics from user code, one trainer per model_dir,
//! recovery after a failed call, and TF's semantics where the runtime drifted.

mod common;

use common::ckpt::{self, Ckpt};
use common::*;
use estimator_runtime::hooks::HookContext;
use estimator_runtime::prelude::*;
use estimator_runtime::{EvalSpec, TrainSpec, train_and_evaluate};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A model_dir trained for `steps` steps (its final checkpoint at `steps`).
fn trained(dir: &Path, steps: u64) {
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir)).expect("estimator");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(steps))
        .expect("train");
}

/// Replaces the checkpoint at `old` with `c`, written under the name its step says and named
/// as the latest in the index (a forged checkpoint that passes the name check).
fn replace_with_own_name(dir: &Path, old: &Path, c: &Ckpt) {
    std::fs::remove_file(old).expect("remove the old checkpoint");
    let name = format!("model.ckpt-{}", c.global_step);
    c.write(&dir.join(&name));
    let index =
        format!("model_checkpoint_path: \"{name}\"\nall_model_checkpoint_paths: \"{name}\"\n");
    std::fs::write(dir.join("checkpoint"), index).expect("index");
}

fn corrupt_reason(result: Result<impl Sized, Error>) -> String {
    match result {
        Err(Error::CorruptCheckpoint { reason, .. }) => reason,
        Err(e) => panic!("expected CorruptCheckpoint, got {e:?}"),
        Ok(_) => panic!("expected CorruptCheckpoint, got Ok"),
    }
}

/// Runs `f` on a thread of its own; fails the test if it takes longer than `limit` (a loop
/// that never ends).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not finish within {limit:?}"))
}

#[path = "hardening/checkpoints.rs"]
mod checkpoints;
#[path = "hardening/exports.rs"]
mod exports;
#[path = "hardening/inputs.rs"]
mod inputs;
#[path = "hardening/lifecycle.rs"]
mod lifecycle;
#[path = "hardening/read_only.rs"]
mod read_only;
#[path = "hardening/recovery.rs"]
mod recovery;
#[path = "hardening/semantics.rs"]
mod semantics;
#[path = "hardening/wiring.rs"]
mod wiring;
