//! The type each role takes: `mode: ModeKeys`, `labels: Option<L>`, `&M` for the model, params
//! and config; what the Estimator sees is the inner type (`M`, `L`, `P`).

use super::{Role, role_name};
use crate::ctxt::Ctxt;
use syn::{GenericArgument, PathArguments, Type};

/// `T` for `labels: T` that is not an `Option`: the labels type the user meant, since
/// `Option<T>` is what the error asks for. Nothing for other roles.
pub(super) fn intended_labels(role: Role, ty: &Type) -> Option<Type> {
    let ty = crate::peel::ty(ty);
    let usable = !matches!(ty, Type::ImplTrait(_) | Type::Infer(_));
    (role == Role::Labels && usable).then(|| ty.clone())
}

pub(super) fn inner_type(cx: &mut Ctxt, role: Role, ty: &Type) -> Option<Type> {
    let ty = crate::peel::ty(ty);
    if let Some(impl_trait) = impl_trait_in(ty) {
        // Argument-position `impl Trait` is a type parameter without a name: the expansion
        // must name the type (`ModelFnValue<M, ..>`), and a turbofish cannot choose it.
        cx.error_spanned_by(impl_trait, "a model_fn cannot take `impl Trait`\nhelp: name the type, or declare a type parameter, `fn f<T: Trait>(..)`, and choose it where the model_fn is used: `f::<MyType>()`");
        return None;
    }
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

/// The first `impl Trait` inside `ty` (`impl Trait`, `&impl Trait`, `Option<impl Trait>`).
fn impl_trait_in(ty: &Type) -> Option<&syn::TypeImplTrait> {
    struct Find<'a>(Option<&'a syn::TypeImplTrait>);
    impl<'a> syn::visit::Visit<'a> for Find<'a> {
        fn visit_type_impl_trait(&mut self, found: &'a syn::TypeImplTrait) {
            self.0.get_or_insert(found);
        }
    }
    let mut find = Find(None);
    syn::visit::Visit::visit_type(&mut find, ty);
    find.0
}
