//! The walker's state: variables in scope (`Env`) and where control goes (`Flow`).

use super::syntax::collect_pat_idents;
use super::value::Value;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use syn::Pat;

/// The variables in scope, with what the analysis knows of them.
///
/// Copy-on-write: a branch clones the tables in O(1) and copies them only if it writes, and
/// two flows that wrote nothing join in O(1). So a model_fn with N branches and V variables
/// costs O(N + V), not O(N × V).
#[derive(Clone, Default)]
pub struct Env {
    vars: Rc<HashMap<String, Value>>,
    mutable: Rc<HashSet<String>>,
}

impl Env {
    /// Whether `name` was declared `let mut`.
    pub(super) fn is_mutable(&self, name: &str) -> bool {
        self.mutable.contains(name)
    }

    /// What is known of variable `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name)
    }

    pub(super) fn set(&mut self, name: String, value: Value) {
        Rc::make_mut(&mut self.vars).insert(name, value);
    }

    /// Rebinds an existing variable `name` to `value` (an assignment).
    pub fn set_var(&mut self, name: String, value: Value) {
        self.set(name, value);
    }

    pub(super) fn forget(&mut self, names: impl IntoIterator<Item = String>) {
        for name in names {
            if !matches!(self.vars.get(&name), Some(Value::Unknown)) {
                self.set(name, Value::Unknown);
            }
        }
    }

    pub(super) fn join(mut self, other: Env) -> Env {
        if !Rc::ptr_eq(&self.vars, &other.vars) {
            let vars = Rc::make_mut(&mut self.vars);
            let keys: HashSet<&String> = vars.keys().chain(other.vars.keys()).collect();
            let keys: Vec<String> = keys.into_iter().cloned().collect();
            for key in keys {
                let joined = match (vars.remove(&key), other.vars.get(&key)) {
                    (Some(a), Some(b)) => a.join(b.clone()),
                    _ => Value::Unknown,
                };
                vars.insert(key, joined);
            }
        }
        if !Rc::ptr_eq(&self.mutable, &other.mutable) {
            Rc::make_mut(&mut self.mutable).extend(other.mutable.iter().cloned());
        }
        self
    }

    /// Restores the outer bindings of `names` after the scope that declared them ends.
    pub(super) fn leave_scope(&mut self, outer: &Env, names: Vec<String>) {
        for name in names {
            match outer.vars.get(&name) {
                Some(v) => Rc::make_mut(&mut self.vars).insert(name.clone(), v.clone()),
                None => Rc::make_mut(&mut self.vars).remove(&name),
            };
            if !outer.mutable.contains(&name) && self.mutable.contains(&name) {
                Rc::make_mut(&mut self.mutable).remove(&name);
            }
        }
    }
}

/// Where control goes after an expression: on (with an environment and a value) or away.
pub struct Flow {
    pub(super) env: Option<Env>,
    pub(super) value: Value,
}

impl Flow {
    pub(super) fn on(env: Env, value: Value) -> Flow {
        Flow {
            env: Some(env),
            value,
        }
    }

    pub(super) fn diverged() -> Flow {
        Flow {
            env: None,
            value: Value::Unknown,
        }
    }

    pub(super) fn join(a: Option<Flow>, b: Option<Flow>) -> Flow {
        match (a, b) {
            (Some(a), Some(b)) => match (a.env, b.env) {
                (Some(ea), Some(eb)) => Flow::on(ea.join(eb), a.value.join(b.value)),
                (Some(ea), None) => Flow::on(ea, a.value),
                (None, Some(eb)) => Flow::on(eb, b.value),
                (None, None) => Flow::diverged(),
            },
            (Some(f), None) | (None, Some(f)) => f,
            (None, None) => Flow::diverged(),
        }
    }
}

pub(super) fn scoped(flow: Flow, outer: &Env, names: Vec<String>) -> Flow {
    match flow.env {
        Some(mut env) => {
            env.leave_scope(outer, names);
            Flow::on(env, flow.value)
        }
        None => flow,
    }
}

pub(super) fn bind(pat: &Pat, value: Value, env: &mut Env, bound: &mut Vec<String>) {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() => {
            let name = p.ident.to_string();
            if p.mutability.is_some() {
                Rc::make_mut(&mut env.mutable).insert(name.clone());
            } else if env.mutable.contains(&name) {
                Rc::make_mut(&mut env.mutable).remove(&name);
            }
            env.set(name.clone(), value);
            bound.push(name);
        }
        Pat::Type(t) => bind(&t.pat, value, env, bound),
        other => {
            let mut names = Vec::new();
            collect_pat_idents(other, &mut names);
            // Any binding in a pattern on `mode` (a fieldless enum) holds `mode` itself.
            if matches!(value, Value::Mode) {
                for name in &names {
                    env.set(name.clone(), Value::Mode);
                }
            } else {
                env.forget(names.clone());
            }
            bound.extend(names);
        }
    }
}
