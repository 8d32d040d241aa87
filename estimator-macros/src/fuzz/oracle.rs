//! What the macro must do with an input, decided here from the contract rather than by
//! asking the macro's own stages.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::{FnArg, GenericArgument, ItemFn, Pat, PathArguments, ReturnType, Type};

const ROLES: [&str; 6] = ["model", "features", "labels", "mode", "params", "config"];

/// Whether `tokens` hold a `compile_error` anywhere.
pub fn has_compile_error(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        TokenTree::Ident(i) => i == "compile_error",
        TokenTree::Group(g) => has_compile_error(&g.stream()),
        _ => false,
    })
}

/// The messages of the top-level `compile_error! { "..." }` invocations.
pub fn messages(tokens: &TokenStream) -> Vec<String> {
    let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
    tts.windows(3)
        .filter_map(|w| match w {
            [
                TokenTree::Ident(i),
                TokenTree::Punct(p),
                TokenTree::Group(g),
            ] if i == "compile_error" && p.as_char() == '!' => {
                syn::parse2::<syn::LitStr>(g.stream())
                    .ok()
                    .map(|s| s.value())
            }
            _ => None,
        })
        .collect()
}

/// Whether a message is about the body (a missing field or a literal name), not the item.
pub fn is_body_message(message: &str) -> bool {
    ["missing ", "metric name ", "several export outputs "]
        .iter()
        .any(|p| message.starts_with(p))
}

/// The `(field, mode variant)` pairs of the "missing FIELD for ModeKeys::X and ..." messages.
pub fn missing_pairs(messages: &[String]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for m in messages {
        let first = m.lines().next().unwrap_or_default();
        let Some(rest) = first.strip_prefix("missing ") else {
            continue;
        };
        let Some((field, rest)) = rest.split_once(" for ") else {
            continue;
        };
        let modes = rest.split_once(": ").map_or(rest, |(modes, _)| modes);
        for mode in modes.split(" and ") {
            let variant = mode.trim_start_matches("ModeKeys::");
            pairs.push((field.to_string(), variant.to_string()));
        }
    }
    pairs
}

/// Token trees with invisible (`Delimiter::None`) groups opened: such groups are transparent.
fn transparent(tokens: &TokenStream) -> Vec<TokenTree> {
    tokens
        .clone()
        .into_iter()
        .flat_map(|tt| match tt {
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => transparent(&g.stream()),
            other => vec![other],
        })
        .collect()
}

fn has_empty_invisible(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        TokenTree::Group(g) if g.delimiter() == Delimiter::None => {
            g.stream().is_empty() || has_empty_invisible(&g.stream())
        }
        _ => false,
    })
}

/// Whether the attribute's arguments are empty or `crate = "path"` (with a trailing comma).
/// An empty invisible group is not nothing: it is a token where none is expected.
pub fn args_ok(args: &TokenStream) -> bool {
    let tts = transparent(args);
    if has_empty_invisible(args) {
        return false;
    }
    match tts.as_slice() {
        [] => true,
        [
            TokenTree::Ident(k),
            TokenTree::Punct(eq),
            TokenTree::Literal(lit),
            rest @ ..,
        ] if k == "crate" && eq.as_char() == '=' => {
            let comma = match rest {
                [] => true,
                [TokenTree::Punct(c)] => c.as_char() == ',',
                _ => false,
            };
            let path = syn::parse2::<syn::LitStr>(TokenTree::Literal(lit.clone()).into())
                .ok()
                .and_then(|s| s.parse::<syn::Path>().ok());
            comma && path.is_some()
        }
        _ => false,
    }
}

/// Why the contract says `#[model_fn]` must reject `input`, or `None` if its item is fine
/// (the body may still miss fields).
pub fn item_defect(input: &TokenStream) -> Option<&'static str> {
    let Ok(item) = syn::parse2::<ItemFn>(input.clone()) else {
        return Some("not a function");
    };
    let sig = &item.sig;
    if sig.asyncness.is_some() {
        return Some("async");
    }
    // Generic parameters (lifetimes, types, consts) are accepted.
    if sig.variadic.is_some() {
        return Some("variadic");
    }
    match &sig.output {
        ReturnType::Default => return Some("no return type"),
        ReturnType::Type(_, ty) if !names(ty, "EstimatorSpec") => return Some("return type"),
        ReturnType::Type(..) => {}
    }
    let mut roles: Vec<&str> = Vec::new();
    for input in &sig.inputs {
        let FnArg::Typed(typed) = input else {
            return Some("receiver");
        };
        let Pat::Ident(p) = &*typed.pat else {
            return Some("pattern");
        };
        if p.by_ref.is_some() || p.subpat.is_some() {
            return Some("pattern");
        }
        let name = p.ident.to_string();
        let Some(role) = ROLES
            .into_iter()
            .find(|r| *r == name.trim_start_matches('_'))
        else {
            return Some("unknown parameter");
        };
        if roles.contains(&role) {
            return Some("duplicate parameter");
        }
        roles.push(role);
        if let Some(why) = type_defect(role, &typed.ty) {
            return Some(why);
        }
    }
    if !roles.contains(&"mode") || !roles.contains(&"features") {
        return Some("missing mode or features");
    }
    None
}

fn type_defect(role: &str, ty: &Type) -> Option<&'static str> {
    let ty = peel(ty);
    match role {
        "mode" if !may_be_mode_keys(ty) => Some("mode type"),
        "labels" if !is_option(ty) => Some("labels type"),
        "model" | "params" | "config" => match ty {
            Type::Reference(r) if r.mutability.is_none() => {
                (role == "config" && !names(&r.elem, "RunConfig")).then_some("config type")
            }
            _ => Some("not a shared borrow"),
        },
        "features" if matches!(ty, Type::ImplTrait(_)) => Some("impl Trait"),
        _ => None,
    }
}

/// `ty` without invisible groups and parentheses around it.
fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => peel(&g.elem),
        Type::Paren(p) => peel(&p.elem),
        other => other,
    }
}

/// `ModeKeys`, or a plain path without generic arguments that could be an alias of it: the
/// standard library's scalar and string types and `Self` cannot be.
fn may_be_mode_keys(ty: &Type) -> bool {
    let Type::Path(p) = peel(ty) else {
        return false;
    };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    let name = last.ident.to_string();
    let std_type = matches!(
        name.as_str(),
        "str"
            | "String"
            | "bool"
            | "char"
            | "f32"
            | "f64"
            | "Self"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
    );
    p.qself.is_none() && (name == "ModeKeys" || (last.arguments.is_none() && !std_type))
}

/// Whether `ty` is a plain path ending in `name`.
fn names(ty: &Type, name: &str) -> bool {
    match peel(ty) {
        Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == name)
        }
        _ => false,
    }
}

fn is_option(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    match &last.arguments {
        PathArguments::AngleBracketed(a) if last.ident == "Option" => {
            a.args.len() == 1 && matches!(a.args.first(), Some(GenericArgument::Type(_)))
        }
        _ => false,
    }
}
