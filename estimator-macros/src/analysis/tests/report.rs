//! The errors as reported: one per missing field and mode group, on the most complete spec, with
//! the notes naming the condition and the `help:` in the spec's own syntax; reserved names;
//! declared modes.

use super::*;

#[test]
fn missing_train_op_in_literal() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            EstimatorSpec { loss: Some(l), predictions: Some(p), ..EstimatorSpec::new(mode) }
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(
        first_line(&errs[0]),
        "missing train_op for ModeKeys::Train: TRAIN requires loss and train_op (\"Missing train_op.\")"
    );
}

#[test]
fn missing_loss_groups_train_and_eval() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            EstimatorSpec::new(mode).predictions(p).train_op(t)
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].starts_with("missing loss for ModeKeys::Train and ModeKeys::Eval"),
        "{}",
        errs[0]
    );
}

#[test]
fn two_mistakes_give_two_errors() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if mode == ModeKeys::Predict { return EstimatorSpec::new(mode); }
            EstimatorSpec { loss: Some(l), train_op: None, ..EstimatorSpec::new(mode) }
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 2, "{errs:#?}");
}

#[test]
fn reserved_metric_names_and_exports() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let m = EvalMetricOps::new().with("accuracy", a).with("loss", b).with("global_step", c);
            let e = ExportOutputs::new().with("a", x).with("b", y);
            let ok = ExportOutputs::new().with("a", x).with("serving_default", y);
            EstimatorSpec::new(mode).loss(l).train_op(t).predictions(p).eval_metric_ops(m).export_outputs(e)
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 3, "{errs:#?}");
    assert!(errs[0].starts_with("metric name \"loss\" is reserved"));
    assert!(errs[1].starts_with("metric name \"global_step\" is reserved"));
    assert!(
        errs[2].starts_with(
            "several export outputs (\"a\", \"b\") and none named \"serving_default\""
        ),
        "{}",
        errs[2]
    );
}

#[test]
fn note_says_which_condition_chose_none() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if mode == ModeKeys::Predict {
                return EstimatorSpec::new(mode).predictions(p);
            }
            let loss = if mode == ModeKeys::Train { Some(l) } else { None };
            let train_op = (mode == ModeKeys::Train).then(|| t);
            EstimatorSpec { loss, train_op, ..EstimatorSpec::new(mode) }
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].contains("\nnote: `loss` is `None` in `ModeKeys::Eval` because `mode == ModeKeys::Train` is false\n"),
        "{}",
        errs[0]
    );
}

#[test]
fn then_note_quotes_the_condition() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let train_op = (mode == ModeKeys::Eval).then(|| t);
            EstimatorSpec::new(mode).predictions(p).loss(l).train_op(train_op)
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].contains("note: `train_op` is `None` in `ModeKeys::Train` because `mode == ModeKeys::Eval` is false"),
        "{}",
        errs[0]
    );
}

#[test]
fn none_under_the_same_condition_gets_one_note() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if mode == ModeKeys::Predict {
                return EstimatorSpec { predictions: None, ..EstimatorSpec::new(mode) };
            }
            EstimatorSpec::new(mode).loss(l).train_op(t)
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].matches("note:").count(), 1, "{}", errs[0]);
}

/// Every return point of TRAIN lacks `train_op`: one error, even behind an unknown condition
/// (whichever way it goes the spec misses the field), on the last of the equally complete
/// specs, with a note naming the other.
#[test]
fn absent_on_every_return_is_one_error_naming_the_others() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if unknown() { return EstimatorSpec::new(mode).loss(a).predictions(p); }
            EstimatorSpec::new(mode).loss(b).predictions(p)
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("missing train_op for ModeKeys::Train"));
    assert!(
        errs[0].contains("may also return `EstimatorSpec::new(mode).loss(a).predictions(p)`"),
        "{}",
        errs[0]
    );
}

/// TF's idiom: predictions only when labels are absent, then a full spec without `train_op`.
/// One error, on the full spec (it has a loss), never on the `let .. else` return.
#[test]
fn let_else_labels_idiom_is_one_error_on_the_full_spec() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, labels: Option<L>, mode: ModeKeys) -> EstimatorSpec {
            let Some(labels) = labels else {
                return EstimatorSpec::new(mode).predictions(p);
            };
            EstimatorSpec::new(mode).predictions(p).loss(l)
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let only = &errs[0];
    assert!(
        only.starts_with("missing train_op for ModeKeys::Train"),
        "{only}"
    );
    assert!(
        only.contains("may also return `EstimatorSpec::new(mode).predictions(p)`"),
        "{only}"
    );
    assert!(
        only.ends_with("help: build it before the spec, `let train_op = TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.01);`, and add `.train_op(train_op)` to this spec"),
        "{only}"
    );
}

/// A `help:` in the syntax the spec is written in: a struct literal's field needs `Some(..)`.
#[test]
fn help_for_a_struct_literal_wraps_the_value_in_some() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            EstimatorSpec { loss: Some(l), predictions: Some(p), ..EstimatorSpec::new(mode) }
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].ends_with("help: build it before the spec, `let train_op = TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.01);`, and write the field as `train_op: Some(train_op)`"),
        "{}",
        errs[0]
    );
}

#[test]
fn declared_modes_limit_the_checks() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            EstimatorSpec::new(mode).predictions(p)
        }
    };
    let mut cx = Ctxt::default();
    let analyses = analysis::analyse(&item.block, "mode");
    check::required_fields(&mut cx, &analyses, &[Mode::Predict]);
    assert!(cx.messages().is_empty(), "{:#?}", cx.messages());
    check::required_fields(&mut cx, &analyses, &[Mode::Eval, Mode::Predict]);
    assert_eq!(cx.messages().len(), 1);
    assert!(cx.messages()[0].starts_with("missing loss for ModeKeys::Eval"));
}
