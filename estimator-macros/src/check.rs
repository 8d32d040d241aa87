//! Checks: required fields at every certain return point of every mode, and the literal
//! metric and export-output names.

use crate::analysis::{Field, Mode, ModeAnalysis, Presence, Site, Value};
use crate::ctxt::Ctxt;
use syn::visit::Visit;
use syn::{Block, Expr, ExprMethodCall};

/// The fields a mode requires, as TF's `EstimatorSpec` does.
pub fn required(mode: Mode) -> &'static [Field] {
    match mode {
        Mode::Train => &[Field::Loss, Field::TrainOp],
        Mode::Eval => &[Field::Loss],
        Mode::Predict => &[Field::Predictions],
    }
}

fn requirement(mode: Mode) -> &'static str {
    match mode {
        Mode::Train => "TRAIN requires loss and train_op",
        Mode::Eval => "EVAL requires loss",
        Mode::Predict => "PREDICT requires predictions",
    }
}

fn tf_message(field: Field) -> &'static str {
    match field {
        Field::Loss => "Missing loss.",
        Field::TrainOp => "Missing train_op.",
        Field::Predictions => "Missing predictions.",
    }
}

fn help(field: Field) -> &'static str {
    match field {
        Field::Loss => "help: set `loss` to the scalar loss tensor on this path",
        Field::TrainOp => {
            "help: set `train_op` to `TrainOp::minimize(loss, optimizer, learning_rate)` on this path"
        }
        Field::Predictions => {
            "help: set `predictions` to `Predictions::new().with(name, tensor)` on this path"
        }
    }
}

/// One missing field at one site, possibly for several modes.
struct Missing {
    field: Field,
    site: Site,
    /// Each mode that misses the field there, with the notes that explain why.
    modes: Vec<(Mode, Vec<String>)>,
}

/// Records an error for every required field that is absent on a path a mode surely takes.
pub fn required_fields(cx: &mut Ctxt, analyses: &[ModeAnalysis]) {
    let mut missing: Vec<Missing> = Vec::new();
    for analysis in analyses {
        for point in analysis.returns.iter().filter(|p| p.certain) {
            let Value::Spec(cands) = &point.value else {
                continue;
            };
            for cand in cands {
                for &field in required(analysis.mode) {
                    if cand.presence(field) == Presence::Absent {
                        let spec_reason = cand.reason.as_ref().or(point.reason.as_ref());
                        add(
                            &mut missing,
                            analysis.mode,
                            field,
                            cand.site(field),
                            spec_reason,
                        );
                    }
                }
            }
        }
    }
    for m in missing {
        cx.error_spanned_by(&m.site.tokens, message(&m));
    }
}

/// Adds `mode` to the error for `field` at `site`, or starts that error.
fn add(
    missing: &mut Vec<Missing>,
    mode: Mode,
    field: Field,
    site: &Site,
    spec_reason: Option<&String>,
) {
    let entry = (mode, notes(mode, field, site, spec_reason));
    match missing
        .iter_mut()
        .find(|m| m.field == field && m.site.id == site.id)
    {
        Some(m) if !m.modes.iter().any(|(md, _)| *md == mode) => m.modes.push(entry),
        Some(_) => {}
        None => missing.push(Missing {
            field,
            site: site.clone(),
            modes: vec![entry],
        }),
    }
}

/// Why `mode` reaches this spec, and why the field is `None` there, where a mode condition
/// decided either.
fn notes(mode: Mode, field: Field, site: &Site, spec_reason: Option<&String>) -> Vec<String> {
    let variant = mode.variant();
    let mut notes = Vec::new();
    if let Some(reason) = spec_reason {
        notes.push(format!(
            "note: `ModeKeys::{variant}` returns this spec because {reason}"
        ));
    }
    match &site.reason {
        Some(reason) if Some(reason) != spec_reason => notes.push(format!(
            "note: `{}` is `None` in `ModeKeys::{variant}` because {reason}",
            field.name()
        )),
        _ => {}
    }
    notes
}

fn message(m: &Missing) -> String {
    let modes: Vec<String> = m
        .modes
        .iter()
        .map(|(md, _)| format!("ModeKeys::{}", md.variant()))
        .collect();
    let reqs: Vec<&str> = m.modes.iter().map(|(md, _)| requirement(*md)).collect();
    let mut lines = vec![format!(
        "missing {} for {}: {} (\"{}\")",
        m.field.name(),
        modes.join(" and "),
        reqs.join(", "),
        tf_message(m.field)
    )];
    lines.extend(m.modes.iter().flat_map(|(_, notes)| notes.iter().cloned()));
    lines.push(help(m.field).to_string());
    lines.join("\n")
}

const RESERVED_METRICS: [&str; 2] = ["loss", "global_step"];

/// Records an error for each literal metric name TF reserves, and for literal export outputs
/// with several entries and none named `serving_default`.
pub fn literal_names(cx: &mut Ctxt, body: &Block) {
    let mut visitor = Names {
        cx,
        seen: Vec::new(),
    };
    visitor.visit_block(body);
}

struct Names<'a> {
    cx: &'a mut Ctxt,
    seen: Vec<usize>,
}

/// A `.with(name, value)` chain and the constructor at its root (`EvalMetricOps::new()`).
fn chain(m: &ExprMethodCall) -> (Option<String>, Vec<&ExprMethodCall>) {
    let mut links = vec![m];
    let mut receiver = &*m.receiver;
    loop {
        match peel(receiver) {
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
    match peel(arg) {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some((s.value(), arg)),
        _ => None,
    }
}

/// `expr` without parentheses, or the invisible group a `macro_rules!` `$e:expr` arrives in.
fn peel(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(g) => peel(&g.expr),
        Expr::Paren(p) => peel(&p.expr),
        other => other,
    }
}

impl<'ast> Visit<'ast> for Names<'_> {
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

impl Names<'_> {
    fn metric_names(&mut self, links: &[&ExprMethodCall]) {
        for link in links.iter().rev() {
            let Some((name, lit)) = literal_name(link) else {
                continue;
            };
            if RESERVED_METRICS.contains(&name.as_str()) {
                self.cx.error_spanned_by(lit, format_args!(
                    "metric name \"{name}\" is reserved (\"Metric with name \\\"{name}\\\" is not allowed, because Estimator already defines a default metric with the same name.\")\nhelp: rename the metric; the Estimator reports `{name}` itself"
                ));
            }
        }
    }

    /// `links` run from the outermost `.with` inwards, so the last one's receiver is the
    /// `ExportOutputs::new()` the error points at.
    fn export_names(&mut self, links: &[&ExprMethodCall]) {
        let names: Option<Vec<String>> = links
            .iter()
            .rev()
            .map(|l| literal_name(l).map(|(n, _)| format!("\"{n}\"")))
            .collect();
        let (Some(names), Some(innermost)) = (names, links.last()) else {
            return;
        };
        if names.len() >= 2 && !names.iter().any(|n| n == "\"serving_default\"") {
            self.cx.error_spanned_by(&innermost.receiver, format_args!("several export outputs ({}) and none named \"serving_default\" (\"Multiple export_outputs were provided, but none of them is specified as the default. Do this by naming one of them with signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY.\")\nhelp: name the default output \"serving_default\"", names.join(", ")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::{Delimiter, Group};
    use quote::quote;

    /// A name from a `macro_rules!` `$name:expr` arrives in an invisible group.
    #[test]
    fn names_in_parentheses_or_invisible_groups() {
        let name = Group::new(Delimiter::None, quote!("loss"));
        let ops = Group::new(Delimiter::None, quote!(EvalMetricOps::new()));
        let body: Block = syn::parse_quote!({
            let a = #ops.with(#name, m).with(("global_step"), m);
            let b = ExportOutputs::new().with(#name, x).with("b", y);
        });
        let mut cx = Ctxt::default();
        literal_names(&mut cx, &body);
        let errors = cx.messages();
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[0].starts_with("metric name \"loss\" is reserved"));
        assert!(errors[1].starts_with("metric name \"global_step\" is reserved"));
        assert!(errors[2].starts_with("several export outputs (\"loss\", \"b\")"));
    }
}
