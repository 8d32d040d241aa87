//! Macro calls: a known diverging macro ends the path, a known plain one is an ordinary
//! expression, and any other may `return` or assign what it names, so it is left to the
//! runtime check.

use super::Walker;
use crate::analysis::env::{Env, Flow};
use crate::analysis::value::Value;

const DIVERGING_MACROS: [&str; 4] = ["panic", "unreachable", "todo", "unimplemented"];

/// Macros known not to return from the function they are called in (unless a `return` is
/// written in their arguments). Any other macro may expand to a `return`, so a path through
/// it is left to the runtime check.
const PLAIN_MACROS: [&str; 30] = [
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "format_args",
    "write",
    "writeln",
    "vec",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "dbg",
    "matches",
    "concat",
    "stringify",
    "line",
    "column",
    "file",
    "module_path",
    "cfg",
    "env",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
];

impl Walker {
    pub(super) fn mac(&mut self, mac: &syn::Macro, env: Env) -> Flow {
        let named = |names: &[&str]| {
            let last = mac.path.segments.last().map(|s| s.ident.to_string());
            last.is_some_and(|l| names.contains(&l.as_str()))
        };
        if named(&DIVERGING_MACROS) {
            return Flow::diverged();
        }
        let mut env = env;
        if !named(&PLAIN_MACROS) || mentions_return(&mac.tokens) {
            // It may return from the function, or assign anything it names.
            self.record(Value::Unknown);
            env.forget(idents_in(&mac.tokens));
        }
        Flow::on(env, Value::Unknown)
    }
}

/// Whether `tokens` hold the keyword `return` (at any depth).
fn mentions_return(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.clone().into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == "return",
        proc_macro2::TokenTree::Group(g) => mentions_return(&g.stream()),
        _ => false,
    })
}

/// Every identifier in `tokens`: the variables a macro might assign.
fn idents_in(tokens: &proc_macro2::TokenStream) -> Vec<String> {
    let mut out = Vec::new();
    for tt in tokens.clone() {
        match tt {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => out.extend(idents_in(&g.stream())),
            _ => {}
        }
    }
    out
}
