//! Hardening (issue 9): untrusted checkpoints, panics from user code, one trainer per model_dir,
//! recovery after a failed call, and TF's semantics where the runtime drifted.

mod common;

use burn::optim::lr_scheduler::linear::LinearLrSchedulerConfig;
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

// --- 1. wiring ---------------------------------------------------------------------------

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
    let err = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).err();
    assert!(
        matches!(err, Some(Error::CheckpointTooLarge { size, .. }) if size == 100 << 20),
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

// --- 2. checkpoints with a valid CRC and wrong content ------------------------------------

/// The model section of a checkpoint of `net` (saved by a one-step run).
fn model_section_of(net: Net) -> Vec<u8> {
    let dir = tmp();
    let mut est = Estimator::new(iris_classifier, net, config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("train");
    Ckpt::read(&ckpt::latest(dir.path()))
        .section("model")
        .expect("model section")
        .to_vec()
}

#[test]
fn tensors_missing_extra_or_of_another_shape_are_a_typed_error() {
    let d = device();
    let narrow = Net {
        hidden: nn::LinearConfig::new(4, 8).init(&d),
        output: nn::LinearConfig::new(8, 3).init(&d),
    };
    let no_bias = Net {
        hidden: nn::LinearConfig::new(4, 16).init(&d),
        output: nn::LinearConfig::new(16, 3).with_bias(false).init(&d),
    };
    let cases = [
        ("another shape", model_section_of(narrow)),
        ("a tensor missing", model_section_of(no_bias)),
    ];
    for (what, model) in cases {
        let dir = tmp();
        trained(dir.path(), 1);
        let path = ckpt::latest(dir.path());
        let mut c = Ckpt::read(&path);
        c.set_section("model", model);
        c.write(&path);
        let net = Net::new(&d);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Estimator::new(iris_classifier, net, config(dir.path())).map(drop)
        }));
        let reason = corrupt_reason(result.unwrap_or_else(|_| panic!("{what}: panicked")));
        assert!(reason.contains("does not fit"), "{what}: {reason}");
    }
    // An extra tensor: a full record into a model without the output bias.
    let dir = tmp();
    trained(dir.path(), 1);
    let full = Ckpt::read(&ckpt::latest(dir.path()));
    let path = ckpt::latest(dir.path());
    let mut c = full.clone();
    // The fingerprint must agree with the bias-less model for the record check to be reached.
    let fingerprint = {
        let d2 = tmp();
        let no_bias = Net {
            hidden: nn::LinearConfig::new(4, 16).init(&d),
            output: nn::LinearConfig::new(16, 3).with_bias(false).init(&d),
        };
        let mut est = Estimator::new(iris_classifier, no_bias, config(d2.path())).expect("new");
        est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
            .expect("train");
        Ckpt::read(&ckpt::latest(d2.path()))
            .section("model.signature")
            .expect("fingerprint")
            .to_vec()
    };
    c.set_section("model.signature", fingerprint);
    c.sections.retain(|(n, _)| !n.starts_with("optimizer"));
    c.write(&path);
    let no_bias = Net {
        hidden: nn::LinearConfig::new(4, 16).init(&d),
        output: nn::LinearConfig::new(16, 3).with_bias(false).init(&d),
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Estimator::new(iris_classifier, no_bias, config(dir.path())).map(drop)
    }));
    let reason = corrupt_reason(result.unwrap_or_else(|_| panic!("extra tensor: panicked")));
    assert!(reason.contains("unused"), "{reason}");
}

#[test]
fn optimizer_state_that_does_not_fit_the_parameters_is_a_typed_error() {
    let (a, b) = (tmp(), tmp());
    trained(a.path(), 1);
    let d = device();
    let wide = Net {
        hidden: nn::LinearConfig::new(4, 32).init(&d),
        output: nn::LinearConfig::new(32, 3).init(&d),
    };
    let mut est = Estimator::new(iris_classifier, wide, config(b.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("train");
    let foreign = Ckpt::read(&ckpt::latest(b.path()));
    let path = ckpt::latest(a.path());
    let mut c = Ckpt::read(&path);
    c.set_section(
        "optimizer.0",
        foreign.section("optimizer.0").expect("state").to_vec(),
    );
    c.write(&path);
    let reason =
        corrupt_reason(Estimator::new(iris_classifier, Net::new(&d), config(a.path())).map(drop));
    assert!(reason.contains("optimizer state"), "{reason}");
}

#[test]
fn a_global_step_past_int64_is_a_typed_error() {
    let dir = tmp();
    trained(dir.path(), 1);
    let path = ckpt::latest(dir.path());
    let mut c = Ckpt::read(&path);
    c.global_step = u64::MAX - 1;
    c.write(&path);
    let reason = corrupt_reason(
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).map(drop),
    );
    assert!(reason.contains("int64"), "{reason}");
}

#[test]
fn an_input_position_past_what_the_steps_consumed_is_a_typed_error() {
    let dir = tmp();
    trained(dir.path(), 3);
    let path = ckpt::latest(dir.path());
    let mut c = Ckpt::read(&path);
    c.input_position = u64::MAX - 5;
    c.write(&path);
    let dir_path = dir.path().to_path_buf();
    let err = within(Duration::from_secs(60), move || {
        let mut est =
            Estimator::new(iris_classifier, Net::new(&device()), config(&dir_path)).expect("new");
        // An endless input: skipping u64::MAX batches of it would never end.
        est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
            .err()
            .map(|e| e.to_string())
    });
    assert!(
        err.as_deref().is_some_and(|e| e.contains("input_position")),
        "{err:?}"
    );
}

#[model_fn]
fn scheduled(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let predictions = Predictions::new().with("logits", logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let schedule = LinearLrSchedulerConfig::new(0.1, 0.01, 20)
        .init()
        .expect("a valid schedule");
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), schedule));
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

#[test]
fn a_schedule_fast_forward_to_a_huge_global_step_is_a_typed_error() {
    let dir = tmp();
    let mut est = Estimator::new(scheduled, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("train");
    drop(est);
    let path = ckpt::latest(dir.path());
    let mut c = Ckpt::read(&path);
    c.global_step = 1 << 40;
    c.write(&path);
    let dir_path = dir.path().to_path_buf();
    let err = within(Duration::from_secs(60), move || {
        let mut est =
            Estimator::new(scheduled, Net::new(&device()), config(&dir_path)).expect("new");
        est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
            .err()
            .map(|e| e.to_string())
    });
    assert!(
        err.as_deref().is_some_and(|e| e.contains("fast-forward")),
        "{err:?}"
    );
}

// --- 4. one writer per model_dir; readers fall back ---------------------------------------

#[test]
fn a_second_trainer_gets_an_error_naming_the_holder() {
    let dir = tmp();
    let mut first =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    first
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("train");
    let mut second =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let err = second
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .unwrap_err();
    let pid = format!("pid {}", std::process::id());
    assert!(
        matches!(&err, Error::ModelDirLocked { holder, .. } if *holder == pid),
        "{err:?}"
    );
    assert!(err.to_string().contains(&pid), "{err}");
    // Readers need no lock.
    let results = second
        .evaluate(vec![batch(&iris(), &device())], EvalArgs::default())
        .expect("evaluate while another trains");
    assert_eq!(results.batches, 1);
    first
        .train(stream(iris(), 16, device()), TrainArgs::steps(2))
        .expect("the holder trains on");
    drop(first);
    let summary = second
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("the lock is released on drop");
    assert_eq!(
        summary.global_step, 4,
        "continues from the holder's latest checkpoint"
    );
}

#[test]
fn readers_fall_back_when_the_latest_checkpoint_is_deleted() {
    let dir = tmp();
    let config = config(dir.path()).save_checkpoints_steps(1);
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config.clone()).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(3))
        .expect("train");
    drop(est);
    std::fs::remove_file(dir.path().join("model.ckpt-3")).expect("delete latest");
    let mut reader = Estimator::new(iris_classifier, Net::new(&device()), config).expect("new");
    assert_eq!(reader.global_step(), 2);
    let results = reader
        .evaluate(
            vec![batch(&iris(), &device())],
            EvalArgs::default().checkpoint_path(dir.path()),
        )
        .expect("evaluate the model_dir");
    assert_eq!(results.global_step, 2);
}

// --- 5. panics in user code; recovery after a failed call --------------------------------

#[test]
fn a_model_fn_panic_is_error_model_fn_and_the_estimator_stays_usable() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(2))
        .expect("train");
    let d = device();
    // A batch five features wide: burn panics in the first layer's matmul.
    let wrong = vec![(
        Tensor::<2>::zeros([8, 5], &d),
        Tensor::<1, Int>::zeros([8], &d),
    )];
    let err = est.train(wrong.clone(), TrainArgs::steps(1)).unwrap_err();
    assert!(
        matches!(&err, Error::ModelFn { mode: ModeKeys::Train, message } if !message.is_empty()),
        "{err:?}"
    );
    assert_eq!(est.global_step(), 2);
    assert_eq!(ckpt::latest(dir.path()), dir.path().join("model.ckpt-2"));
    let err = est.evaluate(wrong, EvalArgs::default()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::ModelFn {
                mode: ModeKeys::Eval,
                ..
            }
        ),
        "{err:?}"
    );
    let first = est
        .predict([Tensor::<2>::zeros([3, 5], &d)], PredictArgs::default())
        .expect("predict")
        .next();
    assert!(
        matches!(
            &first,
            Some(Err(Error::ModelFn {
                mode: ModeKeys::Predict,
                ..
            }))
        ),
        "{first:?}"
    );
    let summary = est
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("usable after the panic");
    assert_eq!(summary.global_step, 3);
}

/// Fails at step `at`.
struct FailAt(u64);

impl Hook for FailAt {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if ctx.global_step == self.0 {
            return Err(Error::Config("injected".into()));
        }
        Ok(())
    }
}

#[test]
fn a_failed_call_restores_the_last_checkpoint() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(5))
        .expect("train");
    let at_5 = weights(est.model().expect("model"));
    let err = est
        .train(
            stream(iris(), 16, device()),
            TrainArgs::steps(10).hook(FailAt(8)),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Hook { .. }), "{err:?}");
    assert_eq!(est.global_step(), 5, "back at the last checkpoint");
    assert_eq!(weights(est.model().expect("model")), at_5);
    assert_eq!(ckpt::latest(dir.path()), dir.path().join("model.ckpt-5"));
}

// --- 6. TF's semantics ------------------------------------------------------------------

#[test]
fn eval_loss_is_the_mean_of_batch_losses_and_average_loss_weights_examples() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(20))
        .expect("train");
    let rows = iris();
    let (small, large) = (&rows[..10], &rows[10..100]);
    let mut loss_of = |rows: &[(Vec<f32>, i64)]| {
        est.evaluate(vec![batch(rows, &device())], EvalArgs::default())
            .expect("evaluate")
            .loss
    };
    let (l1, l2) = (loss_of(small), loss_of(large));
    let both = est
        .evaluate(
            vec![batch(small, &device()), batch(large, &device())],
            EvalArgs::default(),
        )
        .expect("evaluate");
    assert!((both.loss - (l1 + l2) / 2.0).abs() < 1e-6, "{both:?}");
    let average = both.metric("average_loss").expect("average_loss");
    assert!((average - (l1 * 10.0 + l2 * 90.0) / 100.0).abs() < 1e-6);
}

#[test]
fn eval_spec_evaluates_100_batches_by_default() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let one_row_batches = || {
        let rows = iris();
        (0..150)
            .map(|i| batch(&rows[i..i + 1], &device()))
            .collect::<Vec<_>>()
    };
    let train = TrainSpec::new(stream(iris(), 16, device()), Some(1));
    let out = train_and_evaluate(&mut est, train, EvalSpec::new(one_row_batches))
        .expect("train_and_evaluate");
    assert_eq!(out.evals[0].batches, 100);
    let train = TrainSpec::new(stream(iris(), 16, device()), Some(2));
    let whole = EvalSpec::new(one_row_batches).whole_input();
    let out = train_and_evaluate(&mut est, train, whole).expect("train_and_evaluate");
    assert_eq!(out.evals[0].batches, 150);
}

static EVAL_LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records evaluation hook points.
struct EvalRecorder;

impl Hook for EvalRecorder {
    fn before_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let entry = format!("before {} {:?}", ctx.global_step, ctx.batch);
        EVAL_LOG
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
        Ok(())
    }
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let entry = format!("after {} {:?}", ctx.global_step, ctx.batch);
        EVAL_LOG
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
        Ok(())
    }
}

#[model_fn]
fn with_eval_hooks(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let predictions = Predictions::new().with("logits", logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    let hooks: Vec<Box<dyn Hook>> = vec![Box::new(EvalRecorder)];
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        evaluation_hooks: hooks,
        ..EstimatorSpec::new(mode)
    }
}

#[test]
fn evaluation_hooks_get_before_step_the_global_step_and_the_batch() {
    let dir = tmp();
    let mut est =
        Estimator::new(with_eval_hooks, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(7))
        .expect("train");
    let rows = iris();
    let batches = vec![batch(&rows[..5], &device()), batch(&rows[5..9], &device())];
    est.evaluate(batches, EvalArgs::default())
        .expect("evaluate");
    let log = EVAL_LOG.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(
        log,
        [
            "before 7 Some(1)",
            "after 7 Some(1)",
            "before 7 Some(2)",
            "after 7 Some(2)"
        ]
    );
}

#[test]
fn steps_zero_or_steps_with_max_steps_are_errors() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let cases = [
        (TrainArgs::steps(0), "Must specify steps > 0, given: 0"),
        (
            TrainArgs::max_steps(0),
            "Must specify max_steps > 0, given: 0",
        ),
        (
            TrainArgs::steps(3).and_max_steps(10),
            "Can not provide both steps and max_steps.",
        ),
    ];
    for (args, message) in cases {
        let err = est.train(stream(iris(), 16, device()), args).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m == message),
            "{message}: {err:?}"
        );
    }
    assert_eq!(est.global_step(), 0);
}

/// The iris net with its first layer renamed.
#[derive(Module, Debug)]
struct Renamed {
    encoder: nn::Linear,
    output: nn::Linear,
}

#[model_fn]
fn renamed_classifier(
    model: &Renamed,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let hidden = burn::tensor::activation::relu(model.encoder.forward(features));
    let logits = model.output.forward(hidden);
    let predictions = Predictions::new().with("logits", logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        ..EstimatorSpec::new(mode)
    }
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().expect("f32 values")
}

#[test]
fn warm_start_renames_parameters_as_var_name_to_prev_var_name() {
    let (a, b, c) = (tmp(), tmp(), tmp());
    let mut source =
        Estimator::new(iris_classifier, Net::new(&device()), config(a.path())).expect("new");
    source
        .train(stream(iris(), 16, device()), TrainArgs::steps(3))
        .expect("train");
    let hidden = values(source.model().expect("model").hidden.weight.val());
    let d = device();
    let fresh = || Renamed {
        encoder: nn::LinearConfig::new(4, 16).init(&d),
        output: nn::LinearConfig::new(16, 3).init(&d),
    };
    let scaffold = Scaffold::new()
        .warm_start_from(a.path())
        .var_name_to_prev_var_name([
            ("encoder.weight", "hidden.weight"),
            ("encoder.bias", "hidden.bias"),
        ]);
    let config_b = config(b.path()).warm_start_from(scaffold);
    let est = Estimator::new(renamed_classifier, fresh(), config_b).expect("warm start");
    let encoder = values(est.model().expect("model").encoder.weight.val());
    assert_eq!(encoder, hidden, "encoder.weight taken from hidden.weight");
    let unused = Scaffold::new()
        .warm_start_from(a.path())
        .var_name_to_prev_var_name([("decoder.weight", "hidden.weight")]);
    let err = Estimator::new(
        renamed_classifier,
        fresh(),
        config(c.path()).warm_start_from(unused),
    )
    .err();
    assert!(
        matches!(&err, Some(Error::Config(m)) if m.contains("were not used") && m.contains("decoder.weight")),
        "{err:?}"
    );
}
