//! Deciding conditions on `mode`: `==`, `!=`, `!`, `&&`, `||`, `matches!`, and match patterns.

use super::Mode;
use super::env::Env;
use super::syntax::collect_pat_idents;
use super::value::Value;
use syn::parse::Parser;
use syn::{BinOp, Expr, Pat, Path, Token, UnOp};

/// A three-valued boolean: a condition is true, false, or undecidable here.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tri {
    /// Decided true.
    True,
    /// Decided false.
    False,
    /// Not decidable from `mode` alone.
    Unknown,
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }

    fn or(self, other: Tri) -> Tri {
        self.not().and(other.not()).not()
    }

    /// The decided value, if any.
    pub fn known(self) -> Option<bool> {
        match self {
            Tri::True => Some(true),
            Tri::False => Some(false),
            Tri::Unknown => None,
        }
    }
}

/// Decides the condition of an `if` or `while`, which may hold `let` patterns joined by `&&`
/// (`if let ModeKeys::Train | ModeKeys::Eval = mode && ready`). Also returns the names the
/// patterns bind, with their values: a binding of `mode` is `mode`.
pub fn decide_chain(expr: &Expr, env: &Env, mode: Mode) -> (Tri, Vec<(String, Value)>) {
    match crate::peel::expr(expr) {
        Expr::Let(l) => {
            let on_mode = is_mode(&l.expr, env);
            let mut names = Vec::new();
            collect_pat_idents(&l.pat, &mut names);
            let value = if on_mode { Value::Mode } else { Value::Unknown };
            let bindings = names.into_iter().map(|n| (n, value.clone())).collect();
            let tri = if on_mode {
                pattern(&l.pat, mode)
            } else {
                Tri::Unknown
            };
            (tri, bindings)
        }
        Expr::Binary(b) if matches!(b.op, BinOp::And(_)) && has_let(expr) => {
            let (left, mut bindings) = decide_chain(&b.left, env, mode);
            let mut inner = env.clone();
            for (name, value) in &bindings {
                inner.set(name.clone(), value.clone());
            }
            let (right, more) = decide_chain(&b.right, &inner, mode);
            bindings.extend(more);
            (left.and(right), bindings)
        }
        other => (decide(other, env, mode), Vec::new()),
    }
}

/// Whether a condition holds a `let` pattern (directly, or in a `&&` chain).
fn has_let(expr: &Expr) -> bool {
    match crate::peel::expr(expr) {
        Expr::Let(_) => true,
        Expr::Binary(b) if matches!(b.op, BinOp::And(_)) => has_let(&b.left) || has_let(&b.right),
        _ => false,
    }
}

/// Decides `expr` as a condition, with `mode` fixed.
pub fn decide(expr: &Expr, env: &Env, mode: Mode) -> Tri {
    match crate::peel::expr(expr) {
        Expr::Lit(lit) => match &lit.lit {
            syn::Lit::Bool(b) => Tri::from_bool(b.value),
            _ => Tri::Unknown,
        },
        Expr::Unary(u) if matches!(u.op, UnOp::Not(_)) => decide(&u.expr, env, mode).not(),
        Expr::Binary(b) => binary(b, env, mode),
        Expr::Macro(m) if m.mac.path.is_ident("matches") => matches_macro(&m.mac, env, mode),
        Expr::Path(p) => match p.path.get_ident().and_then(|i| env.get(&i.to_string())) {
            Some(Value::Bool(b)) => Tri::from_bool(*b),
            _ => Tri::Unknown,
        },
        Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
            syn::Stmt::Expr(e, None) => decide(e, env, mode),
            _ => Tri::Unknown,
        },
        _ => Tri::Unknown,
    }
}

fn binary(b: &syn::ExprBinary, env: &Env, mode: Mode) -> Tri {
    match b.op {
        BinOp::And(_) => decide(&b.left, env, mode).and(decide(&b.right, env, mode)),
        BinOp::Or(_) => decide(&b.left, env, mode).or(decide(&b.right, env, mode)),
        BinOp::Eq(_) => compare(&b.left, &b.right, env, mode),
        BinOp::Ne(_) => compare(&b.left, &b.right, env, mode).not(),
        _ => Tri::Unknown,
    }
}

/// `mode == ModeKeys::X`, either way round.
fn compare(left: &Expr, right: &Expr, env: &Env, mode: Mode) -> Tri {
    let pick = |a: &Expr, b: &Expr| (is_mode(a, env)).then(|| mode_const(b)).flatten();
    match pick(left, right).or_else(|| pick(right, left)) {
        Some(other) => Tri::from_bool(other == mode),
        None => Tri::Unknown,
    }
}

/// Whether `expr` is the `mode` parameter (or a binding of it).
pub fn is_mode(expr: &Expr, env: &Env) -> bool {
    match crate::peel::expr(expr) {
        Expr::Reference(r) => is_mode(&r.expr, env),
        Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => {
            is_mode(&m.receiver, env)
        }
        Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => is_mode(&u.expr, env),
        Expr::Path(p) => p
            .path
            .get_ident()
            .is_some_and(|i| matches!(env.get(&i.to_string()), Some(Value::Mode))),
        _ => false,
    }
}

/// `ModeKeys::Train` (or a bare imported `Train`), as an expression.
fn mode_const(expr: &Expr) -> Option<Mode> {
    match crate::peel::expr(expr) {
        Expr::Reference(r) => mode_const(&r.expr),
        Expr::Path(p) if p.qself.is_none() => mode_path(&p.path),
        _ => None,
    }
}

fn mode_path(path: &Path) -> Option<Mode> {
    let mut segments = path.segments.iter().rev();
    let variant = Mode::from_variant(&segments.next()?.ident.to_string())?;
    // `ModeKeys::Train`, an alias's `Mode::Train`, or a glob-imported `Train`: the other side
    // is `mode`, so rustc makes sure that the path is a `ModeKeys` variant.
    segments
        .next()
        .map_or(Some(variant), |s| s.arguments.is_none().then_some(variant))
}

/// Whether `pat` matches the value `mode`.
pub fn pattern(pat: &Pat, mode: Mode) -> Tri {
    match crate::peel::pat(pat) {
        Pat::Wild(_) => Tri::True,
        Pat::Reference(r) => pattern(&r.pat, mode),
        Pat::Path(p) => mode_path(&p.path).map_or(Tri::Unknown, |m| Tri::from_bool(m == mode)),
        Pat::Ident(p) if p.subpat.is_none() => match Mode::from_variant(&p.ident.to_string()) {
            Some(m) => Tri::from_bool(m == mode),
            None => Tri::True,
        },
        Pat::Ident(p) => p
            .subpat
            .as_ref()
            .map_or(Tri::Unknown, |(_, sub)| pattern(sub, mode)),
        Pat::Or(or) => or
            .cases
            .iter()
            .fold(Tri::False, |acc, case| acc.or(pattern(case, mode))),
        _ => Tri::Unknown,
    }
}

/// `matches!(mode, ModeKeys::Train | ModeKeys::Eval)`, with an optional guard.
fn matches_macro(mac: &syn::Macro, env: &Env, mode: Mode) -> Tri {
    let parser = |input: syn::parse::ParseStream| {
        let scrutinee: Expr = input.parse()?;
        input.parse::<Token![,]>()?;
        let pat = Pat::parse_multi_with_leading_vert(input)?;
        let guard = if input.peek(Token![if]) {
            input.parse::<Token![if]>()?;
            Some(input.parse::<Expr>()?)
        } else {
            None
        };
        let _ = input.parse::<Option<Token![,]>>()?;
        Ok((scrutinee, pat, guard))
    };
    let Ok((scrutinee, pat, guard)) = parser.parse2(mac.tokens.clone()) else {
        return Tri::Unknown;
    };
    if !is_mode(&scrutinee, env) {
        return Tri::Unknown;
    }
    let matched = pattern(&pat, mode);
    let mut names = Vec::new();
    collect_pat_idents(&pat, &mut names);
    let mut inner = env.clone();
    for name in names {
        inner.set(name, Value::Mode);
    }
    match guard {
        Some(guard) => matched.and(decide(&guard, &inner, mode)),
        None => matched,
    }
}
