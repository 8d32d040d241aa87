//! Code generation. Only called on a signature that checked, so it cannot fail.
//!
//! The annotated name becomes a `const` of a marker type that implements `ModelFn` and derefs
//! to a function pointer, so it can be handed to `Estimator::new` and called like the function.
//! The user's function is kept as written, nested inside a wrapper whose body declares function
//! items named like it and like its parameters: inside the user's body, those shadow any
//! `const` of the same name (this one, or another model_fn's), so a parameter or a `let` with
//! such a name (`fn model(model: &Net, ..)`) is a plain binding and not a constant pattern.

use crate::analysis::Mode;
use crate::args::Args;
use crate::signature::{Role, Signature};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{Ident, ItemFn, Type};

/// The expansion of a model_fn whose signature checked.
pub fn model_fn(args: &Args, item: &ItemFn, sig: &Signature) -> TokenStream {
    let private = private(args);
    let name = &item.sig.ident;
    let marker = marker(item);
    let tys: Vec<&Type> = sig.params.iter().map(|p| &p.ty).collect();
    let arg_names = arg_names(tys.len());
    let wrapper = wrapper(item, &private, &arg_names, &tys);
    let model_fn_impl = model_fn_impl(args, item, sig);
    let value = value(item, &role_types(sig, true));
    let span = name.span();
    quote_spanned! {span=>
        #value

        impl #marker {
            #wrapper

            #[allow(clippy::too_many_arguments)]
            fn __estimator_checked(#(#arg_names: #tys),*) -> ::core::result::Result<#private::EstimatorSpec, #private::Error> {
                #private::EstimatorSpec::validate(Self::__estimator_model_fn(#(#arg_names),*))
            }

            #[doc(hidden)]
            #[allow(clippy::type_complexity)]
            const __ESTIMATOR_CHECKED: fn(#(#tys),*) -> ::core::result::Result<#private::EstimatorSpec, #private::Error> = Self::__estimator_checked;
        }

        #[allow(clippy::type_complexity)]
        impl ::core::ops::Deref for #marker {
            type Target = fn(#(#tys),*) -> ::core::result::Result<#private::EstimatorSpec, #private::Error>;
            fn deref(&self) -> &Self::Target {
                &Self::__ESTIMATOR_CHECKED
            }
        }

        #model_fn_impl
    }
}

/// `::estimator_runtime::__private`, or the `crate = ".."` override's.
pub fn private(args: &Args) -> TokenStream {
    let krate = &args.krate;
    quote!(#krate::__private)
}

/// The hidden marker type whose `const` carries the annotated name.
pub fn marker(item: &ItemFn) -> Ident {
    format_ident!("__estimator_model_fn_{}", item.sig.ident)
}

/// The marker type and the `const` named as the user's function, with its docs.
///
/// The marker is a generic struct instantiated at the tuple of the model, features, labels and
/// params types, under a type alias named `__estimator_model_fn_<name>` that the impls use. An
/// impl is only as visible as the types it names, so its `type Model = Mlp` stays valid when
/// a `pub fn` takes a private `Mlp` (valid Rust, which an impl for a plain `pub` marker would
/// turn into E0446); and the marker is as visible as the function, so the `const` can be used
/// (and its type named) wherever the function could be called. Private types in the `const`'s
/// and the alias's types are a lint, allowed here, as they are for a `pub fn`.
pub fn value(item: &ItemFn, role_types: &[TokenStream; 4]) -> TokenStream {
    let (name, vis, marker) = (&item.sig.ident, &item.vis, marker(item));
    let generic = format_ident!("__EstimatorModelFn_{}", item.sig.ident);
    let docs = item.attrs.iter().filter(|a| a.path().is_ident("doc"));
    quote_spanned! {name.span()=>
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #generic<T> { _private: ::core::marker::PhantomData<fn() -> T> }

        #[doc(hidden)]
        #[allow(non_camel_case_types, private_interfaces)]
        #vis type #marker = #generic<(#(#role_types),*)>;

        #(#docs)*
        #[allow(non_upper_case_globals, private_interfaces)]
        #vis const #name: #marker = #generic { _private: ::core::marker::PhantomData };
    }
}

/// The `ModelFn` impl: the roles' types, the name, the supported modes, and `call`.
pub fn model_fn_impl(args: &Args, item: &ItemFn, sig: &Signature) -> TokenStream {
    let private = private(args);
    let marker = marker(item);
    let [model_ty, features_ty, labels_ty, params_ty] = role_types(sig, true);
    let call_args = sig.params.iter().map(|p| {
        let arg = role_arg(p.role);
        // A `mode` type the macro could not resolve (an alias) is checked here: a type that is
        // not `ModeKeys` gets rustc's "mismatched types" on the user's type.
        match p.role {
            Role::Mode => {
                let span = syn::spanned::Spanned::span(&p.ty);
                Ident::new("__estimator_mode", span).into_token_stream()
            }
            _ => arg,
        }
    });
    let name_str = item.sig.ident.to_string();
    let modes = args.modes.iter().map(|m| mode_tokens(&private, *m));
    quote_spanned! {item.sig.ident.span()=>
        impl #private::ModelFn for #marker {
            type Model = #model_ty;
            type Features = #features_ty;
            type Labels = #labels_ty;
            type Params = #params_ty;

            fn name(&self) -> &'static str {
                #name_str
            }

            fn modes(&self) -> &'static [#private::ModeKeys] {
                &[#(#modes),*]
            }

            fn call(
                &self,
                __estimator_model: &Self::Model,
                __estimator_features: Self::Features,
                __estimator_labels: ::core::option::Option<Self::Labels>,
                __estimator_mode: #private::ModeKeys,
                __estimator_params: &Self::Params,
                __estimator_config: &#private::RunConfig,
            ) -> #private::EstimatorSpec {
                let _ = (&__estimator_model, &__estimator_labels, &__estimator_params, &__estimator_config);
                Self::__estimator_model_fn(#(#call_args),*)
            }
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
) -> TokenStream {
    let name = &item.sig.ident;
    let mut shadows: Vec<&Ident> = vec![name];
    for input in &item.sig.inputs {
        if let syn::FnArg::Typed(t) = input
            && let syn::Pat::Ident(p) = &*t.pat
            && !shadows.iter().any(|s| **s == p.ident)
        {
            shadows.push(&p.ident);
        }
    }
    let mut user = item.clone();
    user.sig.ident = Ident::new("__estimator_user_fn", name.span());
    user.vis = syn::Visibility::Inherited;
    user.attrs.retain(|a| !a.path().is_ident("doc"));
    quote! {
        #[allow(clippy::too_many_arguments)]
        fn __estimator_model_fn(#(#arg_names: #tys),*) -> #private::EstimatorSpec {
            #(
                #[allow(dead_code, non_snake_case, clippy::all)]
                fn #shadows() {}
            )*

            #[allow(clippy::too_many_arguments)]
            #user

            __estimator_user_fn(#(#arg_names),*)
        }
    }
}
