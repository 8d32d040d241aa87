//! Parameter roles: TF recognises a model_fn's parameters by name, and so do we.

use crate::ctxt::Ctxt;
use syn::{FnArg, GenericArgument, Ident, ItemFn, Pat, PathArguments, ReturnType, Type};

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
}

impl Signature {
    /// The parameter with `role`, if the user declared one.
    pub fn get(&self, role: Role) -> Option<&Param> {
        self.params.iter().find(|p| p.role == role)
    }

    /// Reads the parameter roles of `item`, recording every mistake in `cx`.
    pub fn parse(cx: &mut Ctxt, item: &ItemFn) -> Signature {
        let sig = &item.sig;
        if let Some(asyncness) = &sig.asyncness {
            cx.error_spanned_by(asyncness, "a model_fn cannot be `async`\n\nhelp: the Estimator calls it once per step; remove `async`");
        }
        if !sig.generics.params.is_empty() {
            cx.error_spanned_by(&sig.generics, "a model_fn cannot be generic\n\nhelp: burn 0.22 tensors carry no backend parameter; name concrete types");
        }
        if let Some(variadic) = &sig.variadic {
            cx.error_spanned_by(variadic, "a model_fn cannot be variadic");
        }
        check_return(cx, &sig.output, sig);
        let mut params: Vec<Param> = Vec::new();
        for input in &sig.inputs {
            if let Some(param) = parse_param(cx, input) {
                if params.iter().any(|p| p.role == param.role) {
                    cx.error_spanned_by(
                        &param.ident,
                        format_args!("duplicate parameter `{}`", role_name(param.role)),
                    );
                } else {
                    params.push(param);
                }
            }
        }
        for (name, role) in [("mode", Role::Mode), ("features", Role::Features)] {
            if !params.iter().any(|p| p.role == role) {
                let span = sig.paren_token.span.join();
                cx.push(syn::Error::new(
                    span,
                    format_args!("a model_fn needs a `{name}` parameter\n\nhelp: TF passes `features`, `labels`, `mode`, `params` and `config` by name; `mode: ModeKeys` and `features` are required"),
                ));
            }
        }
        Signature { params }
    }
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
            "a model_fn must return `EstimatorSpec`\n\nhelp: add `-> EstimatorSpec` after the parameter list",
        ),
        ReturnType::Type(_, ty) if !type_is(ty, "EstimatorSpec") => cx.error_spanned_by(
            ty,
            "a model_fn must return `EstimatorSpec`\n\nnote: the Estimator validates the spec itself; return it, not a `Result`",
        ),
        ReturnType::Type(..) => {}
    }
}

fn parse_param(cx: &mut Ctxt, input: &FnArg) -> Option<Param> {
    let typed = match input {
        FnArg::Receiver(receiver) => {
            cx.error_spanned_by(receiver, "a model_fn cannot take `self`\n\nhelp: write a free function; the model is passed as `model: &M`");
            return None;
        }
        FnArg::Typed(typed) => typed,
    };
    let ident = match &*typed.pat {
        Pat::Ident(pat) if pat.by_ref.is_none() && pat.subpat.is_none() => pat.ident.clone(),
        other => {
            cx.error_spanned_by(other, "expected a parameter name, one of `model`, `features`, `labels`, `mode`, `params`, `config`");
            return None;
        }
    };
    let name = ident.to_string();
    let Some(role) = ROLES
        .iter()
        .find(|(n, _)| *n == name.trim_start_matches('_'))
        .map(|(_, r)| *r)
    else {
        cx.error_spanned_by(&ident, unknown_name_message(&name));
        return None;
    };
    let ty = (*typed.ty).clone();
    let inner = inner_type(cx, role, &ty)?;
    Some(Param {
        role,
        ident,
        ty,
        inner,
    })
}

fn unknown_name_message(name: &str) -> String {
    let mut msg = format!(
        "unknown model_fn parameter `{name}`\n\nnote: TF recognises parameters by name: `model`, `features`, `labels`, `mode`, `params`, `config`"
    );
    if let Some((best, _)) = ROLES.iter().find(|(n, _)| edit_distance(n, name) <= 2) {
        msg.push_str(&format!("\nhelp: did you mean `{best}`?"));
    }
    msg
}

fn inner_type(cx: &mut Ctxt, role: Role, ty: &Type) -> Option<Type> {
    match role {
        Role::Mode if !type_is(ty, "ModeKeys") => {
            cx.error_spanned_by(ty, "`mode` must have type `ModeKeys`");
            None
        }
        Role::Labels => match option_inner(ty) {
            Some(inner) => Some(inner),
            None => {
                cx.error_spanned_by(ty, "`labels` must be an `Option<_>`\n\nnote: labels are `None` in PREDICT, as in TF\nhelp: write `labels: Option<...>`");
                None
            }
        },
        Role::Model | Role::Params | Role::Config => match ty {
            Type::Reference(r) if r.mutability.is_none() => {
                if role == Role::Config && !type_is(&r.elem, "RunConfig") {
                    cx.error_spanned_by(&r.elem, "`config` must have type `&RunConfig`");
                    return None;
                }
                Some((*r.elem).clone())
            }
            _ => {
                let name = role_name(role);
                cx.error_spanned_by(ty, format_args!("`{name}` must be a shared borrow, like `&T`\n\nnote: the Estimator owns the {name} and lends it to the model_fn"));
                None
            }
        },
        _ if matches!(ty, Type::ImplTrait(_)) => {
            cx.error_spanned_by(ty, "a model_fn cannot take `impl Trait`\n\nhelp: name the concrete type the input yields");
            None
        }
        _ => Some(ty.clone()),
    }
}

/// Whether `ty` is a path whose last segment is `name` (`EstimatorSpec`, `a::EstimatorSpec`).
pub fn type_is(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == name)
        }
        Type::Group(g) => type_is(&g.elem, name),
        Type::Paren(p) => type_is(&p.elem, name),
        _ => false,
    }
}

fn option_inner(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner.clone()),
        _ => None,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn parse(item: ItemFn) -> (Signature, Vec<String>) {
        let mut cx = Ctxt::default();
        let sig = Signature::parse(&mut cx, &item);
        (sig, cx.messages())
    }

    #[test]
    fn recognises_roles_by_name() {
        let (sig, errors) = parse(parse_quote! {
            fn f(model: &Mlp, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys, params: &H, config: &RunConfig) -> EstimatorSpec { todo!() }
        });
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(sig.params.len(), 6);
        let labels = sig.get(Role::Labels).map(|p| &p.inner);
        assert_eq!(quote::quote!(#labels).to_string(), "Tensor < 1 , Int >");
    }

    #[test]
    fn reports_every_signature_mistake() {
        let (_, errors) = parse(parse_quote! {
            async fn f<T>(featurs: T, labels: Tensor<1>, model: Mlp) -> Result<EstimatorSpec, ()> { todo!() }
        });
        assert_eq!(errors.len(), 8, "{errors:#?}");
        assert!(
            errors
                .iter()
                .any(|e| e.contains("did you mean `features`?"))
        );
    }

    #[test]
    fn duplicate_parameter() {
        let (_, errors) = parse(parse_quote! {
            fn f(features: X, mode: ModeKeys, _mode: ModeKeys) -> EstimatorSpec { todo!() }
        });
        assert_eq!(errors, vec!["duplicate parameter `mode`".to_string()]);
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("labels", "label"), 1);
        assert_eq!(edit_distance("mode", "mode"), 0);
    }
}
