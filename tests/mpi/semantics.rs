//! Exact semantics under 2 ranks: gradient accumulation, a sharded evaluation, and
//! `train_and_evaluate` killed and restarted.

use super::*;

#[test]
#[cfg_attr(not(feature = "mpi"), ignore = "needs `--features mpi` and Open MPI")]
fn two_ranks_accumulating_two_batches_of_8_match_one_rank_with_batches_of_32() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let (out1, out2) = (tmp.path().join("out1"), tmp.path().join("out2"));
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    ok(local(&[
        "--model-dir",
        s(&one),
        "--out",
        s(&out1),
        "--steps",
        "100",
    ]));
    ok(mpirun(
        2,
        &[
            "--model-dir",
            s(&two),
            "--out",
            s(&out2),
            "--steps",
            "100",
            "--accumulate",
            "2",
        ],
    ));
    assert_eq!((step(&out2, 0), step(&out2, 1)), (100, 100));
    let rel = relative_difference(&weights(&out2, 0), &weights(&out1, 0));
    println!("2 ranks x 2 x B/4 vs 1 rank x B after 100 Adam steps: relative difference {rel:.3e}");
    assert!(rel < 1e-5, "relative difference {rel:e}");
    assert_eq!(weights(&out2, 0), weights(&out2, 1), "the replicas agree");
}

/// The `eval` line(s) a digits evaluation printed: loss, accuracy and AUC bits, batches.
fn eval_lines(out: &Output) -> Vec<(f64, u64, u64, u64)> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("eval "))
        .map(|l| {
            let w: Vec<u64> = l.split(' ').take(4).map(|w| w.parse().unwrap()).collect();
            (f64::from_bits(w[0]), w[1], w[2], w[3])
        })
        .collect()
}

#[test]
#[cfg_attr(not(feature = "mpi"), ignore = "needs `--features mpi` and Open MPI")]
fn a_sharded_evaluation_on_two_ranks_equals_one_process_on_digits() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let one = eval_lines(&ok(local(&[
        "--model-dir",
        s(&tmp.path().join("one")),
        "--eval-digits",
    ])));
    let two = eval_lines(&ok(mpirun(
        2,
        &[
            "--model-dir",
            s(&tmp.path().join("two")),
            "--eval-digits",
            "--sharded",
        ],
    )));
    assert_eq!(one.len(), 1);
    assert_eq!(two.len(), 2, "each rank prints the merged results");
    let (loss, accuracy, auc, batches) = one[0];
    // 1,797 rows in 29 batches (the last of 5 rows): 15 on rank 0, 14 on rank 1.
    assert_eq!(batches, 29);
    for (rank_loss, rank_accuracy, rank_auc, rank_batches) in two {
        assert_eq!(
            (rank_accuracy, rank_batches),
            (accuracy, batches),
            "accuracy exact"
        );
        assert_eq!(rank_auc, auc, "the AUC histograms add up exactly");
        let rel = (rank_loss - loss).abs() / loss.abs();
        assert!(rel < 1e-6, "loss {rank_loss} vs {loss}: {rel:e} relative");
    }
}

/// What the chief of a `--train-and-evaluate` job printed: its evaluations by step and its
/// stop line. Every evaluation of a step must have the same bits whichever run made it.
fn train_and_evaluate_job(
    dir: &Path,
    kill: Option<(usize, u64)>,
    evals: &mut std::collections::BTreeMap<u64, (u64, u64)>,
) -> Option<(u64, bool)> {
    let mut args = vec![
        "--model-dir".to_string(),
        s(dir).to_string(),
        "--train-and-evaluate".into(),
        "--steps".into(),
        "400".into(),
        "--save-steps".into(),
        "10".into(),
    ];
    if let Some((rank, step)) = kill {
        args.extend([
            "--kill-rank".into(),
            rank.to_string(),
            "--kill-at-step".into(),
            step.to_string(),
        ]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, _) = run(mpirun(2, &args));
    assert_eq!(
        out.status.success(),
        kill.is_none(),
        "{kill:?}: {}",
        out.status
    );
    let mut stopped = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let w: Vec<&str> = line.split(' ').collect();
        match w.as_slice() {
            ["eval", step, loss, acc] => {
                let new = (loss.parse().unwrap(), acc.parse().unwrap());
                let old = evals.insert(step.parse().unwrap(), new);
                assert!(
                    old.is_none_or(|o| o == new),
                    "step {step} evaluated differently"
                );
            }
            ["stopped", step, early] => stopped = Some((step.parse().unwrap(), *early == "true")),
            _ => {}
        }
    }
    stopped
}

#[test]
#[cfg_attr(not(feature = "mpi"), ignore = "needs `--features mpi` and Open MPI")]
fn train_and_evaluate_on_two_ranks_killed_after_checkpoints_resumes_as_uninterrupted() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let mut want = std::collections::BTreeMap::new();
    let stopped = train_and_evaluate_job(&tmp.path().join("clean"), None, &mut want);
    let (stop_step, early) = stopped.expect("the clean job finished");
    assert!(early, "early stopping fired (at {stop_step})");
    let crashed = tmp.path().join("crashed");
    let mut got = std::collections::BTreeMap::new();
    // Killed right after the checkpoints of steps 10, 40 and 50, on either rank.
    for (rank, step) in [(1, 11), (0, 41), (1, 51)] {
        let stopped = train_and_evaluate_job(&crashed, Some((rank, step)), &mut got);
        assert!(stopped.is_none(), "the job killed at {step} finished");
    }
    assert_eq!(train_and_evaluate_job(&crashed, None, &mut got), stopped);
    assert_eq!(
        got, want,
        "the same evaluations at the same steps, bit for bit"
    );
}
