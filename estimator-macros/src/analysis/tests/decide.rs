//! Conditions on `mode` the analysis decides: comparisons, `match` arms and guards, `if let` /
//! `let .. else` / `while let` on mode patterns, bindings of `mode`, `bool` aliases.

use super::*;

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
