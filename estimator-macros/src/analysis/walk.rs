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
    uncertain: usize,
    reasons: Vec<String>,
    depth: usize,
}

/// How deeply the walker follows nested expressions. Deeper code is left to the runtime
/// check, so that a huge body (a 3,000-arm `else if` chain) cannot overflow rustc's stack.
const MAX_DEPTH: usize = 256;

const DIVERGING_MACROS: [&str; 4] = ["panic", "unreachable", "todo", "unimplemented"];

impl Walker {
    /// Analyses `body` with `mode` fixed; `mode_ident` names the mode parameter.
    pub fn run(mode: Mode, mode_ident: &str, body: &Block) -> ModeAnalysis {
        let mut walker = Walker {
            mode,
            returns: Vec::new(),
            uncertain: 0,
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
        let certain = self.uncertain == 0;
        self.returns.push(ReturnPoint {
            value,
            certain,
            reason,
        });
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
            Some(init) => {
                let flow = self.expr(&init.expr, env);
                if let (Some((_, diverge)), Some(env)) = (&init.diverge, &flow.env) {
                    self.uncertain += 1;
                    self.expr(diverge, env.clone());
                    self.uncertain -= 1;
                }
                flow
            }
            None => Flow::on(env, Value::Unknown),
        };
        let Some(mut env) = flow.env else {
            return Flow::diverged();
        };
        bind(&local.pat, flow.value, &mut env, bound);
        Flow::on(env, Value::Unknown)
    }

    fn mac(&mut self, mac: &syn::Macro, env: Env) -> Flow {
        let diverges = DIVERGING_MACROS.iter().any(|name| mac.path.is_ident(name));
        if diverges {
            Flow::diverged()
        } else {
            Flow::on(env, Value::Unknown)
        }
    }

    fn expr(&mut self, expr: &Expr, env: Env) -> Flow {
        if self.depth >= MAX_DEPTH {
            // Not followed: from here on, no return point is certain (never decremented).
            self.uncertain += 1;
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
        let (tri, flow, bound) = match &*i.cond {
            Expr::Let(l) => {
                let flow = self.expr(&l.expr, env);
                let mut names = Vec::new();
                collect_pat_idents(&l.pat, &mut names);
                (Tri::Unknown, flow, names)
            }
            c => {
                let tri = env_decide(c, &env, self.mode);
                (tri, self.expr(c, env), Vec::new())
            }
        };
        let Some(env) = flow.env else {
            return Flow::diverged();
        };
        let text = snippet(&*i.cond);
        let then_flow = (tri != Tri::False).then(|| {
            let mut inner = env.clone();
            inner.forget(bound.clone());
            let flow = self.branch(tri, format!("`{text}` is true"), |w| {
                w.block(&i.then_branch, inner)
            });
            scoped(flow, &env, bound)
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
        } else {
            self.uncertain += 1;
        }
        let flow = f(self);
        if known {
            self.reasons.pop();
        } else {
            self.uncertain -= 1;
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
            if let Some((_, guard)) = &arm.guard {
                tri = tri_and(tri, env_decide(guard, &env, self.mode));
            }
            if tri == Tri::False {
                continue;
            }
            let mut names = Vec::new();
            collect_pat_idents(&arm.pat, &mut names);
            let mut inner = env.clone();
            let binding = if on_mode { Value::Mode } else { Value::Unknown };
            for name in &names {
                inner.set(name.clone(), binding.clone());
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
        self.uncertain += 1;
        let body = match expr {
            Expr::Loop(l) => Some(&l.body),
            Expr::While(w) => Some(&w.body),
            Expr::ForLoop(f) => {
                self.expr(&f.expr, env.clone());
                Some(&f.body)
            }
            _ => None,
        };
        if let Some(body) = body {
            self.block(body, env.clone());
        }
        self.uncertain -= 1;
        Flow::on(env, Value::Unknown)
    }
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
