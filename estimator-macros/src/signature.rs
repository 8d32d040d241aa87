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

/// A role an error suggested for an unknown parameter name, with that parameter.
struct Suggested {
    role: Role,
    ident: Ident,
    ty: Type,
}

impl Suggested {
    /// The parameter as the role it was meant to have, if its type fits that role.
    fn recover(&self) -> Option<Param> {
        let ty = crate::peel::ty(&self.ty);
        let inner = inner_type(&mut Ctxt::default(), self.role, ty)?;
        Some(Param {
            role: self.role,
            ident: self.ident.clone(),
            ty: ty.clone(),
            inner,
        })
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

/// Reports each unknown name, with a suggestion where one fits, and returns the roles not yet
/// declared that a suggestion names (each once), so that a missing role is not reported a
/// second time and the fallback can stand the parameter in for it.
fn report_unknown(
    cx: &mut Ctxt,
    unknown: &[(Ident, Type)],
    seen: &[Role],
    missing: &[Role],
) -> Vec<Suggested> {
    let mut suggested: Vec<Suggested> = Vec::new();
    for (ident, ty) in unknown {
        let name = ident.to_string();
        let close = closest_role(name.trim_start_matches('_'), seen);
        let only_missing = match (unknown, missing) {
            ([_], [role]) => Some(*role),
            _ => None,
        };
        let help = match (close, only_missing) {
            (Some(role), _) => Some(format!("did you mean `{}`?", role_name(role))),
            (None, Some(role)) => Some(format!(
                "a model_fn needs a `{0}` parameter: rename `{name}` to `{0}`",
                role_name(role)
            )),
            (None, None) => None,
        };
        let role = close.or(only_missing).filter(|r| !seen.contains(r));
        if let Some(role) = role.filter(|r| suggested.iter().all(|s| s.role != *r)) {
            suggested.push(Suggested {
                role,
                ident: ident.clone(),
                ty: ty.clone(),
            });
        }
        cx.error_spanned_by(ident, unknown_name_message(&name, help.as_deref()));
    }
    suggested
}

/// The role whose name is within two edits of `name`, preferring roles not yet declared.
fn closest_role(name: &str, seen: &[Role]) -> Option<Role> {
    let mut close: Vec<(usize, bool, Role)> = ROLES
        .iter()
        .map(|(n, r)| (edit_distance(n, name), seen.contains(r), *r))
        .filter(|(d, _, _)| *d <= 2)
        .collect();
    close.sort_by_key(|(d, taken, _)| (*taken, *d));
    close.first().map(|(_, _, r)| *r)
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

/// `T` for `labels: T` that is not an `Option`: the labels type the user meant, since
/// `Option<T>` is what the error asks for. Nothing for other roles.
fn intended_labels(role: Role, ty: &Type) -> Option<Type> {
    let ty = crate::peel::ty(ty);
    let usable = !matches!(ty, Type::ImplTrait(_) | Type::Infer(_));
    (role == Role::Labels && usable).then(|| ty.clone())
}

fn unknown_name_message(name: &str, help: Option<&str>) -> String {
    let mut msg = format!(
        "unknown model_fn parameter `{name}`\nnote: TF recognises parameters by name: `model`, `features`, `labels`, `mode`, `params`, `config`"
    );
    if let Some(help) = help {
        msg.push_str("\nhelp: ");
        msg.push_str(help);
    }
    msg
}

fn inner_type(cx: &mut Ctxt, role: Role, ty: &Type) -> Option<Type> {
    let ty = crate::peel::ty(ty);
    match role {
        Role::Mode if !may_be_mode_keys(ty) => {
            cx.error_spanned_by(ty, "`mode` must have type `ModeKeys`\nhelp: write `mode: ModeKeys`; TF's `train`, `eval` and `infer` are `ModeKeys::Train`, `ModeKeys::Eval` and `ModeKeys::Predict`");
            None
        }
        Role::Labels => match option_inner(ty) {
            Some(inner) => Some(inner),
            None => {
                cx.error_spanned_by(ty, "`labels` must be an `Option<_>`\nnote: labels are `None` in PREDICT, as in TF\nhelp: write `labels: Option<...>`");
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
                cx.error_spanned_by(ty, format_args!("`{name}` must be a shared borrow, like `&T`\nnote: the Estimator owns the {name} and lends it to the model_fn"));
                None
            }
        },
        _ if matches!(ty, Type::ImplTrait(_)) => {
            cx.error_spanned_by(ty, "a model_fn cannot take `impl Trait`\nhelp: name the concrete type the input yields");
            None
        }
        _ => Some(ty.clone()),
    }
}

/// Whether `ty` may name `ModeKeys`: `ModeKeys` itself, or a path the macro cannot resolve
/// (an alias such as `use ModeKeys as Mode`), which the generated call then checks against
/// `ModeKeys` (rustc's "mismatched types" on the user's type). Borrows, tuples, generic types
/// and the standard library's scalar and string types are certainly not `ModeKeys`.
fn may_be_mode_keys(ty: &Type) -> bool {
    const NOT_MODE_KEYS: [&str; 19] = [
        "str", "String", "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
        "i32", "i64", "i128", "isize", "f32", "f64", "Self",
    ];
    if type_is(ty, "ModeKeys") {
        return true;
    }
    match crate::peel::ty(ty) {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().is_some_and(|last| {
            matches!(last.arguments, PathArguments::None)
                && !NOT_MODE_KEYS.iter().any(|n| last.ident == n)
        }),
        _ => false,
    }
}

/// Whether `ty` is a path whose last segment is `name` (`EstimatorSpec`, `a::EstimatorSpec`).
pub fn type_is(ty: &Type, name: &str) -> bool {
    match crate::peel::ty(ty) {
        Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == name)
        }
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
            async fn f(featurs: T, labels: Tensor<1>, model: Mlp, ...) -> Result<EstimatorSpec, ()> { todo!() }
        });
        // `featurs` is reported once, with its suggestion, not again as a missing `features`.
        assert_eq!(errors.len(), 7, "{errors:#?}");
        assert!(
            errors
                .iter()
                .any(|e| e.contains("did you mean `features`?"))
        );
    }

    #[test]
    fn misspelled_and_non_option_parameters_are_recovered_for_the_fallback() {
        let (sig, errors) = parse(parse_quote! {
            fn f(feature: Tensor<2>, labels: Tensor<1, Int>, mode: ModeKeys) -> EstimatorSpec { todo!() }
        });
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(sig.get(Role::Features).is_none() && sig.get(Role::Labels).is_none());
        let fallback = sig.with_recovered();
        let inner = |role| {
            let ty = fallback.get(role).map(|p| &p.inner);
            quote::quote!(#ty).to_string()
        };
        assert_eq!(inner(Role::Features), "Tensor < 2 >");
        assert_eq!(inner(Role::Labels), "Tensor < 1 , Int >");
    }

    #[test]
    fn duplicate_parameter() {
        let (_, errors) = parse(parse_quote! {
            fn f(features: X, mode: ModeKeys, _mode: ModeKeys) -> EstimatorSpec { todo!() }
        });
        assert_eq!(errors, vec!["duplicate parameter `mode`".to_string()]);
    }

    #[test]
    fn wrong_type_is_not_also_missing() {
        let (_, errors) = parse(parse_quote! {
            fn f(features: X, mode: &str) -> EstimatorSpec { todo!() }
        });
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(errors[0].starts_with("`mode` must have type `ModeKeys`\n"));
    }

    #[test]
    fn lone_unknown_name_is_offered_the_missing_role() {
        let (_, errors) = parse(parse_quote! {
            fn f(inputs: X, mode: ModeKeys) -> EstimatorSpec { todo!() }
        });
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(
            errors[0].ends_with(
                "help: a model_fn needs a `features` parameter: rename `inputs` to `features`"
            ),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn several_unknown_names_leave_the_missing_role_reported() {
        let (_, errors) = parse(parse_quote! {
            fn f(inputs: X, targets: Y, mode: ModeKeys) -> EstimatorSpec { todo!() }
        });
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[2].starts_with("a model_fn needs a `features` parameter"));
    }

    #[test]
    fn parenthesised_and_invisible_types() {
        let none = proc_macro2::Delimiter::None;
        let labels = proc_macro2::Group::new(none, quote::quote!(Option<L>));
        let (sig, errors) = parse(parse_quote! {
            fn f(features: X, labels: #labels, mode: (ModeKeys), model: (&M)) -> EstimatorSpec { todo!() }
        });
        let labels = sig.get(Role::Labels).map(|p| &p.inner);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(quote::quote!(#labels).to_string(), "L");
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("labels", "label"), 1);
        assert_eq!(edit_distance("mode", "mode"), 0);
    }
}
