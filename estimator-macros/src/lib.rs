//! The `#[model_fn]` attribute of [`estimator-runtime`](https://docs.rs/estimator-runtime).
//!
//! Users depend on `estimator-runtime`, which re-exports this macro; see its documentation.
//! The macro is a pipeline, one stage per module:
//! [`args`] → [`signature`] → [`analysis`] → [`check`] → [`expand`] (or [`fallback`]).

mod analysis;
mod args;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod signature;

#[cfg(test)]
mod robustness;

use proc_macro::TokenStream;

/// Turns a TF-style `model_fn` into a value that `Estimator::new` accepts, and checks at
/// compile time that every mode's return path carries the fields that mode needs.
///
/// See `estimator_runtime::model_fn` for the full documentation.
#[proc_macro_attribute]
pub fn model_fn(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::model_fn(args.into(), input.into()).into()
}
