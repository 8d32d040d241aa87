//! Code generation. Only called on a signature that checked, so it cannot fail.
//!
//! The annotated name becomes a `const` of the runtime's `ModelFnValue`, which implements
//! `ModelFn` and derefs to a function pointer, so it can be handed to `Estimator::new` and
//! called like the function. The generated functions live in the `const`'s initialiser, so the
//! expansion is valid in a module and in an `impl` block alike. The user's function is kept as written, nested inside a wrapper whose body declares function
//! items named like it and like its parameters: inside the user's body, those shadow any
//! `const` of the same name (this one, or another model_fn's), so a parameter or a `let` with
//! such a name (`fn model(model: &Net, ..)`) is a plain binding and not a constant pattern.

use crate::analysis::{Mode, Site};
use crate::args::Args;
use crate::signature::{Role, Signature};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::{Ident, ItemFn, Type};

mod generic;

pub use generic::has_type_params;

/// Per mode, the calls whose result (a spec the analysis could not read) it may return.
pub type SpecCalls<'a> = Vec<(Mode, Vec<(&'a str, &'a Site)>)>;

/// The expansion of a model_fn whose signature checked.
pub fn model_fn(args: &Args, item: &ItemFn, sig: &Signature, calls: &SpecCalls) -> TokenStream {
    if mentions_self(item) {
        return model_fn_with_self(args, item, sig, calls);
    }
    let private = private(args);
    let tys: Vec<&Type> = sig.params.iter().map(|p| &p.ty).collect();
    let arg_names = arg_names(tys.len());
    let generics = generic::Nested::of(item);
    let wrapper = wrapper(item, &private, &arg_names, &tys, &generics);
    let call = call_fn(&private, sig, &generics);
    let name_str = item.sig.ident.to_string();
    let modes = args.modes.iter().map(|m| mode_tokens(&private, *m));
    let direct = direct_type(&private, &tys);
    let spec_calls = spec_calls(&private, calls);
    let (decl, where_clause, turbofish) = generics.parts();
    let init = quote! {
        #wrapper

        #[allow(clippy::too_many_arguments)]
        fn __estimator_checked #decl (#(#arg_names: #tys),*) -> ::core::result::Result<#private::EstimatorSpec, #private::Error> #where_clause {
            #private::EstimatorSpec::validate(__estimator_model_fn #turbofish (#(#arg_names),*))
        }

        #call

        #private::ModelFnValue::new(
            #name_str,
            &[#(#modes),*],
            __estimator_call #turbofish,
            __estimator_checked #turbofish as #direct,
        )
        #spec_calls
    };
    value(&private, item, (sig, true), &direct, init)
}

/// `.spec_calls(&[(mode, "the call to `helper` at file:line"), ..])`, where a mode may return
/// what a call built; nothing otherwise. `file!()` and `line!()` are spanned at the call, so
/// they name the user's line.
fn spec_calls(private: &TokenStream, calls: &SpecCalls) -> TokenStream {
    let entries: Vec<TokenStream> = calls
        .iter()
        .filter(|(_, sites)| !sites.is_empty())
        .map(|(mode, sites)| {
            let mode = mode_tokens(private, *mode);
            let parts = sites.iter().enumerate().map(|(i, (name, site))| {
                let span = site
                    .tokens
                    .clone()
                    .into_iter()
                    .next()
                    .map_or_else(Span::call_site, |t| t.span());
                let lead = if i == 0 { "" } else { " or " };
                let text = format!("{lead}the call to `{name}` at ");
                quote_spanned!(span=> #text, ::core::file!(), ":", ::core::line!())
            });
            quote!((#mode, ::core::concat!(#(#parts),*)))
        })
        .collect();
    if entries.is_empty() {
        return TokenStream::new();
    }
    quote!(.spec_calls(&[#(#entries),*]))
}

/// Whether the function names `Self` (in its generics' bounds, its parameters or its body):
/// then it is an associated function (`Self` means nothing in a free function), and a nested
/// `fn` could not name `Self` (E0401).
pub fn mentions_self(item: &ItemFn) -> bool {
    fn walk(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tt| match tt {
            proc_macro2::TokenTree::Ident(i) => i == "Self",
            proc_macro2::TokenTree::Group(g) => walk(g.stream()),
            _ => false,
        })
    }
    let generics = &item.sig.generics;
    walk(generics.to_token_stream())
        || walk(generics.where_clause.to_token_stream())
        || walk(item.sig.inputs.to_token_stream())
        || walk(item.block.to_token_stream())
}

/// The expansion of an associated model_fn that names `Self`: the same `const`, but the
/// function becomes a closure (closures in an associated `const`'s initialiser may name
/// `Self`, nested functions may not). Each of the two entry points holds its own copy of that
/// closure, since a function pointer cannot capture one.
fn model_fn_with_self(
    args: &Args,
    item: &ItemFn,
    sig: &Signature,
    calls: &SpecCalls,
) -> TokenStream {
    let private = private(args);
    let tys: Vec<&Type> = sig.params.iter().map(|p| &p.ty).collect();
    let arg_names = arg_names(tys.len());
    let user = user_closure(item, sig, &private);
    let [model_ty, features_ty, labels_ty, params_ty] = role_types(sig, true);
    let call_args = call_args(sig);
    let name_str = item.sig.ident.to_string();
    let modes = args.modes.iter().map(|m| mode_tokens(&private, *m));
    let spec_calls = spec_calls(&private, calls);
    let init = quote! {
        #private::ModelFnValue::new(
            #name_str,
            &[#(#modes),*],
            |__estimator_model: &#model_ty,
             __estimator_features: #features_ty,
             __estimator_labels: ::core::option::Option<#labels_ty>,
             __estimator_mode: #private::ModeKeys,
             __estimator_params: &#params_ty,
             __estimator_config: &#private::RunConfig| -> #private::EstimatorSpec {
                let _ = (&__estimator_model, &__estimator_labels, &__estimator_params, &__estimator_config);
                #user
                __estimator_user_fn(#(#call_args),*)
            },
            |#(#arg_names: #tys),*| -> ::core::result::Result<#private::EstimatorSpec, #private::Error> {
                #user
                #private::EstimatorSpec::validate(__estimator_user_fn(#(#arg_names),*))
            },
        )
        #spec_calls
    };
    value(
        &private,
        item,
        (sig, true),
        &direct_type(&private, &tys),
        init,
    )
}

/// Items that shadow the names of the function and its parameters, then the user's function
/// as a closure bound to `__estimator_user_fn`: its parameters' patterns with the
/// (lifetime-erased) types, and its body.
fn user_closure(item: &ItemFn, sig: &Signature, private: &TokenStream) -> TokenStream {
    let params = item
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(t) => Some(&t.pat),
            syn::FnArg::Receiver(_) => None,
        })
        .zip(&sig.params)
        .map(|(pat, param)| {
            let ty = &param.ty;
            quote!(#pat: #ty)
        });
    let shadows = shadows(item);
    let block = &item.block;
    // The shadowing items sit outside the closure, so that its parameters shadow them.
    quote! {
        #(
            #[allow(dead_code, non_snake_case, clippy::all)]
            fn #shadows() {}
        )*
        let __estimator_user_fn = |#(#params),*| -> #private::EstimatorSpec #block;
    }
}

/// The type of the `const`: `ModelFnValue<Model, Features, Labels, Params, fn(..) -> ..>`, and
/// `ParamsMissing` last when the model_fn takes `params` (an Estimator of it then needs
/// `.with_params(..)` before it runs).
fn value_type(
    private: &TokenStream,
    role_types: &[TokenStream; 4],
    direct: &TokenStream,
    takes_params: bool,
) -> TokenStream {
    let [model, features, labels, params] = role_types;
    let state = takes_params.then(|| quote!(, #private::ParamsMissing));
    quote!(#private::ModelFnValue<#model, #features, #labels, #params, #direct #state>)
}

/// The function pointer type a direct call goes through: the parameters as written.
pub fn direct_type(private: &TokenStream, tys: &[&Type]) -> TokenStream {
    quote!(fn(#(#tys),*) -> ::core::result::Result<#private::EstimatorSpec, #private::Error>)
}

/// The `const` named as the user's function, with its docs and visibility, initialised by a
/// block that holds the generated functions. A `const` is valid both in a module and in an
/// `impl` block, so a model_fn may be an associated function; its type names the roles'
/// types only as generic arguments of a runtime type, so a `pub fn` over a private model type
/// stays valid Rust (the private type in a `pub` item's type is a lint there, allowed).
pub fn value(
    private: &TokenStream,
    item: &ItemFn,
    (sig, known): (&Signature, bool),
    direct: &TokenStream,
    init: TokenStream,
) -> TokenStream {
    let (name, vis) = (&item.sig.ident, &item.vis);
    let docs = item.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let takes_params = sig.get(Role::Params).is_some();
    let ty = value_type(private, &role_types(sig, known), direct, takes_params);
    if generic::has_type_params(item) {
        return generic::value_fn(item, &ty, init);
    }
    quote_spanned! {name.span()=>
        #(#docs)*
        #[allow(non_upper_case_globals, private_interfaces, clippy::type_complexity)]
        #vis const #name: #ty = { #init };
    }
}

/// `::estimator_runtime::__private`, or the `crate = ".."` override's.
pub fn private(args: &Args) -> TokenStream {
    let krate = &args.krate;
    quote!(#krate::__private)
}

/// `call`'s parameters in the user's order. A `mode` type the macro could not resolve (an
/// alias) is checked here: a type that is not `ModeKeys` gets rustc's "mismatched types" on
/// the user's type.
fn call_args(sig: &Signature) -> Vec<TokenStream> {
    sig.params
        .iter()
        .map(|p| match p.role {
            Role::Mode => {
                let span = syn::spanned::Spanned::span(&p.ty);
                Ident::new("__estimator_mode", span).into_token_stream()
            }
            role => role_arg(role),
        })
        .collect()
}

/// `__estimator_call`: the roles in `ModelFn::call`'s order, passed on in the user's order.
fn call_fn(private: &TokenStream, sig: &Signature, generics: &generic::Nested) -> TokenStream {
    let [model_ty, features_ty, labels_ty, params_ty] = role_types(sig, true);
    let call_args = call_args(sig);
    let (decl, where_clause, turbofish) = generics.parts();
    quote! {
        #[allow(clippy::too_many_arguments)]
        fn __estimator_call #decl (
            __estimator_model: &#model_ty,
            __estimator_features: #features_ty,
            __estimator_labels: ::core::option::Option<#labels_ty>,
            __estimator_mode: #private::ModeKeys,
            __estimator_params: &#params_ty,
            __estimator_config: &#private::RunConfig,
        ) -> #private::EstimatorSpec #where_clause {
            let _ = (&__estimator_model, &__estimator_labels, &__estimator_params, &__estimator_config);
            __estimator_model_fn #turbofish (#(#call_args),*)
        }
    }
}

/// The `Model`, `Features`, `Labels` and `Params` types the signature names (`()` for a role it
/// leaves out, or for every role when `known` is false).
pub fn role_types(sig: &Signature, known: bool) -> [TokenStream; 4] {
    [Role::Model, Role::Features, Role::Labels, Role::Params].map(|role| {
        match sig.get(role).filter(|_| known) {
            Some(p) => {
                let t = &p.inner;
                quote!(#t)
            }
            None => quote!(()),
        }
    })
}

fn mode_tokens(private: &TokenStream, mode: Mode) -> TokenStream {
    let variant = Ident::new(mode.variant(), Span::call_site());
    quote!(#private::ModeKeys::#variant)
}

fn arg_names(n: usize) -> Vec<Ident> {
    (0..n)
        .map(|i| Ident::new(&format!("__arg{i}"), Span::mixed_site()))
        .collect()
}

// The names of `call`'s parameters: never a name a user's `const` (or model_fn) could have,
// so that they are bindings and not constant patterns.
fn role_arg(role: Role) -> TokenStream {
    match role {
        Role::Model => quote!(__estimator_model),
        Role::Features => quote!(__estimator_features),
        Role::Labels => quote!(__estimator_labels),
        Role::Mode => quote!(__estimator_mode),
        Role::Params => quote!(__estimator_params),
        Role::Config => quote!(__estimator_config),
    }
}

/// `__estimator_model_fn`: declares items named like the user's function and like each of its
/// parameters (shadowing any `const` of those names, such as another model_fn, inside), then
/// the user's function as written, and calls it. The parameters shadow the dummy items in the
/// body, so the body means what it says.
fn wrapper(
    item: &ItemFn,
    private: &TokenStream,
    arg_names: &[Ident],
    tys: &[&Type],
    generics: &generic::Nested,
) -> TokenStream {
    let name = &item.sig.ident;
    let shadows = shadows(item);
    let mut user = item.clone();
    user.sig.ident = Ident::new("__estimator_user_fn", name.span());
    user.vis = syn::Visibility::Inherited;
    user.attrs.retain(|a| !a.path().is_ident("doc"));
    let (decl, where_clause, turbofish) = generics.parts();
    quote! {
        #[allow(clippy::too_many_arguments)]
        fn __estimator_model_fn #decl (#(#arg_names: #tys),*) -> #private::EstimatorSpec #where_clause {
            #(
                #[allow(dead_code, non_snake_case, clippy::all)]
                fn #shadows() {}
            )*

            #[allow(clippy::too_many_arguments)]
            #user

            __estimator_user_fn #turbofish (#(#arg_names),*)
        }
    }
}

/// The names that items inside the generated code shadow: the function's and its parameters'.
fn shadows(item: &ItemFn) -> Vec<&Ident> {
    let mut shadows: Vec<&Ident> = vec![&item.sig.ident];
    for input in &item.sig.inputs {
        if let syn::FnArg::Typed(t) = input
            && let syn::Pat::Ident(p) = &*t.pat
            && !shadows.iter().any(|s| **s == p.ident)
        {
            shadows.push(&p.ident);
        }
    }
    shadows
}
