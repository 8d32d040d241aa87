//! The one place that sees through parentheses and the invisible groups a `macro_rules!`
//! fragment (`$e:expr`, `$t:ty`, `$p:pat`) arrives in: both are transparent to the analysis.

use syn::{Expr, Pat, Type};

/// `expr` without the parentheses and invisible groups around it.
pub fn expr(expr: &Expr) -> &Expr {
    match expr {
        Expr::Paren(p) => self::expr(&p.expr),
        Expr::Group(g) => self::expr(&g.expr),
        other => other,
    }
}

/// `ty` without the parentheses and invisible groups around it.
pub fn ty(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => self::ty(&p.elem),
        Type::Group(g) => self::ty(&g.elem),
        other => other,
    }
}

/// `pat` without the parentheses around it.
pub fn pat(pat: &Pat) -> &Pat {
    match pat {
        Pat::Paren(p) => self::pat(&p.pat),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Delimiter, Group};
    use quote::quote;

    #[test]
    fn parentheses_and_invisible_groups_are_transparent() {
        let group = Group::new(Delimiter::None, quote!((mode)));
        let e: syn::Expr = syn::parse2(quote!((#group))).expect("an expression");
        assert!(matches!(super::expr(&e), syn::Expr::Path(p) if p.path.is_ident("mode")));
        let t: syn::Type = syn::parse_quote!((ModeKeys));
        assert!(matches!(super::ty(&t), syn::Type::Path(_)));
        let p: syn::Pat = syn::Pat::parse_single
            .parse2(quote!((x)))
            .expect("a pattern");
        assert!(matches!(super::pat(&p), syn::Pat::Ident(_)));
    }

    use syn::parse::Parser;
}
