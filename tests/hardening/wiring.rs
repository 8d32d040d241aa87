//! Item 1: RunConfig validation, read limits, seconds settings, event flushing, SessionLog.START.

use super::*;

#[test]
fn new_validates_the_run_config() {
    let dir = tmp();
    for secs in [f64::NAN, f64::INFINITY, -1.0] {
        let config = config(dir.path()).save_checkpoints_secs(secs);
        let err = Estimator::new(iris_classifier, Net::new(&device()), config).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("save_checkpoints_secs")),
            "{secs}: {err:?}"
        );
    }
}

#[test]
fn restore_reads_no_more_than_the_model_can_need() {
    let dir = tmp();
    trained(dir.path(), 1);
    // 100 MB (sparse): far more than a 4-16-3 net's checkpoint, under the 16 GiB default.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(ckpt::latest(dir.path()))
        .expect("open");
    file.set_len(100 << 20).expect("grow");
    let strict = config(dir.path()).error_on_corrupt_checkpoint(true);
    let err = Estimator::new(iris_classifier, Net::new(&device()), strict).err();
    assert!(
        matches!(err, Some(Error::CheckpointTooLarge { size, .. }) if size == 100 << 20),
        "{err:?}"
    );
    // By default it is skipped; with no other checkpoint, none is intact (issue 22).
    let err = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).err();
    assert!(
        matches!(&err, Some(Error::NoIntactCheckpoint { skipped, .. }) if skipped.contains("over the limit")),
        "{err:?}"
    );
}

#[test]
fn max_secs_and_throttle_secs_are_checked_not_panicking() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    for secs in [f64::INFINITY, f64::NAN, -1.0] {
        let args = TrainArgs::steps(1).and_max_secs(secs);
        let err = est.train(stream(iris(), 16, device()), args).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m.contains("max_secs")),
            "{secs}: {err:?}"
        );
    }
    // Finite but past what an Instant holds: no deadline, no overflow.
    let args = TrainArgs::steps(2).and_max_secs(1e18);
    let summary = est
        .train(stream(iris(), 16, device()), args)
        .expect("train");
    assert_eq!(summary.steps, 2);
    let eval = EvalSpec::new(|| vec![batch(&iris(), &device())]).throttle_secs(f64::NAN);
    let train = TrainSpec::new(stream(iris(), 16, device()), Some(4));
    let err = train_and_evaluate(&mut est, train, eval).err();
    assert!(
        matches!(&err, Some(Error::Config(m)) if m.contains("throttle_secs")),
        "{err:?}"
    );
}

/// The event files under `dir` (not its subdirectories), concatenated.
fn event_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("events.out.tfevents")
        {
            out.extend(std::fs::read(entry.path()).expect("read events"));
        }
    }
    out
}

/// At step 3, checks that step 2's loss scalar is on disk (its checkpoint flushed it).
struct EventsOnDisk {
    dir: std::path::PathBuf,
    seen: std::rc::Rc<std::cell::Cell<bool>>,
}

impl Hook for EventsOnDisk {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if ctx.global_step == 3 {
            let bytes = event_bytes(&self.dir);
            self.seen
                .set(bytes.windows(4).any(|w| w == b"loss") && bytes.len() > 60);
        }
        Ok(())
    }
}

#[test]
fn events_are_flushed_at_every_checkpoint() {
    let dir = tmp();
    let config = config(dir.path())
        .save_checkpoints_steps(1)
        .save_summary_steps(1);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config).expect("new");
    let seen = std::rc::Rc::new(std::cell::Cell::new(false));
    let hook = EventsOnDisk {
        dir: dir.path().to_path_buf(),
        seen: seen.clone(),
    };
    est.train(stream(iris(), 16, device()), TrainArgs::steps(4).hook(hook))
        .expect("train");
    assert!(
        seen.get(),
        "the loss events of step 2 were on disk at step 3"
    );
}

#[test]
fn a_resumed_call_writes_session_log_start() {
    let dir = tmp();
    trained(dir.path(), 2);
    // SessionLog { status: START } as Event field 6 (see summary/proto.rs).
    let start = [0x32, 2, 0x08, 1];
    assert!(!event_bytes(dir.path()).windows(4).any(|w| w == start));
    trained(dir.path(), 1);
    let bytes = event_bytes(dir.path());
    let at = bytes.windows(4).position(|w| w == start);
    assert!(at.is_some(), "SessionLog.START written on resume");
    // The event's step (field 2) precedes it: step 2, where the run resumed.
    let at = at.unwrap_or(0);
    assert_eq!(&bytes[at - 2..at], &[0x10, 2]);
}
