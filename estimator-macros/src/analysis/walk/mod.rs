//! The walker: abstract interpretation of a body for one fixed mode. This module walks
//! statements and expressions; `branches` follows `if`, `match`, loops and labeled blocks
//! (where a mode condition picks the path), and `macros` decides what a macro call may do.

use super::cond::{self, Tri};
use super::env::{Env, Flow, bind};
use super::snippet::snippet;
use super::spec;
use super::syntax::{assigned_in, children, mutate, roots};
use super::value::{Presence, Site, Value};
use super::{Mode, ModeAnalysis, ReturnPoint};
use syn::{Block, Expr, Stmt};

mod branches;
mod macros;

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
