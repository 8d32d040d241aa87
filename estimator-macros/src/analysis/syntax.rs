//! Syntax helpers of the walker: sub-expressions, pattern bindings, and what an expression may
//! mutate.

use super::Mode;
use super::env::Env;
use syn::visit::Visit;
use syn::{Expr, Pat};

pub(super) fn collect_pat_idents(pat: &Pat, out: &mut Vec<String>) {
    struct Idents<'a>(&'a mut Vec<String>);
    impl<'ast> Visit<'ast> for Idents<'_> {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if Mode::from_variant(&p.ident.to_string()).is_none() {
                self.0.push(p.ident.to_string());
            }
            syn::visit::visit_pat_ident(self, p);
        }
    }
    Idents(out).visit_pat(pat);
}

/// The direct sub-expressions of `expr`, in evaluation order.
pub(super) fn children(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Array(a) => a.elems.iter().collect(),
        Expr::Binary(b) => vec![&b.left, &b.right],
        Expr::Call(c) => std::iter::once(&*c.func).chain(c.args.iter()).collect(),
        Expr::Cast(c) => vec![&c.expr],
        Expr::Field(f) => vec![&f.base],
        Expr::Index(i) => vec![&i.expr, &i.index],
        Expr::MethodCall(m) => std::iter::once(&*m.receiver).chain(m.args.iter()).collect(),
        Expr::Range(r) => r.start.iter().chain(r.end.iter()).map(|e| &**e).collect(),
        Expr::Reference(r) => vec![&r.expr],
        Expr::Repeat(r) => vec![&r.expr],
        Expr::Struct(s) => s
            .fields
            .iter()
            .map(|f| &f.expr)
            .chain(s.rest.iter().map(|e| &**e))
            .collect(),
        Expr::Try(t) => vec![&t.expr],
        Expr::Tuple(t) => t.elems.iter().collect(),
        Expr::Unary(u) => vec![&u.expr],
        Expr::Await(a) => vec![&a.base],
        Expr::Let(l) => vec![&l.expr],
        Expr::Break(b) => b.expr.iter().map(|e| &**e).collect(),
        _ => Vec::new(),
    }
}

/// Forgets what is known of variables this expression may mutate in place.
pub(super) fn mutate(expr: &Expr, env: &mut Env) {
    match expr {
        Expr::Reference(r) if r.mutability.is_some() => env.forget(roots(&r.expr)),
        Expr::MethodCall(m) => {
            let names: Vec<String> = roots(&m.receiver)
                .into_iter()
                .filter(|n| env.is_mutable(n))
                .collect();
            env.forget(names);
        }
        Expr::Binary(b) if is_compound_assign(&b.op) => env.forget(roots(&b.left)),
        _ => {}
    }
}

/// Whether `op` assigns (`+=`, `<<=`, ..): its token ends in `=` and is not a comparison.
pub(super) fn is_compound_assign(op: &syn::BinOp) -> bool {
    let token = quote::ToTokens::to_token_stream(op).to_string();
    token.ends_with('=') && !["==", "!=", "<=", ">="].contains(&token.as_str())
}

/// The variable at the root of a place expression (`a` in `a.b[0].c`).
pub(super) fn roots(expr: &Expr) -> Vec<String> {
    match expr {
        Expr::Path(p) => p
            .path
            .get_ident()
            .map(|i| vec![i.to_string()])
            .unwrap_or_default(),
        Expr::Field(f) => roots(&f.base),
        Expr::Index(i) => roots(&i.expr),
        Expr::Paren(p) => roots(&p.expr),
        Expr::Unary(u) => roots(&u.expr),
        Expr::MethodCall(m) => roots(&m.receiver),
        _ => Vec::new(),
    }
}

/// Variables a loop or closure body may assign or mutate: all of them become unknown.
pub(super) fn assigned_in(expr: &Expr, env: &Env) -> Vec<String> {
    struct Assigned<'a> {
        env: &'a Env,
        out: Vec<String>,
    }
    impl<'ast> Visit<'ast> for Assigned<'_> {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            self.out.extend(roots(&a.left));
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if is_compound_assign(&b.op) {
                self.out.extend(roots(&b.left));
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
            if r.mutability.is_some() {
                self.out.extend(roots(&r.expr));
            }
            syn::visit::visit_expr_reference(self, r);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            self.out.extend(
                roots(&m.receiver)
                    .into_iter()
                    .filter(|n| self.env.is_mutable(n)),
            );
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut visitor = Assigned {
        env,
        out: Vec::new(),
    };
    visitor.visit_expr(expr);
    visitor.out
}

#[cfg(test)]
mod tests {
    #[test]
    fn compound_assignments_are_the_operators_that_assign() {
        let ops = "+ - * / % && || ^ & | << >> == < <= != >= > += -= *= /= %= ^= &= |= <<= >>=";
        let assigning: Vec<&str> = ops
            .split(' ')
            .filter(|op| super::is_compound_assign(&syn::parse_str(op).expect("an operator")))
            .collect();
        assert_eq!(
            assigning,
            ["+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<=", ">>="]
        );
    }
}
