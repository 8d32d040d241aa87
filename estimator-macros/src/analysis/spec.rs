//! Spec constructors: `EstimatorSpec::new(mode)`, builder chains, struct literals, and the
//! `Option` values their fields are set from.

use super::Mode;
use super::cond::{self, Tri};
use super::env::Env;
use super::snippet::snippet;
use super::value::{Field, Form, Presence, Site, SpecCandidate, Value};
use syn::{Expr, Member, Path};

/// Builder methods of `EstimatorSpec` that keep the required fields as they are.
const OTHER_BUILDERS: [&str; 8] = [
    "mode",
    "eval_metric_ops",
    "export_outputs",
    "training_chief_hooks",
    "training_hooks",
    "evaluation_hooks",
    "prediction_hooks",
    "scaffold",
];

/// The value of `expr`, given the values of its children (in `children` order).
pub fn value_of(expr: &Expr, values: Vec<Value>, env: &Env, mode: Mode) -> Value {
    match expr {
        Expr::Call(call) => call_value(call, &values),
        Expr::Struct(s) if is_spec_path(&s.path) => literal(s, values),
        Expr::MethodCall(m) => method_value(m, values, env, mode),
        _ => Value::Unknown,
    }
}

fn is_spec_path(path: &Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == "EstimatorSpec")
}

fn call_value(call: &syn::ExprCall, values: &[Value]) -> Value {
    let Expr::Path(func) = &*call.func else {
        return Value::Unknown;
    };
    let path = &func.path;
    if path.is_ident("Some") && call.args.len() == 1 {
        return Value::Opt(Presence::Present, Site::of(call));
    }
    let n = path.segments.len();
    let is_new = n >= 2
        && path.segments[n - 1].ident == "new"
        && path.segments[n - 2].ident == "EstimatorSpec";
    if is_new && values.len() == 2 {
        return Value::Spec(vec![SpecCandidate::empty(&Site::of(call))]);
    }
    match path.segments.last() {
        Some(last) if !is_new => Value::Call(last.ident.to_string(), Site::of(call)),
        _ => Value::Unknown,
    }
}

/// `EstimatorSpec { loss: .., train_op, ..base }`.
fn literal(s: &syn::ExprStruct, values: Vec<Value>) -> Value {
    let mut values = values.into_iter();
    let mut explicit: Vec<(Field, Presence, Site)> = Vec::new();
    for field in &s.fields {
        let value = values.next().unwrap_or(Value::Unknown);
        if let Member::Named(name) = &field.member
            && let Some(f) = Field::from_name(&name.to_string())
        {
            let site = Site::of(field)
                .because(value.reason())
                .written_as(Form::Literal);
            explicit.push((f, value.presence(), site));
        }
    }
    let path_site = Site::of(&s.path).written_as(Form::Literal);
    let bases = match (s.rest.is_some(), values.next()) {
        (true, Some(Value::Spec(cands))) => cands,
        _ => vec![unknown_candidate(&path_site)],
    };
    let candidates = bases
        .into_iter()
        .map(|mut cand| {
            for f in Field::ALL {
                cand.fields[f.index()].1 = path_site.clone();
            }
            for (f, presence, site) in &explicit {
                cand.fields[f.index()] = (*presence, site.clone());
            }
            cand
        })
        .collect();
    Value::Spec(candidates)
}

fn unknown_candidate(site: &Site) -> SpecCandidate {
    let unknown = (Presence::Unknown, site.clone());
    SpecCandidate {
        fields: [unknown.clone(), unknown.clone(), unknown],
        reason: None,
    }
}

fn method_value(m: &syn::ExprMethodCall, values: Vec<Value>, env: &Env, mode: Mode) -> Value {
    let method = m.method.to_string();
    let mut values = values.into_iter();
    let receiver = values.next().unwrap_or(Value::Unknown);
    match (receiver, method.as_str()) {
        (Value::Spec(cands), name) => builder(m, cands, name, values.next()),
        (_, "then" | "then_some") => match cond::decide(&m.receiver, env, mode) {
            Tri::True => Value::Opt(Presence::Present, Site::of(m)),
            Tri::False => {
                let reason = format!("`{}` is false", snippet(crate::peel::expr(&m.receiver)));
                Value::Opt(Presence::Absent, Site::of(m).because(Some(reason)))
            }
            Tri::Unknown => Value::Unknown,
        },
        _ => Value::Call(method, Site::of(m)),
    }
}

/// `spec.loss(l)`, `spec.train_op(None)`, …: one link of a builder chain.
fn builder(
    m: &syn::ExprMethodCall,
    cands: Vec<SpecCandidate>,
    name: &str,
    arg: Option<Value>,
) -> Value {
    let chain = Site::of(m);
    let set = Field::from_name(name).map(|f| {
        let arg = arg.unwrap_or(Value::Unknown);
        let site = match (&arg, m.args.first()) {
            (Value::Opt(Presence::Absent, _), Some(a)) => Site::of(a)
                .because(arg.reason())
                .written_as(Form::BuilderArg),
            _ => chain.clone(),
        };
        (f, arg.presence(), site)
    });
    if set.is_none() && !OTHER_BUILDERS.contains(&name) {
        return Value::Unknown;
    }
    let cands = cands
        .into_iter()
        .map(|mut cand| {
            for slot in &mut cand.fields {
                if slot.0 == Presence::Absent {
                    slot.1 = chain.clone();
                }
            }
            if let Some((f, presence, site)) = &set {
                cand.fields[f.index()] = (*presence, site.clone());
            }
            cand
        })
        .collect();
    Value::Spec(cands)
}

/// `spec.train_op = Some(op)`: updates a tracked spec variable in place.
pub fn assign_field(f: &syn::ExprField, value: &Value, rhs: &Expr, env: &mut Env) {
    let Expr::Path(base) = &*f.base else {
        return forget_root(f, env);
    };
    let Some(ident) = base.path.get_ident().map(ToString::to_string) else {
        return;
    };
    let field = match &f.member {
        Member::Named(n) => Field::from_name(&n.to_string()),
        Member::Unnamed(_) => None,
    };
    let updated = match (env.get(&ident), field) {
        (Some(Value::Spec(cands)), Some(field)) => {
            let mut cands = cands.clone();
            for cand in &mut cands {
                let site = Site::of(rhs)
                    .because(value.reason())
                    .written_as(Form::Assignment);
                cand.fields[field.index()] = (value.presence(), site);
            }
            Value::Spec(cands)
        }
        (Some(Value::Spec(cands)), None) => Value::Spec(cands.clone()),
        _ => Value::Unknown,
    };
    env.set_var(ident, updated);
}

fn forget_root(f: &syn::ExprField, env: &mut Env) {
    let mut base = &*f.base;
    while let Expr::Field(inner) = base {
        base = &inner.base;
    }
    if let Expr::Path(p) = base
        && let Some(ident) = p.path.get_ident()
    {
        env.set_var(ident.to_string(), Value::Unknown);
    }
}
