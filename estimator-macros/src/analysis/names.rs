//! Literal names in the body: metric names (`EvalMetricOps::new().with("loss", ..)`) and
//! export output names (`ExportOutputs::new().with("a", ..).with("b", ..)`), for the check.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Block, Expr, ExprMethodCall};

/// Names written as string literals in a `.with(name, ..)` chain.
pub enum LiteralNames {
    /// One metric name, with the literal to point at.
    Metric {
        /// The name.
        name: String,
        /// The literal.
        site: TokenStream,
    },
    /// All the names of one `ExportOutputs` chain (only when every name is a literal), with
    /// the `ExportOutputs::new()` to point at.
    ExportOutputs {
        /// The names, in order.
        names: Vec<String>,
        /// The constructor.
        site: TokenStream,
    },
}

/// Every literal-named chain in `body`.
pub fn literal_names(body: &Block) -> Vec<LiteralNames> {
    let mut visitor = Names {
        out: Vec::new(),
        seen: Vec::new(),
    };
    visitor.visit_block(body);
    visitor.out
}

struct Names {
    out: Vec<LiteralNames>,
    seen: Vec<usize>,
}

/// A `.with(name, value)` chain and the constructor at its root (`EvalMetricOps::new()`).
fn chain(m: &ExprMethodCall) -> (Option<String>, Vec<&ExprMethodCall>) {
    let mut links = vec![m];
    let mut receiver = &*m.receiver;
    loop {
        match crate::peel::expr(receiver) {
            Expr::MethodCall(inner) if inner.method == "with" => {
                links.push(inner);
                receiver = &inner.receiver;
            }
            Expr::Call(call) => {
                let Expr::Path(p) = &*call.func else {
                    return (None, links);
                };
                let segs: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let root = match segs.as_slice() {
                    [.., ty, new] if new == "new" => Some(ty.clone()),
                    _ => None,
                };
                return (root, links);
            }
            _ => return (None, links),
        }
    }
}

fn literal_name(m: &ExprMethodCall) -> Option<(String, &Expr)> {
    let arg = m.args.first()?;
    match crate::peel::expr(arg) {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some((s.value(), arg)),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Names {
    fn visit_expr_method_call(&mut self, m: &'ast ExprMethodCall) {
        let id = m as *const ExprMethodCall as usize;
        if m.method == "with" && !self.seen.contains(&id) {
            let (root, links) = chain(m);
            self.seen
                .extend(links.iter().map(|l| *l as *const ExprMethodCall as usize));
            match root.as_deref() {
                Some("EvalMetricOps") => self.metric_names(&links),
                Some("ExportOutputs") => self.export_names(&links),
                _ => {}
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

impl Names {
    fn metric_names(&mut self, links: &[&ExprMethodCall]) {
        for link in links.iter().rev() {
            if let Some((name, lit)) = literal_name(link) {
                let site = lit.to_token_stream();
                self.out.push(LiteralNames::Metric { name, site });
            }
        }
    }

    /// `links` run from the outermost `.with` inwards, so the last one's receiver is the
    /// `ExportOutputs::new()` an error points at.
    fn export_names(&mut self, links: &[&ExprMethodCall]) {
        let names: Option<Vec<String>> = links
            .iter()
            .rev()
            .map(|l| literal_name(l).map(|(n, _)| n))
            .collect();
        if let (Some(names), Some(innermost)) = (names, links.last()) {
            let site = innermost.receiver.to_token_stream();
            self.out.push(LiteralNames::ExportOutputs { names, site });
        }
    }
}
