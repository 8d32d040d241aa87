//! Unit tests of the analysis and the required-field check, on `parse_quote!` input.

use crate::analysis::{self, Mode, Presence, Value};
use crate::check;
use crate::ctxt::Ctxt;
use syn::{ItemFn, parse_quote};

/// The compile errors the checks give for `item`.
fn errors(item: ItemFn) -> Vec<String> {
    let mut cx = Ctxt::default();
    let analyses = analysis::analyse(&item.block, "mode");
    check::required_fields(&mut cx, &analyses, &Mode::ALL);
    check::literal_names(&mut cx, &analysis::literal_names(&item.block));
    cx.messages()
}

/// The presence of `field` at each return point of `mode`.
fn presences(item: &ItemFn, mode: Mode, field: analysis::Field) -> Vec<Presence> {
    let analyses = analysis::analyse(&item.block, "mode");
    let a = analyses
        .iter()
        .find(|a| a.mode == mode)
        .expect("every mode is analysed");
    a.returns
        .iter()
        .flat_map(|r| match &r.value {
            Value::Spec(c) => c.iter().map(|c| c.presence(field)).collect(),
            _ => vec![Presence::Unknown],
        })
        .collect()
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

#[test]
fn tf_example_is_clean() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, labels: Option<Y>, mode: ModeKeys) -> EstimatorSpec {
            let logits = model.forward(features);
            let predictions = Predictions::new().with("class", logits.clone());
            if mode == ModeKeys::Predict {
                return EstimatorSpec::new(mode).predictions(predictions);
            }
            let loss = loss_fn(logits, labels.unwrap());
            let train_op = if mode == ModeKeys::Train { Some(TrainOp::minimize(loss.clone(), AdamConfig::new(), 1e-3)) } else { None };
            EstimatorSpec { mode, predictions: Some(predictions), loss: Some(loss), train_op, ..EstimatorSpec::new(mode) }
        }
    };
    assert_eq!(errors(item.clone()), Vec::<String>::new());
    assert_eq!(
        presences(&item, Mode::Train, analysis::Field::TrainOp),
        vec![Presence::Present]
    );
    assert_eq!(
        presences(&item, Mode::Eval, analysis::Field::TrainOp),
        vec![Presence::Absent]
    );
}

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
fn match_with_wildcard() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            match mode {
                ModeKeys::Predict => EstimatorSpec::new(mode).predictions(p),
                ModeKeys::Eval => EstimatorSpec::new(mode).loss(l),
                _ => EstimatorSpec::new(mode).loss(l),
            }
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].starts_with("missing train_op for ModeKeys::Train"),
        "{}",
        errs[0]
    );
    assert!(errs[0].contains("`match` arm `_` is taken"), "{}", errs[0]);
}

#[test]
fn or_patterns_and_matches_macro() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let train_op = match mode { ModeKeys::Train => Some(t), ModeKeys::Eval | ModeKeys::Predict => None };
            if matches!(mode, ModeKeys::Eval | ModeKeys::Train) && !(mode != ModeKeys::Train || false) {
                return EstimatorSpec::new(mode).loss(l).train_op(train_op);
            }
            if mode == ModeKeys::Eval { return EstimatorSpec::new(mode).loss(l); }
            EstimatorSpec::new(mode).predictions(p)
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
}

#[test]
fn else_if_chain_reports_the_wrong_branch() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if mode == ModeKeys::Train {
                EstimatorSpec::new(mode).loss(l).train_op(t)
            } else if mode == ModeKeys::Eval {
                EstimatorSpec::new(mode).predictions(p)
            } else {
                EstimatorSpec::new(mode).predictions(p)
            }
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0]
            .starts_with("missing loss for ModeKeys::Eval: EVAL requires loss (\"Missing loss.\")")
    );
}

#[test]
fn shadowed_let_bindings() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let train_op = Some(t);
            let train_op = if mode == ModeKeys::Eval { train_op } else { None };
            EstimatorSpec { loss: Some(l), predictions: Some(p), train_op, ..EstimatorSpec::new(mode) }
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("missing train_op for ModeKeys::Train"));
}

#[test]
fn inner_scope_shadowing_does_not_leak() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let train_op = Some(t);
            { let train_op = None::<TrainOp>; drop(train_op); }
            EstimatorSpec { loss: Some(l), predictions: Some(p), train_op, ..EstimatorSpec::new(mode) }
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
}

#[test]
fn undecidable_paths_are_left_to_the_runtime() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, labels: Option<Y>, mode: ModeKeys) -> EstimatorSpec {
            let Some(labels) = labels else { return EstimatorSpec::new(mode).predictions(p); };
            let train_op = if params.flag { Some(t) } else { None };
            if cfg_flag() { return helper(mode); }
            EstimatorSpec::new(mode).loss(l).train_op(train_op).predictions(p)
        }
    };
    assert_eq!(errors(item.clone()), Vec::<String>::new());
    // The `let .. else` return, the helper's spec, and the tail.
    assert_eq!(
        presences(&item, Mode::Train, analysis::Field::TrainOp),
        vec![Presence::Absent, Presence::Unknown, Presence::Unknown]
    );
}

#[test]
fn mutation_makes_a_spec_unknown_or_tracked() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let mut spec = EstimatorSpec::new(mode).predictions(p);
            spec.loss = Some(l);
            if mode == ModeKeys::Train { spec.train_op = Some(t); }
            for h in hooks { spec = spec.training_hooks(h); }
            spec
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let mut spec = EstimatorSpec::new(mode).predictions(p);
            spec.loss = Some(l);
            spec
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("missing train_op for ModeKeys::Train"));
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
fn bool_aliases_and_then() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let training = mode == ModeKeys::Train;
            let train_op = (!training).then(|| t);
            EstimatorSpec { loss: Some(l), predictions: Some(p), train_op, ..EstimatorSpec::new(mode) }
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("missing train_op for ModeKeys::Train"));
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
fn diverging_macros_end_a_path() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if mode == ModeKeys::Predict { unimplemented!("no serving") }
            EstimatorSpec::new(mode).loss(l).train_op(t)
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
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

/// A body nested deeper than the walker follows: no stack overflow on rustc's 8 MiB stack,
/// the error before the deep part is kept, and the code past the limit is left to the runtime.
#[test]
fn deep_else_if_chain_does_not_overflow() {
    let mut body =
        String::from("if mode == ModeKeys::Predict { return EstimatorSpec::new(mode); }");
    for i in 0..3000 {
        body.push_str(&format!(
            " if flag{i} {{ EstimatorSpec::new(mode).loss(l) }} else"
        ));
    }
    let source = format!(
        "fn f(features: X, mode: ModeKeys) -> EstimatorSpec {{ {body} {{ EstimatorSpec::new(mode) }} }}"
    );
    let walk = move || syn::parse_str(&source).map(errors);
    let thread = std::thread::Builder::new().stack_size(8 << 20).spawn(walk);
    let errs = thread
        .expect("spawn")
        .join()
        .expect("no panic")
        .expect("parses");
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].starts_with("missing predictions for ModeKeys::Predict"),
        "{}",
        errs[0]
    );
}

/// The most common TF idiom: loss and train_op under `if let Some(labels) = labels`, and a
/// predictions-only fall-through. The condition is not about `mode`: nothing is decided.
#[test]
fn if_let_some_labels_is_left_to_the_runtime() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, labels: Option<Y>, mode: ModeKeys) -> EstimatorSpec {
            let predictions = Predictions::from(features.clone());
            if let Some(labels) = labels {
                let loss = loss_fn(features, labels);
                return EstimatorSpec {
                    mode,
                    loss: Some(loss.clone()),
                    train_op: Some(TrainOp::minimize(loss, SgdConfig::new(), 0.1)),
                    predictions: Some(predictions),
                    ..EstimatorSpec::new(mode)
                };
            }
            EstimatorSpec::new(mode).predictions(predictions)
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
}

#[test]
fn user_predicates_are_left_to_the_runtime() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let mut spec = EstimatorSpec::new(mode).loss(l).predictions(p);
            if is_training(mode) { spec = spec.train_op(t); }
            spec
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
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
fn if_let_and_let_else_on_mode_are_decided() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if let ModeKeys::Predict = mode {
                return EstimatorSpec::new(mode).predictions(p);
            }
            let (ModeKeys::Train | ModeKeys::Eval) = mode else {
                return EstimatorSpec::new(mode).predictions(p);
            };
            EstimatorSpec::new(mode).loss(l).train_op(t)
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if let ModeKeys::Predict = mode {
                return EstimatorSpec::new(mode).loss(l);
            }
            let m @ (ModeKeys::Train | ModeKeys::Eval) = mode else { unreachable!() };
            if let ModeKeys::Train = m { return EstimatorSpec::new(mode).loss(l); }
            EstimatorSpec::new(m).loss(l)
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs[0].starts_with("missing train_op for ModeKeys::Train"),
        "{}",
        errs[0]
    );
    assert!(
        errs[1].starts_with("missing predictions for ModeKeys::Predict"),
        "{}",
        errs[1]
    );
}

#[test]
fn bindings_of_mode_in_guards_and_lets_are_mode() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            match mode {
                m if m == ModeKeys::Predict => EstimatorSpec::new(m).predictions(p),
                other => {
                    let current = &other;
                    let train = matches!(*current, k if k == ModeKeys::Train);
                    EstimatorSpec::new(other).loss(l).train_op(train.then(|| t))
                }
            }
        }
    };
    assert_eq!(errors(item.clone()), Vec::<String>::new());
    assert_eq!(
        presences(&item, Mode::Eval, analysis::Field::TrainOp),
        vec![Presence::Absent]
    );
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if let m = mode.clone() && m == ModeKeys::Predict {
                return EstimatorSpec::new(m).loss(l);
            }
            EstimatorSpec::new(mode).loss(l).train_op(t)
        }
    };
    let errs = errors(item);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].starts_with("missing predictions for ModeKeys::Predict"));
}

#[test]
fn while_let_on_mode_is_a_loop_taken_or_not() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            while let ModeKeys::Predict = mode {
                return EstimatorSpec::new(mode).predictions(p);
            }
            EstimatorSpec::new(mode).loss(l).train_op(t)
        }
    };
    assert_eq!(errors(item.clone()), Vec::<String>::new());
    assert_eq!(
        presences(&item, Mode::Train, analysis::Field::Predictions),
        vec![Presence::Absent],
        "the loop body is not reached in TRAIN"
    );
}

/// A macro the analysis does not know may expand to a `return`, and a labeled block may be
/// left by a `break` with any value: both leave the mode to the runtime check.
#[test]
fn unknown_macros_and_labeled_blocks_are_left_to_the_runtime() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            bail_with_full_spec!(mode);
            EstimatorSpec::new(mode).predictions(p)
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            let spec = 'done: {
                if ready() { break 'done EstimatorSpec::new(mode).loss(l).train_op(t).predictions(p); }
                EstimatorSpec::new(mode).predictions(p)
            };
            spec
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            println!("step");
            tracing::info!("mode = {}", mode);
            EstimatorSpec::new(mode).predictions(p)
        }
    };
    let errs = errors(item);
    assert_eq!(
        errs.len(),
        2,
        "known logging macros do not return: {errs:#?}"
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
