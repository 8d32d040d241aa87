//! Arguments of the attribute: `#[model_fn]` or `#[model_fn(crate = "path")]`.

use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Path, parse_quote};

/// The parsed attribute arguments.
pub struct Args {
    /// Path of the runtime crate that generated code names (`::estimator_runtime` by default).
    pub krate: Path,
}

impl Args {
    /// Parses the attribute's arguments, recording every mistake in `cx`.
    pub fn parse(cx: &mut Ctxt, tokens: TokenStream) -> Args {
        let mut krate: Option<Path> = None;
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
            } else {
                Err(meta.error(format_args!(
                    "unknown `model_fn` argument `{}`\nhelp: the only argument is `crate = \"path\"`",
                    meta.path.to_token_stream_string()
                )))
            }
        });
        if let Err(err) = parser.parse2(tokens) {
            cx.push(err);
        }
        Args {
            krate: krate.unwrap_or_else(|| parse_quote!(::estimator_runtime)),
        }
    }
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
    fn unknown_argument_is_an_error() {
        let mut cx = Ctxt::default();
        Args::parse(&mut cx, quote!(crates = "x"));
        assert_eq!(cx.messages().len(), 1);
        assert!(cx.messages()[0].starts_with("unknown `model_fn` argument `crates`"));
    }
}
