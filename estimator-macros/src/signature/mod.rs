//! Parameter roles: TF recognises a model_fn's parameters by name, and so do we. This module
//! reads the signature and each parameter's role; `types` checks the type a role takes, and
//! `suggest` reports unknown names with the role they were probably meant to have.

use crate::ctxt::Ctxt;
use suggest::report_unknown;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};
use types::{inner_type, intended_labels, type_is};

mod suggest;
#[cfg(test)]
mod tests;
mod types;

/// What a parameter is for, decided by its name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    /// `model: &M`, the module the Estimator owns.
    Model,
    /// `features`, whatever the input yields.
    Features,
    /// `labels: Option<L>`, `None` in PREDICT.
    Labels,
    /// `mode: ModeKeys`.
    Mode,
    /// `params: &P`.
    Params,
    /// `config: &RunConfig`.
    Config,
}

const ROLES: [(&str, Role); 6] = [
    ("model", Role::Model),
    ("features", Role::Features),
    ("labels", Role::Labels),
    ("mode", Role::Mode),
    ("params", Role::Params),
    ("config", Role::Config),
];

/// One recognised parameter.
#[derive(Clone)]
pub struct Param {
    /// Its role.
    pub role: Role,
    /// The name as written (it may carry a leading `_`).
    pub ident: Ident,
    /// The type as written.
    pub ty: Type,
    /// The type the Estimator sees: `M` for `&M`, `L` for `Option<L>`, `P` for `&P`.
    pub inner: Type,
}

/// The checked signature: the parameters in the user's order.
pub struct Signature {
    /// Every parameter whose role was recognised, in declaration order.
    pub params: Vec<Param>,
    /// Parameters with an error whose intended role and type are still clear: a misspelled
    /// name the error suggests a role for (`feature`), or `labels: T` where `Option<T>` was
    /// meant. Only the fallback uses them, so that the code calling the model_fn still
    /// type-checks and the one mistake gives one error.
    pub recovered: Vec<Param>,
}

impl Signature {
    /// The parameter with `role`, if the user declared one.
    pub fn get(&self, role: Role) -> Option<&Param> {
        self.params.iter().find(|p| p.role == role)
    }

    /// The signature the fallback stands in for: the checked parameters and the recovered ones.
    pub fn with_recovered(&self) -> Signature {
        let mut params = self.params.clone();
        for param in &self.recovered {
            if params.iter().all(|p| p.role != param.role) {
                params.push(param.clone());
            }
        }
        Signature {
            params,
            recovered: Vec::new(),
        }
    }

    /// Reads the parameter roles of `item`, recording every mistake in `cx`.
    pub fn parse(cx: &mut Ctxt, item: &ItemFn) -> Signature {
        let sig = &item.sig;
        if let Some(asyncness) = &sig.asyncness {
            cx.error_spanned_by(asyncness, "a model_fn cannot be `async`\nhelp: the Estimator calls it once per step; remove `async`");
        }
        // Generic parameters are fine: lifetimes (`fn f<'a>(model: &'a Mlp, ..)`, the Estimator
        // lends every borrow for the call only), and type and const parameters, which the user
        // chooses where the model_fn is used (`head_fn::<Mlp>()`, see `expand::generic`).
        if let Some(variadic) = &sig.variadic {
            cx.error_spanned_by(variadic, "a model_fn cannot be variadic");
        }
        check_return(cx, &sig.output, sig);
        let mut params: Vec<Param> = Vec::new();
        let mut seen: Vec<Role> = Vec::new();
        let mut unknown: Vec<(Ident, Type)> = Vec::new();
        let mut recovered: Vec<Param> = Vec::new();
        for input in &sig.inputs {
            match parse_param(cx, input) {
                Slot::Typed(param) => {
                    if first_of_role(cx, &mut seen, param.role, &param.ident) {
                        params.push(*param);
                    }
                }
                Slot::BadType(role, ident, intended) => {
                    if first_of_role(cx, &mut seen, role, &ident) {
                        recovered.extend(intended.map(|p| *p));
                    }
                }
                Slot::Unknown(ident, ty) => unknown.push((ident, *ty)),
                Slot::Invalid => {}
            }
        }
        let missing: Vec<Role> = [Role::Mode, Role::Features]
            .into_iter()
            .filter(|role| !seen.contains(role))
            .collect();
        let suggested = report_unknown(cx, &unknown, &seen, &missing);
        recovered.extend(suggested.iter().filter_map(|s| s.recover()));
        let suggested: Vec<Role> = suggested.iter().map(|s| s.role).collect();
        for role in missing.into_iter().filter(|r| !suggested.contains(r)) {
            cx.push(syn::Error::new(
                sig.paren_token.span.join(),
                format_args!("a model_fn needs a `{}` parameter\nhelp: TF passes `features`, `labels`, `mode`, `params` and `config` by name; `mode: ModeKeys` and `features` are required", role_name(role)),
            ));
        }
        let mut params = params;
        erase_lifetimes(&sig.generics, &mut params);
        erase_lifetimes(&sig.generics, &mut recovered);
        Signature { params, recovered }
    }
}

/// Replaces the function's own lifetimes (`'a` in `model: &'a Mlp`) by `'_` in the types the
/// expansion repeats outside the function, where `'a` is not declared.
fn erase_lifetimes(generics: &syn::Generics, params: &mut [Param]) {
    struct Erase(Vec<Ident>);
    impl syn::visit_mut::VisitMut for Erase {
        fn visit_lifetime_mut(&mut self, lifetime: &mut syn::Lifetime) {
            if self.0.contains(&lifetime.ident) {
                *lifetime = syn::Lifetime::new("'_", lifetime.span());
            }
        }
    }
    let own: Vec<Ident> = generics
        .lifetimes()
        .map(|l| l.lifetime.ident.clone())
        .collect();
    if own.is_empty() {
        return;
    }
    let mut erase = Erase(own);
    for param in params {
        syn::visit_mut::VisitMut::visit_type_mut(&mut erase, &mut param.ty);
        syn::visit_mut::VisitMut::visit_type_mut(&mut erase, &mut param.inner);
    }
}

/// What one parameter turned out to be.
enum Slot {
    /// A recognised role with a usable type.
    Typed(Box<Param>),
    /// A recognised role whose type is wrong (already reported), with the parameter as it was
    /// meant where that is clear (`labels: T` for `Option<T>`).
    BadType(Role, Ident, Option<Box<Param>>),
    /// A name TF does not know, with its type: reported once the missing roles are known.
    Unknown(Ident, Box<Type>),
    /// A receiver or a pattern (already reported).
    Invalid,
}

/// Records `role` as seen; a second parameter with the same role is an error.
fn first_of_role(cx: &mut Ctxt, seen: &mut Vec<Role>, role: Role, ident: &Ident) -> bool {
    if seen.contains(&role) {
        cx.error_spanned_by(
            ident,
            format_args!("duplicate parameter `{}`", role_name(role)),
        );
        return false;
    }
    seen.push(role);
    true
}

fn role_name(role: Role) -> &'static str {
    ROLES
        .iter()
        .find(|(_, r)| *r == role)
        .map_or("?", |(n, _)| n)
}

fn check_return(cx: &mut Ctxt, output: &ReturnType, sig: &syn::Signature) {
    match output {
        ReturnType::Default => cx.error_spanned_by(
            &sig.ident,
            "a model_fn must return `EstimatorSpec`\nhelp: add `-> EstimatorSpec` after the parameter list",
        ),
        ReturnType::Type(_, ty) if !type_is(ty, "EstimatorSpec") => cx.error_spanned_by(
            ty,
            "a model_fn must return `EstimatorSpec`\nnote: the Estimator validates the spec itself; return it, not a `Result`",
        ),
        ReturnType::Type(..) => {}
    }
}

fn parse_param(cx: &mut Ctxt, input: &FnArg) -> Slot {
    let typed = match input {
        FnArg::Receiver(receiver) => {
            cx.error_spanned_by(receiver, "a model_fn cannot take `self`\nhelp: write a free function; the model is passed as `model: &M`");
            return Slot::Invalid;
        }
        FnArg::Typed(typed) => typed,
    };
    let ident = match &*typed.pat {
        Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
        other => {
            cx.error_spanned_by(other, "expected a parameter name, one of `model`, `features`, `labels`, `mode`, `params`, `config`");
            return Slot::Invalid;
        }
    };
    let name = ident.to_string();
    let Some(role) = ROLES
        .iter()
        .find(|(n, _)| *n == name.trim_start_matches('_'))
        .map(|(_, r)| *r)
    else {
        return Slot::Unknown(ident, typed.ty.clone());
    };
    let ty = (*typed.ty).clone();
    match inner_type(cx, role, &ty) {
        Some(inner) => Slot::Typed(Box::new(Param {
            role,
            ident,
            ty,
            inner,
        })),
        None => {
            let intended = intended_labels(role, &ty).map(|inner| {
                Box::new(Param {
                    role,
                    ident: ident.clone(),
                    ty: ty.clone(),
                    inner,
                })
            });
            Slot::BadType(role, ident, intended)
        }
    }
}
