//! Event files written by `SummaryWriter` read back with TensorBoard's own `EventAccumulator`.
//!
//! Needs `python3` with the `tensorboard` package (`pip install tensorboard`). Without it these
//! tests print how to run them and pass, so `cargo test --workspace` passes on a machine with
//! nothing but Rust; `ESTIMATOR_REQUIRE_TENSORBOARD=1` (set by `.ci/run`) makes a missing
//! TensorBoard a failure. The pure-Rust read-back in `tests/event_files.rs` always runs.

mod common;

use estimator_runtime::summary::SummaryWriter;
use std::path::Path;
use std::process::Command;

/// Prints, for the directory in argv[1], one line per tag: `tag step,value step,value ...`.
const READ_SCALARS: &str = r#"
import sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
ea = EventAccumulator(sys.argv[1])
ea.Reload()
for tag in sorted(ea.Tags()["scalars"]):
    print(tag, " ".join(f"{e.step},{e.value!r}" for e in ea.Scalars(tag)))
"#;

/// The variable that makes a missing TensorBoard a failure (CI sets it).
const REQUIRE: &str = "ESTIMATOR_REQUIRE_TENSORBOARD";

/// Why `python3 -c "import tensorboard"` cannot run, if it cannot.
fn tensorboard_missing() -> Option<String> {
    let import = Command::new("python3")
        .args(["-c", "import tensorboard"])
        .output();
    match import {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "TensorBoard is not installed for python3 ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("python3 cannot run ({e})")),
    }
}

/// True if the cross-check should run. When TensorBoard is missing it prints how to run the
/// test and returns false, or panics if `ESTIMATOR_REQUIRE_TENSORBOARD=1`.
fn tensorboard_available() -> bool {
    let Some(why) = tensorboard_missing() else {
        return true;
    };
    let how = "install it (`pip install tensorboard`) to run this cross-check";
    if std::env::var(REQUIRE).as_deref() == Ok("1") {
        panic!("\n\n*** {why}: {how} (required because {REQUIRE}=1) ***\n");
    }
    eprintln!(
        "skipping the TensorBoard cross-check: {why}; {how}, or set {REQUIRE}=1 to make it required"
    );
    false
}

/// TensorBoard's view of the scalars in `dir`, one `(tag, [(step, value)])` per tag.
fn read_scalars(dir: &Path) -> Vec<(String, Vec<(u64, f64)>)> {
    let out = Command::new("python3")
        .args(["-c", READ_SCALARS])
        .arg(dir)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "EventAccumulator failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().map(parse_tag_line).collect()
}

fn parse_tag_line(line: &str) -> (String, Vec<(u64, f64)>) {
    let mut words = line.split(' ');
    let tag = words.next().expect("a tag").to_owned();
    let points = words
        .map(|w| {
            let (step, value) = w.split_once(',').expect("step,value");
            (step.parse().expect("step"), value.parse().expect("value"))
        })
        .collect();
    (tag, points)
}

#[test]
fn tensorboard_reads_scalars() -> Result<(), Box<dyn std::error::Error>> {
    if !tensorboard_available() {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let losses = [1.0, 0.5, 0.25, 0.125, 0.0625];
    let mut train = SummaryWriter::create(dir.path())?;
    for (step, loss) in (1..=5).zip(losses) {
        train.scalar("loss", loss, step)?;
    }
    drop(train);
    let mut eval = SummaryWriter::create(&dir.path().join("eval"))?;
    eval.scalar("accuracy", 0.75, 5)?;
    eval.flush()?;

    let expected_loss: Vec<(u64, f64)> = (1..=5).zip(losses).collect();
    assert_eq!(
        read_scalars(dir.path()),
        vec![("loss".to_owned(), expected_loss)]
    );
    assert_eq!(
        read_scalars(&dir.path().join("eval")),
        vec![("accuracy".to_owned(), vec![(5, 0.75)])]
    );
    Ok(())
}

#[test]
fn an_estimator_run_writes_scalars_tensorboard_reads() {
    use common::*;
    use estimator_runtime::prelude::*;
    if !tensorboard_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = iris();
    let cfg = config(dir.path()).save_summary_steps(10);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), cfg).expect("estimator");
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(30))
        .expect("train");
    est.evaluate(vec![batch(&rows, &device())], EvalArgs::default())
        .expect("evaluate");
    let train = read_scalars(dir.path());
    let loss = train
        .iter()
        .find(|(t, _)| t == "loss")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert_eq!(
        loss.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [1, 11, 21],
        "{train:?}"
    );
    assert!(train.iter().any(|(t, _)| t == "learning_rate"), "{train:?}");
    let eval = read_scalars(&dir.path().join("eval"));
    let tags: Vec<&str> = eval.iter().map(|(t, _)| t.as_str()).collect();
    // `average_loss`: the example-weighted mean, next to TF's plain mean `loss`.
    assert_eq!(tags, ["accuracy", "average_loss", "loss"]);
    assert_eq!(eval[0].1.len(), 1);
    assert_eq!(eval[0].1[0].0, 30);
}
