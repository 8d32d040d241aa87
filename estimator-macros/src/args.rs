//! Arguments of the attribute: `#[model_fn]`, `#[model_fn(crate = "path")]` and
//! `#[model_fn(modes(predict))]`, in any combination.

use crate::analysis::Mode;
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Path, parse_quote};

/// The parsed attribute arguments.
pub struct Args {
    /// Path of the runtime crate that generated code names (`::estimator_runtime` by default).
    pub krate: Path,
    /// The modes the model_fn supports (all three by default); the others are not checked,
    /// and the Estimator refuses to run them. Empty when the arguments have an error: what
    /// the user meant is unknown, so no mode is checked.
    pub modes: Vec<Mode>,
}

impl Args {
    /// Parses the attribute's arguments, recording every mistake in `cx`.
    pub fn parse(cx: &mut Ctxt, tokens: TokenStream) -> Args {
        let mut krate: Option<Path> = None;
        let mut modes: Option<Vec<Mode>> = None;
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("crate") {
                let lit: syn::LitStr = meta.value()?.parse()?;
                if krate.is_some() {
                    return Err(meta.error("duplicate `crate` argument"));
                }
                krate = Some(lit.parse().map_err(|_| {
                    syn::Error::new(
                        lit.span(),
                        "expected a path, like `crate = \"::estimator_runtime\"`",
                    )
                })?);
                Ok(())
            } else if meta.path.is_ident("modes") {
                if modes.is_some() {
                    return Err(meta.error("duplicate `modes` argument"));
                }
                modes = Some(parse_modes(&meta)?);
                Ok(())
            } else {
                Err(meta.error(format_args!(
                    "unknown `model_fn` argument `{}`\nhelp: the arguments are `crate = \"path\"` and `modes(train, eval, predict)`",
                    meta.path.to_token_stream_string()
                )))
            }
        });
        let parsed = parser.parse2(tokens);
        let modes = match parsed {
            Ok(()) => modes.unwrap_or_else(|| Mode::ALL.to_vec()),
            Err(err) => {
                cx.push(err);
                Vec::new()
            }
        };
        Args {
            krate: krate.unwrap_or_else(|| parse_quote!(::estimator_runtime)),
            modes,
        }
    }
}

/// `modes(train, eval, predict)`: a non-empty list of distinct mode names.
fn parse_modes(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Vec<Mode>> {
    let mut modes = Vec::new();
    meta.parse_nested_meta(|m| {
        let mode = ["train", "eval", "predict"]
            .iter()
            .position(|n| m.path.is_ident(n))
            .map(|i| Mode::ALL[i])
            .ok_or_else(|| {
                m.error(format_args!(
                    "unknown mode `{}`\nhelp: the modes are `train`, `eval` and `predict`",
                    m.path.to_token_stream_string()
                ))
            })?;
        if modes.contains(&mode) {
            return Err(m.error("duplicate mode"));
        }
        modes.push(mode);
        Ok(())
    })?;
    if modes.is_empty() {
        return Err(meta.error("`modes(..)` needs at least one of `train`, `eval`, `predict`"));
    }
    modes.sort();
    Ok(modes)
}

trait PathString {
    fn to_token_stream_string(&self) -> String;
}

impl PathString for Path {
    fn to_token_stream_string(&self) -> String {
        quote::quote!(#self).to_string().replace(' ', "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn default_crate_path() {
        let mut cx = Ctxt::default();
        let args = Args::parse(&mut cx, quote!());
        assert!(cx.is_empty());
        let k = &args.krate;
        assert_eq!(
            quote!(#k).to_string(),
            quote!(::estimator_runtime).to_string()
        );
    }

    #[test]
    fn crate_override() {
        let mut cx = Ctxt::default();
        let args = Args::parse(&mut cx, quote!(crate = "my::rt"));
        assert!(cx.is_empty());
        let k = &args.krate;
        assert_eq!(quote!(#k).to_string(), quote!(my::rt).to_string());
    }

    #[test]
    fn modes_list() {
        let mut cx = Ctxt::default();
        let args = Args::parse(&mut cx, quote!(modes(predict, eval), crate = "x"));
        assert!(cx.is_empty(), "{:?}", cx.messages());
        assert_eq!(args.modes, vec![Mode::Eval, Mode::Predict]);
        for bad in [
            quote!(modes()),
            quote!(modes(infer)),
            quote!(modes(eval, eval)),
        ] {
            let mut cx = Ctxt::default();
            Args::parse(&mut cx, bad.clone());
            assert_eq!(cx.messages().len(), 1, "{bad}");
        }
    }

    #[test]
    fn unknown_argument_is_an_error() {
        let mut cx = Ctxt::default();
        Args::parse(&mut cx, quote!(crates = "x"));
        assert_eq!(cx.messages().len(), 1);
        assert!(cx.messages()[0].starts_with("unknown `model_fn` argument `crates`"));
    }
}
