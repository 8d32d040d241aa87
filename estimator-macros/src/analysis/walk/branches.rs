//! Control flow: `if`, `match`, loops and labeled blocks. A condition on `mode` decides which
//! branch the mode takes; an undecided one takes both, and the reason a branch was taken is
//! kept for the errors' notes.

use super::Walker;
use crate::analysis::Mode;
use crate::analysis::cond::{self, Tri};
use crate::analysis::env::{Env, Flow, scoped};
use crate::analysis::snippet::snippet;
use crate::analysis::syntax::{assigned_in, collect_pat_idents};
use crate::analysis::value::Value;
use syn::{Block, Expr};

impl Walker {
    pub(super) fn if_expr(&mut self, i: &syn::ExprIf, env: Env) -> Flow {
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
    pub(super) fn branch(
        &mut self,
        tri: Tri,
        reason: String,
        f: impl FnOnce(&mut Walker) -> Flow,
    ) -> Flow {
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

    pub(super) fn match_expr(&mut self, m: &syn::ExprMatch, env: Env) -> Flow {
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

    pub(super) fn loop_expr(&mut self, expr: &Expr, env: Env) -> Flow {
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
    pub(super) fn labeled_block(&mut self, expr: &Expr, block: &Block, env: Env) -> Flow {
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
