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
/// See `estimator_runtime::model_fn` for the full documentation.
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
    if let Some(mode) = sig.get(signature::Role::Mode) {
        let analyses = analysis::analyse(&item.block, &mode.ident.to_string());
        check::required_fields(&mut cx, &analyses, &args.modes);
    }
    check::literal_names(&mut cx, &analysis::literal_names(&item.block));
    if signature_ok {
        let expanded = expand::model_fn(&args, &item, &sig);
        let errors = cx.into_compile_errors();
        quote::quote!(#expanded #errors)
    } else {
        fallback::item(cx, &args, &item, &sig)
    }
}
