//! Issue 22, item 8: predict-only use of a model_dir that cannot be written (the trial: a
//! read-only model_dir refused `Estimator::new`). The read-only directory is a read-only bind
//! mount, so the test needs root and `mount`; elsewhere it skips with a message (as root, a
//! `chmod` would not stop a write).

use super::*;
use std::process::Command;

/// A read-only bind mount of a directory, unmounted on drop.
struct ReadOnlyMount(std::path::PathBuf);

impl ReadOnlyMount {
    fn of(source: &Path, target: &Path) -> Option<ReadOnlyMount> {
        std::fs::create_dir_all(target).ok()?;
        let ok = Command::new("mount")
            .args(["--bind", "-o", "ro"])
            .arg(source)
            .arg(target)
            .status()
            .is_ok_and(|s| s.success());
        let mount = ReadOnlyMount(target.to_path_buf());
        let read_only = std::fs::write(target.join("probe"), b"x").is_err();
        (ok && read_only).then_some(mount)
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_model_dir_serves_predict_and_refuses_train() {
    let (src, mnt) = (tmp(), tmp());
    trained(src.path(), 3);
    let target = mnt.path().join("ro");
    let Some(_mount) = ReadOnlyMount::of(src.path(), &target) else {
        eprintln!("skipped: no read-only bind mount here (needs root and `mount`)");
        return;
    };
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(&target))
        .expect("a read-only model_dir is fine for predict");
    assert_eq!(est.global_step(), 3, "restored");
    let (features, _) = batch(&iris()[..5], &device());
    let predictions: Vec<_> = est
        .predict([features], PredictArgs::default())
        .expect("predict")
        .collect::<Result<_, _>>()
        .expect("predictions");
    assert_eq!(predictions.len(), 5);
    let err = est
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .unwrap_err();
    assert!(err.to_string().contains("Read-only file system"), "{err}");
}
