//! The `#[model_fn]` attribute of [`estimator-runtime`](https://docs.rs/estimator-runtime).
//!
//! Users depend on `estimator-runtime`, which re-exports this macro; see its documentation.
//! The macro is a pipeline, one stage per module, driven by [`expand_model_fn`]:
//! [`args`] → [`signature`] → [`analysis`] → [`check`] → [`expand`] (or [`fallback`]).

mod analysis;
mod args;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod peel;
mod signature;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod snapshots;

use proc_macro2::TokenStream;

/// Turns a TF-style `model_fn` into a value that `Estimator::new` accepts, and checks at
/// compile time that every mode's return path carries the fields that mode needs.
///
/// # Parameters
/// Recognised by name, as TF does: `mode: ModeKeys` and `features` are required; `model: &M`,
/// `labels: Option<L>`, `params: &P` and `config: &RunConfig` are optional, in any order.
///
/// # What is checked
/// For each of TRAIN, EVAL and PREDICT the macro evaluates every condition on `mode` it can
/// (`==`, `!=`, `!`, `&&`, `||`, `matches!`, `match mode`, `if let` / `let .. else` /
/// `while let` on mode patterns, guards, bindings of `mode`, and `let` bindings of those) and
/// collects every return point that mode may reach. A required field (`loss` and `train_op`
/// in TRAIN, `loss` in EVAL, `predictions` in PREDICT) is a compile error only when it is
/// absent at **every** return point the mode may reach: the macro never rejects a program
/// that could be valid. Anything it cannot decide (a condition not about `mode` such as
/// `if let Some(labels) = labels`, a user predicate, a spec built in a helper, a macro it does
/// not know, which might `return`) is left to TF's runtime check, which the Estimator runs on
/// every spec.
///
/// # Arguments
/// - `#[model_fn(modes(predict))]`: the model_fn supports only these modes (any of `train`,
///   `eval`, `predict`). Only they are checked, and the Estimator refuses the others with
///   `Error::UnsupportedMode`: a serving-only model_fn needs no loss.
/// - `#[model_fn(crate = "path")]`: the path of `estimator_runtime` in generated code.
///
/// # The annotated name
/// It becomes a `const` value implementing `ModelFn`, callable like the function (the call
/// returns the validated spec) and accepted by `Estimator::new`. Inside the model_fn's own
/// body its name is an ordinary binding (`fn model(model: &Net, ..)` is fine). Elsewhere in the
/// same module it is a constant, so a `let` binding of the same name there
/// (`let classifier = Estimator::new(classifier, ..)`) is read by Rust as a constant pattern:
/// name the binding differently (`let estimator = ..`).
///
/// # Generic model_fns
/// Type and const parameters, with bounds and `where` clauses, are accepted
/// (`fn head_fn<M: Logits>(model: &M, ..)`), and lifetimes as before. Rust has no generic
/// `const`, so the name of a generic model_fn becomes a `const fn` with the same generics and
/// no arguments, returning the same `ModelFnValue` a non-generic model_fn's `const` holds. The
/// user chooses the parameters with a turbofish and calls it:
/// `Estimator::new(head_fn::<Mlp>(), model, config)`. This form was chosen because it works
/// for every parameter, including one only the body uses (`R::LEARNING_RATE`), which nothing
/// could infer; a missing choice is rustc's "type annotations needed" at the use site, and an
/// unsatisfied bound is rustc's error on the chosen type. Being `const`, it also gives a
/// specialised model_fn a name of its own:
/// `const LINEAR_HEAD: ModelFnValue<Linear, ..> = head_fn::<Linear>();`. A direct call is
/// `head_fn::<Mlp>()(&model, features, labels, mode)`. The body is checked per mode as any
/// other. A model_fn with lifetime parameters only is not generic in this sense and keeps the
/// `const` form.
#[proc_macro_attribute]
pub fn model_fn(
    args: proc_macro::TokenStream,
    input: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    expand_model_fn(args.into(), input.into()).into()
}

/// The pipeline on `proc_macro2` tokens: never panics, always returns tokens. Every stage
/// records its errors in one [`ctxt::Ctxt`], so all of them are reported together.
fn expand_model_fn(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut cx = ctxt::Ctxt::default();
    let args = args::Args::parse(&mut cx, args);
    let item: syn::ItemFn = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => return fallback::not_a_function(cx, input),
    };
    let sig = signature::Signature::parse(&mut cx, &item);
    let signature_ok = cx.is_empty();
    let analyses = match sig.get(signature::Role::Mode) {
        Some(mode) => analysis::analyse(&item.block, &mode.ident.to_string()),
        None => Vec::new(),
    };
    check::required_fields(&mut cx, &analyses, &args.modes);
    check::literal_names(&mut cx, &analysis::literal_names(&item.block));
    if signature_ok {
        let calls: expand::SpecCalls = analyses
            .iter()
            .filter(|a| args.modes.contains(&a.mode))
            .map(|a| (a.mode, a.spec_calls()))
            .collect();
        let expanded = expand::model_fn(&args, &item, &sig, &calls);
        let errors = cx.into_compile_errors();
        quote::quote!(#expanded #errors)
    } else {
        fallback::item(cx, &args, &item, &sig.with_recovered())
    }
}
