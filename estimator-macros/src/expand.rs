//! Code generation. Only called on a signature that checked, so it cannot fail.

use crate::analysis;
use crate::args::Args;
use crate::check;
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::signature::{Role, Signature};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, ItemFn, Type};

/// The macro's entry point on `proc_macro2` tokens: never panics, always returns tokens.
pub fn model_fn(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let args = Args::parse(&mut cx, args);
    let item: ItemFn = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => return fallback::not_a_function(cx, input),
    };
    let sig = Signature::parse(&mut cx, &item);
    let signature_ok = cx.is_empty();
    if let Some(mode) = sig.get(Role::Mode) {
        let analyses = analysis::analyse(&item.block, &mode.ident.to_string());
        check::required_fields(&mut cx, &analyses);
    }
    check::literal_names(&mut cx, &item.block);
    if signature_ok {
        let expanded = expand(&args, &item, &sig);
        let errors = cx.into_compile_errors();
        quote!(#expanded #errors)
    } else {
        fallback::item(cx, &item)
    }
}

fn expand(args: &Args, item: &ItemFn, sig: &Signature) -> TokenStream {
    let krate = &args.krate;
    let private = quote!(#krate::__private);
    let name = &item.sig.ident;
    let vis = &item.vis;
    let marker = format_ident!("__estimator_model_fn_{}", name);
    let docs: Vec<_> = item
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let user_fn = user_fn(item);
    let tys: Vec<&Type> = sig.params.iter().map(|p| &p.ty).collect();
    let arg_names: Vec<Ident> = (0..tys.len())
        .map(|i| Ident::new(&format!("__arg{i}"), Span::mixed_site()))
        .collect();
    let inner = |role: Role| {
        sig.get(role).map_or_else(
            || quote!(()),
            |p| {
                let t = &p.inner;
                quote!(#t)
            },
        )
    };
    let (model_ty, features_ty, labels_ty, params_ty) = (
        inner(Role::Model),
        inner(Role::Features),
        inner(Role::Labels),
        inner(Role::Params),
    );
    let call_args = sig.params.iter().map(|p| role_arg(p.role));
    let name_str = name.to_string();
    let span = name.span();
    quote_spanned! {span=>
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #marker { _private: () }

        #(#docs)*
        #[allow(non_upper_case_globals)]
        #vis const #name: #marker = #marker { _private: () };

        impl #marker {
            #user_fn

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

        impl #private::ModelFn for #marker {
            type Model = #model_ty;
            type Features = #features_ty;
            type Labels = #labels_ty;
            type Params = #params_ty;

            fn name(&self) -> &'static str {
                #name_str
            }

            fn call(
                &self,
                model: &Self::Model,
                features: Self::Features,
                labels: ::core::option::Option<Self::Labels>,
                mode: #private::ModeKeys,
                params: &Self::Params,
                config: &#private::RunConfig,
            ) -> #private::EstimatorSpec {
                let _ = (&model, &labels, &params, &config);
                Self::__estimator_model_fn(#(#call_args),*)
            }
        }
    }
}

/// The user's function, unchanged but for its name, as an associated function.
fn user_fn(item: &ItemFn) -> TokenStream {
    let mut inner = item.clone();
    inner.sig.ident = Ident::new("__estimator_model_fn", item.sig.ident.span());
    inner.vis = syn::Visibility::Inherited;
    inner.attrs.retain(|a| !a.path().is_ident("doc"));
    quote! {
        #[allow(clippy::too_many_arguments)]
        #inner
    }
}

fn role_arg(role: Role) -> TokenStream {
    match role {
        Role::Model => quote!(model),
        Role::Features => quote!(features),
        Role::Labels => quote!(labels),
        Role::Mode => quote!(mode),
        Role::Params => quote!(params),
        Role::Config => quote!(config),
    }
}
