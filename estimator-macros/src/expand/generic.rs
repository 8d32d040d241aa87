//! Generic model_fns. Rust has no generic `const`, so a model_fn with type or const parameters
//! becomes a `const fn` of the same name, with the same generics and no arguments, that returns
//! the `ModelFnValue` a non-generic model_fn's `const` holds: the user picks the parameters with
//! a turbofish where the model_fn is used (`Estimator::new(head_fn::<Mlp>(), ..)`). Being a
//! `const fn`, it can also give a specialised model_fn a `const` of its own.
//!
//! The functions generated inside its body cannot name the outer function's parameters (E0401),
//! so each declares the user's generics again and is named with a turbofish ([`Nested`]). A
//! model_fn with only lifetime parameters is not generic here: it keeps the `const` form.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{GenericParam, Generics, ItemFn};

/// Whether the function has a type or const parameter (lifetimes alone do not count).
pub fn has_type_params(item: &ItemFn) -> bool {
    item.sig
        .generics
        .params
        .iter()
        .any(|p| !matches!(p, GenericParam::Lifetime(_)))
}

/// The generics every nested generated function declares: the user's, when the function is
/// generic, and none otherwise (so a non-generic expansion is unchanged).
pub struct Nested(Option<Generics>);

impl Nested {
    /// The nested generics of `item`.
    pub fn of(item: &ItemFn) -> Nested {
        Nested(has_type_params(item).then(|| item.sig.generics.clone()))
    }

    /// The generics to declare (`<'a, M: Logits>`), the `where` clause, and the turbofish that
    /// names a nested function with the outer function's parameters (`::<M>`): empty tokens
    /// when the function is not generic. Lifetimes are left out of the turbofish and inferred.
    pub fn parts(&self) -> (TokenStream, TokenStream, TokenStream) {
        let Some(generics) = &self.0 else {
            return (TokenStream::new(), TokenStream::new(), TokenStream::new());
        };
        let (decl, _, where_clause) = generics.split_for_impl();
        let args = generics.params.iter().filter_map(|p| match p {
            GenericParam::Type(t) => Some(&t.ident),
            GenericParam::Const(c) => Some(&c.ident),
            GenericParam::Lifetime(_) => None,
        });
        (quote!(#decl), quote!(#where_clause), quote!(::<#(#args),*>))
    }
}

/// The `const fn` named as the user's generic function, with its docs, visibility and
/// generics, returning `ty` (a `ModelFnValue`) built by `init`.
pub fn value_fn(item: &ItemFn, ty: &TokenStream, init: TokenStream) -> TokenStream {
    let (name, vis) = (&item.sig.ident, &item.vis);
    let docs = item.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let (decl, _, where_clause) = item.sig.generics.split_for_impl();
    quote_spanned! {name.span()=>
        #(#docs)*
        #[allow(private_interfaces, clippy::type_complexity, clippy::too_many_arguments)]
        #vis const fn #name #decl () -> #ty #where_clause { #init }
    }
}
