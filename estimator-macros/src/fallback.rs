//! Fail-soft output: on a signature error, the user's item comes back unchanged next to the
//! errors, so one mistake gives one error and the rest of the code still resolves.

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Item, ItemFn};

/// The user's function as written, plus every recorded error.
pub fn item(cx: Ctxt, item: &ItemFn) -> TokenStream {
    let errors = cx.into_compile_errors();
    quote!(#item #errors)
}

/// `#[model_fn]` on something that is not a function: an error on its keyword and name.
pub fn not_a_function(mut cx: Ctxt, input: TokenStream) -> TokenStream {
    let (what, span): (&str, TokenStream) = match syn::parse2::<Item>(input.clone()) {
        Ok(item) => describe(&item),
        Err(_) => ("this item", input.clone().into_iter().take(2).collect()),
    };
    cx.error_spanned_by(
        span,
        format_args!("`#[model_fn]` applies to a free function, not to {what}"),
    );
    let errors = cx.into_compile_errors();
    quote!(#input #errors)
}

fn describe(item: &Item) -> (&'static str, TokenStream) {
    match item {
        Item::Struct(s) => ("a struct", {
            let (k, i) = (&s.struct_token, &s.ident);
            quote!(#k #i)
        }),
        Item::Enum(e) => ("an enum", {
            let (k, i) = (&e.enum_token, &e.ident);
            quote!(#k #i)
        }),
        Item::Const(c) => ("a constant", {
            let (k, i) = (&c.const_token, &c.ident);
            quote!(#k #i)
        }),
        Item::Static(s) => ("a static", {
            let (k, i) = (&s.static_token, &s.ident);
            quote!(#k #i)
        }),
        Item::Mod(m) => ("a module", {
            let (k, i) = (&m.mod_token, &m.ident);
            quote!(#k #i)
        }),
        Item::Trait(t) => ("a trait", {
            let (k, i) = (&t.trait_token, &t.ident);
            quote!(#k #i)
        }),
        Item::Impl(i) => ("an impl block", {
            let k = &i.impl_token;
            quote!(#k)
        }),
        Item::Type(t) => ("a type alias", {
            let (k, i) = (&t.type_token, &t.ident);
            quote!(#k #i)
        }),
        Item::Use(u) => ("a `use` item", {
            let k = &u.use_token;
            quote!(#k)
        }),
        other => (
            "this item",
            other.to_token_stream().into_iter().take(2).collect(),
        ),
    }
}
