//! Fail-soft output: on a signature error, the errors come with the smallest stand-in the rest
//! of the code needs, as thiserror's fallback does: the annotated name is still a value that
//! implements `ModelFn` (with the types the signature names, where it names them), so the
//! user's `Estimator::new(name, ..)` resolves and the one mistake gives one error.

use crate::args::Args;
use crate::ctxt::Ctxt;
use crate::expand;
use crate::signature::Signature;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{FnArg, Item, ItemFn};

/// The errors, the annotated name as a `ModelFn` stand-in, and the user's function kept (under
/// a hidden name) so that rust-analyzer still sees its body.
pub fn item(cx: Ctxt, args: &Args, item: &ItemFn, sig: &Signature) -> TokenStream {
    let errors = cx.into_compile_errors();
    if has_receiver(item) {
        // A method: the attribute sits in an `impl`, where no stand-in item can go.
        return quote!(#item #errors);
    }
    let private = expand::private(args);
    // A `const` stand-in cannot declare the lifetimes its types name; a generic model_fn's
    // stand-in is a `const fn` that declares all of its generics.
    let known = item.sig.generics.params.is_empty() || expand::has_type_params(item);
    let role_types = expand::role_types(sig, known);
    let [model, features, labels, params] = &role_types;
    let name = item.sig.ident.to_string();
    // A function that names `Self` cannot be nested (E0401): then only the stand-in is kept.
    let user = if expand::mentions_self(item) {
        TokenStream::new()
    } else {
        user_fn(item)
    };
    let (direct, direct_fn) = direct(&private, item, known);
    // Closures, not items: an associated model_fn's `Self` may appear in these types, and only
    // closures in the `const`'s initialiser may name it.
    let init = quote! {
        #user

        #private::ModelFnValue::new(
            #name,
            &[],
            |_: &#model,
             _: #features,
             _: ::core::option::Option<#labels>,
             _: #private::ModeKeys,
             _: &#params,
             _: &#private::RunConfig| -> #private::EstimatorSpec {
                ::core::unreachable!("a model_fn with a signature error does not compile")
            },
            #direct_fn,
        )
    };
    let value = expand::value(&private, item, (sig, known), &direct, init);
    quote! {
        #errors
        #value
    }
}

/// The function pointer type a direct call goes through, with the parameter types as written,
/// and a closure of that type (`()` for both when a type cannot go in a function pointer, or
/// names lifetimes the stand-in does not declare (`known` is false), or the function takes
/// `self`).
fn direct(private: &TokenStream, item: &ItemFn, known: bool) -> (TokenStream, TokenStream) {
    let tys: Option<Vec<&syn::Type>> = item
        .sig
        .inputs
        .iter()
        .map(|a| match a {
            FnArg::Typed(t) if !mentions_impl(&t.ty) => Some(&*t.ty),
            FnArg::Typed(_) => None,
            FnArg::Receiver(_) => None,
        })
        .collect();
    match tys {
        Some(tys) if known => {
            let ty = expand::direct_type(private, &tys);
            let f = quote! {
                |#(_: #tys),*| -> ::core::result::Result<#private::EstimatorSpec, #private::Error> {
                    ::core::unreachable!("a model_fn with a signature error does not compile")
                }
            };
            (ty, f)
        }
        _ => (quote!(()), quote!(())),
    }
}

fn has_receiver(item: &ItemFn) -> bool {
    item.sig
        .inputs
        .iter()
        .any(|a| matches!(a, FnArg::Receiver(_)))
}

/// Whether `ty` holds an `impl Trait`, which a function pointer type cannot.
fn mentions_impl(ty: &syn::Type) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => i == "impl",
            proc_macro2::TokenTree::Group(g) => walk(g.stream()),
            _ => false,
        })
    }
    walk(ty.to_token_stream())
}

/// The user's function under a hidden name, as an associated function.
fn user_fn(item: &ItemFn) -> TokenStream {
    let mut user = item.clone();
    user.sig.ident = syn::Ident::new("__estimator_model_fn", item.sig.ident.span());
    user.vis = syn::Visibility::Inherited;
    user.attrs.retain(|a| !a.path().is_ident("doc"));
    quote! {
        #[allow(dead_code, clippy::too_many_arguments)]
        #user
    }
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

/// What `item` is, in words, and its keyword and name (the span an error on it covers).
fn describe(item: &Item) -> (&'static str, TokenStream) {
    fn named(keyword: impl ToTokens, ident: &syn::Ident) -> TokenStream {
        quote!(#keyword #ident)
    }
    match item {
        Item::Struct(s) => ("a struct", named(s.struct_token, &s.ident)),
        Item::Enum(e) => ("an enum", named(e.enum_token, &e.ident)),
        Item::Const(c) => ("a constant", named(c.const_token, &c.ident)),
        Item::Static(s) => ("a static", named(s.static_token, &s.ident)),
        Item::Mod(m) => ("a module", named(m.mod_token, &m.ident)),
        Item::Trait(t) => ("a trait", named(t.trait_token, &t.ident)),
        Item::Type(t) => ("a type alias", named(t.type_token, &t.ident)),
        Item::Impl(i) => ("an impl block", i.impl_token.to_token_stream()),
        Item::Use(u) => ("a `use` item", u.use_token.to_token_stream()),
        other => (
            "this item",
            other.to_token_stream().into_iter().take(2).collect(),
        ),
    }
}
