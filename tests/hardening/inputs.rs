//! Issue 22, item 4: inputs that are wrong are errors, not quiet successes.

use super::*;
use estimator_runtime::feature_column::{FeatureError, read_csv};

#[test]
fn evaluate_over_no_batches_is_a_typed_error_not_loss_0() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let err = est
        .evaluate(Vec::<Batch>::new(), EvalArgs::default())
        .unwrap_err();
    assert!(matches!(err, Error::EmptyEvaluation), "{err:?}");
    assert!(err.to_string().contains("TF would report 0"), "{err}");
    let err = est
        .evaluate(stream(iris(), 16, device()).take(0), EvalArgs::default())
        .unwrap_err();
    assert!(matches!(err, Error::EmptyEvaluation), "{err:?}");
}

/// The trial's recipes: a second `species` column (every label became the last one), a
/// header-only file, a short row and `1e40`.
#[test]
fn the_trials_csvs_are_errors_naming_the_line() {
    let penguins = include_str!("../../examples/data/penguins.csv");
    let mut lines = penguins.lines();
    let header = lines.next().expect("header");
    let doubled: String = std::iter::once(format!("{header},species"))
        .chain(lines.map(|l| format!("{l},Gentoo")))
        .collect::<Vec<_>>()
        .join("\n");
    let cases = [
        (doubled, 1, "twice"),
        (format!("{header}\n"), 1, "no rows"),
        (format!("{header}\nAdelie,Torgersen,39.1\n"), 2, "3 fields"),
        (
            format!("{header}\nAdelie,Torgersen,1e40,18.7,181,3750,male,2007\n"),
            2,
            "bill_length_mm",
        ),
    ];
    let numeric = [
        "bill_length_mm",
        "bill_depth_mm",
        "flipper_length_mm",
        "body_mass_g",
    ];
    for (text, line, needle) in cases {
        let err = read_csv(&text, &numeric).unwrap_err();
        assert!(
            matches!(err, FeatureError::Csv { line: l, .. } if l == line),
            "{needle}: {err:?}"
        );
        assert!(err.to_string().contains(needle), "{err}");
    }
    assert!(
        read_csv(penguins, &numeric).is_ok(),
        "the shipped file still reads"
    );
}
