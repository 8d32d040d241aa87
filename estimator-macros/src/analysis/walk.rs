//! The walker: abstract interpretation of a body for one fixed mode.

use super::cond::{self, Tri};
use super::snippet::snippet;
use super::spec;
use super::value::{Presence, Site, Value};
use super::{Mode, ModeAnalysis, ReturnPoint};
use syn::{Block, Expr, Stmt};

use super::env::{Env, Flow, bind, scoped};
use super::syntax::{assigned_in, children, collect_pat_idents, mutate, roots};

/// Walks one body for one mode, collecting its return points.
pub struct Walker {
    mode: Mode,
    returns: Vec<ReturnPoint>,
    reasons: Vec<String>,
    depth: usize,
}

/// How deeply the walker follows nested expressions. Deeper code is left to the runtime
/// check, so that a huge body (a 3,000-arm `else if` chain) cannot overflow rustc's stack.
const MAX_DEPTH: usize = 256;

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
    /// Analyses `body` with `mode` fixed; `mode_ident` names the mode parameter.
    pub fn run(mode: Mode, mode_ident: &str, body: &Block) -> ModeAnalysis {
        let mut walker = Walker {
            mode,
            returns: Vec::new(),
            reasons: Vec::new(),
            depth: 0,
        };
        let mut env = Env::default();
        env.set(mode_ident.to_string(), Value::Mode);
        let flow = walker.block(body, env);
        if flow.env.is_some() {
            walker.record(flow.value);
        }
        ModeAnalysis {
            mode,
            returns: walker.returns,
        }
    }

    fn record(&mut self, value: Value) {
        let reason = self.reasons.last().cloned();
        self.returns.push(ReturnPoint { value, reason });
    }

    fn block(&mut self, block: &Block, env: Env) -> Flow {
        let outer = env.clone();
        let mut env = env;
        let mut bound = Vec::new();
        let mut value = Value::Unknown;
        let last = block.stmts.len().saturating_sub(1);
        for (i, stmt) in block.stmts.iter().enumerate() {
            let flow = self.stmt(stmt, env, &mut bound);
            let Some(next) = flow.env else {
                return Flow::diverged();
            };
            env = next;
            value = if i == last && matches!(stmt, Stmt::Expr(_, None)) {
                flow.value
            } else {
                Value::Unknown
            };
        }
        env.leave_scope(&outer, bound);
        Flow::on(env, value)
    }

    fn stmt(&mut self, stmt: &Stmt, env: Env, bound: &mut Vec<String>) -> Flow {
        match stmt {
            Stmt::Local(local) => self.local(local, env, bound),
            Stmt::Item(_) => Flow::on(env, Value::Unknown),
            Stmt::Expr(expr, _) => self.expr(expr, env),
            Stmt::Macro(m) => self.mac(&m.mac, env),
        }
    }

    fn local(&mut self, local: &syn::Local, env: Env, bound: &mut Vec<String>) -> Flow {
        let flow = match &local.init {
            Some(init) => self.expr(&init.expr, env),
            None => Flow::on(env, Value::Unknown),
        };
        let Some(mut env) = flow.env else {
            return Flow::diverged();
        };
        if let Some((init, (_, diverge))) = local
            .init
            .as_ref()
            .and_then(|i| Some((i, i.diverge.as_ref()?)))
        {
            // `let PAT = init else { .. }`: decided when `init` is `mode`.
            let tri = if cond::is_mode(&init.expr, &env) {
                cond::pattern(&local.pat, self.mode)
            } else {
                Tri::Unknown
            };
            if tri != Tri::True {
                let text = snippet(&local.pat);
                self.branch(tri, format!("`let {text} = ..` does not match"), |w| {
                    w.expr(diverge, env.clone())
                });
            }
            if tri == Tri::False {
                return Flow::diverged();
            }
        }
        bind(&local.pat, flow.value, &mut env, bound);
        Flow::on(env, Value::Unknown)
    }

    fn mac(&mut self, mac: &syn::Macro, env: Env) -> Flow {
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

    fn expr(&mut self, expr: &Expr, env: Env) -> Flow {
        if self.depth >= MAX_DEPTH {
            // Not followed: it may return anything, so this mode is left to the runtime check.
            self.record(Value::Unknown);
            return Flow::on(env, Value::Unknown);
        }
        self.depth += 1;
        let flow = self.expr_kind(expr, env);
        self.depth -= 1;
        flow
    }

    fn expr_kind(&mut self, expr: &Expr, env: Env) -> Flow {
        match expr {
            Expr::Return(r) => self.ret(r, env),
            Expr::If(i) => self.if_expr(i, env),
            Expr::Match(m) => self.match_expr(m, env),
            Expr::Block(b) if b.label.is_some() => self.labeled_block(expr, &b.block, env),
            Expr::Block(b) => self.block(&b.block, env),
            Expr::Unsafe(u) => self.block(&u.block, env),
            Expr::Paren(p) => self.expr(&p.expr, env),
            Expr::Group(g) => self.expr(&g.expr, env),
            Expr::Path(p) => {
                let value = path_value(p, &env, self.reasons.last());
                Flow::on(env, value)
            }
            Expr::Macro(m) if !m.mac.path.is_ident("matches") => self.mac(&m.mac, env),
            Expr::Closure(c) => {
                let mut env = env;
                env.forget(assigned_in(&c.body, &env));
                Flow::on(env, Value::Unknown)
            }
            Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => self.loop_expr(expr, env),
            Expr::Assign(a) => self.assign(a, env),
            _ => self.compound(expr, env),
        }
    }

    fn ret(&mut self, r: &syn::ExprReturn, env: Env) -> Flow {
        let flow = match &r.expr {
            Some(e) => self.expr(e, env),
            None => Flow::on(env, Value::Unknown),
        };
        if flow.env.is_some() {
            self.record(flow.value);
        }
        Flow::diverged()
    }

    /// Expressions whose parts are evaluated in order, and whose value may be modelled.
    fn compound(&mut self, expr: &Expr, env: Env) -> Flow {
        let mut env = env;
        let mut values = Vec::new();
        for child in children(expr) {
            let flow = self.expr(child, env);
            let Some(next) = flow.env else {
                return Flow::diverged();
            };
            env = next;
            values.push(flow.value);
        }
        mutate(expr, &mut env);
        let value = match cond::decide(expr, &env, self.mode).known() {
            Some(b) if is_condition(expr) => Value::Bool(b),
            _ if cond::is_mode(expr, &env) => Value::Mode,
            _ => spec::value_of(expr, values, &env, self.mode),
        };
        let value = self.with_reason(expr, value);
        Flow::on(env, value)
    }

    /// Marks a spec constructed here with the mode condition that led here.
    fn with_reason(&self, expr: &Expr, value: Value) -> Value {
        match (expr, value) {
            (Expr::Call(_) | Expr::Struct(_), Value::Spec(mut cands)) => {
                for cand in &mut cands {
                    if cand.reason.is_none() {
                        cand.reason = self.reasons.last().cloned();
                    }
                }
                Value::Spec(cands)
            }
            (_, value) => value,
        }
    }

    fn assign(&mut self, a: &syn::ExprAssign, env: Env) -> Flow {
        let flow = self.expr(&a.right, env);
        let Some(mut env) = flow.env else {
            return Flow::diverged();
        };
        match &*a.left {
            Expr::Path(p) if p.path.get_ident().is_some() => {
                let name = p.path.segments[0].ident.to_string();
                env.set(name, flow.value);
            }
            Expr::Field(f) => spec::assign_field(f, &flow.value, &a.right, &mut env),
            other => env.forget(roots(other)),
        }
        Flow::on(env, Value::Unknown)
    }

    fn if_expr(&mut self, i: &syn::ExprIf, env: Env) -> Flow {
        let (tri, bindings) = cond::decide_chain(&i.cond, &env, self.mode);
        let flow = self.expr(&i.cond, env);
        let Some(env) = flow.env else {
            return Flow::diverged();
        };
        let text = snippet(&*i.cond);
        let then_flow = (tri != Tri::False).then(|| {
            let mut inner = env.clone();
            let names = bind_all(&mut inner, bindings);
            let flow = self.branch(tri, format!("`{text}` is true"), |w| {
                w.block(&i.then_branch, inner)
            });
            scoped(flow, &env, names)
        });
        let else_flow = (tri != Tri::True).then(|| match &i.else_branch {
            Some((_, e)) => self.branch(tri, format!("`{text}` is false"), |w| {
                w.expr(e, env.clone())
            }),
            None => Flow::on(env.clone(), Value::Unknown),
        });
        Flow::join(then_flow, else_flow)
    }

    /// Runs `f` on a branch taken under a condition that is `tri`.
    fn branch(&mut self, tri: Tri, reason: String, f: impl FnOnce(&mut Walker) -> Flow) -> Flow {
        let known = tri != Tri::Unknown;
        if known {
            self.reasons.push(reason);
        }
        let flow = f(self);
        if known {
            self.reasons.pop();
        }
        flow
    }

    fn match_expr(&mut self, m: &syn::ExprMatch, env: Env) -> Flow {
        let flow = self.expr(&m.expr, env);
        let Some(env) = flow.env else {
            return Flow::diverged();
        };
        let on_mode = cond::is_mode(&m.expr, &env);
        let mut result: Option<Flow> = None;
        for arm in &m.arms {
            let mut tri = if on_mode {
                cond::pattern(&arm.pat, self.mode)
            } else {
                Tri::Unknown
            };
            let mut names = Vec::new();
            collect_pat_idents(&arm.pat, &mut names);
            let mut inner = env.clone();
            let binding = if on_mode { Value::Mode } else { Value::Unknown };
            for name in &names {
                inner.set(name.clone(), binding.clone());
            }
            if let Some((_, guard)) = &arm.guard {
                tri = tri_and(tri, env_decide(guard, &inner, self.mode));
            }
            if tri == Tri::False {
                continue;
            }
            let pat = snippet(&arm.pat);
            let reason = format!("`match` arm `{pat}` is taken");
            let flow = self.branch(tri, reason, |w| w.expr(&arm.body, inner));
            result = Some(Flow::join(result, Some(scoped(flow, &env, names))));
            if tri == Tri::True {
                break;
            }
        }
        result.unwrap_or_else(Flow::diverged)
    }

    fn loop_expr(&mut self, expr: &Expr, env: Env) -> Flow {
        let mut env = env;
        env.forget(assigned_in(expr, &env));
        match expr {
            Expr::Loop(l) => {
                self.block(&l.body, env.clone());
            }
            Expr::While(w) => {
                let (tri, bindings) = cond::decide_chain(&w.cond, &env, self.mode);
                let flow = self.expr(&w.cond, env.clone());
                if let (Some(mut inner), true) = (flow.env, tri != Tri::False) {
                    bind_all(&mut inner, bindings);
                    self.block(&w.body, inner);
                }
            }
            Expr::ForLoop(f) => {
                let flow = self.expr(&f.expr, env.clone());
                if let Some(mut inner) = flow.env {
                    let mut names = Vec::new();
                    collect_pat_idents(&f.pat, &mut names);
                    inner.forget(names);
                    self.block(&f.body, inner);
                }
            }
            _ => {}
        }
        Flow::on(env, Value::Unknown)
    }

    /// `'a: { .. break 'a value; .. }`: walked for its returns; what it yields, and what it
    /// assigns, are unknown, since a `break` may leave it from any point.
    fn labeled_block(&mut self, expr: &Expr, block: &Block, env: Env) -> Flow {
        let mut env = env;
        env.forget(assigned_in(expr, &env));
        let flow = self.block(block, env.clone());
        match flow.env {
            Some(_) => Flow::on(env, Value::Unknown),
            None if breaks_out(block) => Flow::on(env, Value::Unknown),
            None => Flow::diverged(),
        }
    }
}

/// Binds `(name, value)` pairs from a pattern; returns the names, to end their scope later.
fn bind_all(env: &mut Env, bindings: Vec<(String, Value)>) -> Vec<String> {
    let mut names = Vec::new();
    for (name, value) in bindings {
        env.set(name.clone(), value);
        names.push(name);
    }
    names
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

/// Whether a `break` in `block` (outside nested loops and closures) may leave it.
fn breaks_out(block: &Block) -> bool {
    struct Breaks(bool);
    impl<'ast> syn::visit::Visit<'ast> for Breaks {
        fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
            self.0 = true;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut v = Breaks(false);
    syn::visit::Visit::visit_block(&mut v, block);
    v.0
}

fn tri_and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::False, _) | (_, Tri::False) => Tri::False,
        (Tri::True, Tri::True) => Tri::True,
        _ => Tri::Unknown,
    }
}

fn env_decide(expr: &Expr, env: &Env, mode: Mode) -> Tri {
    cond::decide(expr, env, mode)
}

fn is_condition(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Binary(_) | Expr::Unary(_) | Expr::Macro(_) | Expr::Lit(_)
    )
}

/// The value of a path; a `None` remembers the mode condition under which it was written.
fn path_value(p: &syn::ExprPath, env: &Env, reason: Option<&String>) -> Value {
    if let Some(ident) = p.path.get_ident() {
        if let Some(v) = env.get(&ident.to_string()) {
            return v.clone();
        }
        if ident == "None" {
            return Value::Opt(Presence::Absent, Site::of(p).because(reason.cloned()));
        }
    }
    Value::Unknown
}
