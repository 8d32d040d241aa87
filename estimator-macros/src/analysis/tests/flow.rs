//! Variables and paths: `let` shadowing and scopes, mutation of a spec, and macros that end a
//! path.

use super::*;

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
fn diverging_macros_end_a_path() {
    let item: ItemFn = parse_quote! {
        fn f(features: X, mode: ModeKeys) -> EstimatorSpec {
            if mode == ModeKeys::Predict { unimplemented!("no serving") }
            EstimatorSpec::new(mode).loss(l).train_op(t)
        }
    };
    assert_eq!(errors(item), Vec::<String>::new());
}
