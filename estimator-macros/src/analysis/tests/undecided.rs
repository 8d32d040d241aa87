//! What the analysis cannot decide is left to the runtime check, never an error: conditions not
//! about `mode`, user predicates, unknown macros, labeled blocks.

use super::*;

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
