//! Checks: required fields at every certain return point of every mode, and the literal
//! metric and export-output names.

use crate::analysis::{
    Field, Form, LiteralNames, Mode, ModeAnalysis, Presence, Site, SpecCandidate, Value, snippet,
};
use crate::ctxt::Ctxt;

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

/// A `help:` that compiles as written where the user writes the spec in `form`. A train op
/// is built before the spec, since building it takes `loss`, which the spec may already have
/// moved.
fn help(field: Field, form: Form) -> String {
    let name = field.name();
    let (before, value) = match field {
        Field::Loss => (String::new(), "loss"),
        Field::TrainOp => (
            "build it before the spec, `let train_op = TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.01);`, and ".to_string(),
            "train_op",
        ),
        Field::Predictions => (
            "build them before the spec, `let predictions = Predictions::new().with(\"output\", output);`, and ".to_string(),
            "predictions",
        ),
    };
    match form {
        Form::Builder => format!("help: {before}add `.{name}({value})` to this spec"),
        Form::BuilderArg => format!("help: {before}pass `{value}` here: `.{name}({value})`"),
        Form::Literal => format!("help: {before}write the field as `{name}: Some({value})`"),
        Form::Assignment => format!("help: {before}assign `Some({value})` here"),
    }
}

/// One missing field at one site, possibly for several modes.
struct Missing {
    field: Field,
    site: Site,
    /// Each mode that misses the field there, with the notes that explain why.
    modes: Vec<(Mode, Vec<String>)>,
}

/// One spec a mode may return, with the mode condition that led there.
struct Returned<'a> {
    spec: &'a SpecCandidate,
    reason: Option<&'a String>,
}

/// Records one error for every required field that a mode certainly misses: one that is
/// absent at every return point the mode may reach. The error goes on the spec the user most
/// plausibly meant for that mode (the one with the most of the required fields), and a note
/// names the other specs without it, so that one mistake is one error. Where any return point
/// is not a spec the analysis can read (a helper's result, a macro that may return), or the
/// field is present or unknown at one of them, nothing is reported and TF's runtime check
/// decides. `modes` are the modes the model_fn declares it supports; the others are not
/// checked.
pub fn required_fields(cx: &mut Ctxt, analyses: &[ModeAnalysis], modes: &[Mode]) {
    let mut missing: Vec<Missing> = Vec::new();
    for analysis in analyses.iter().filter(|a| modes.contains(&a.mode)) {
        let Some(specs) = readable_specs(analysis) else {
            continue;
        };
        for &field in required(analysis.mode) {
            if specs
                .iter()
                .all(|r| r.spec.presence(field) == Presence::Absent)
            {
                add(&mut missing, analysis.mode, field, &specs);
            }
        }
    }
    for m in missing {
        cx.error_spanned_by(&m.site.tokens, message(&m));
    }
}

/// Every spec that `analysis`'s return points may return; `None` if one of them returns
/// something the analysis cannot read, or if the mode never returns.
fn readable_specs(analysis: &ModeAnalysis) -> Option<Vec<Returned<'_>>> {
    let mut specs = Vec::new();
    for point in &analysis.returns {
        match &point.value {
            Value::Spec(cands) if !cands.is_empty() => {
                specs.extend(cands.iter().map(|spec| Returned {
                    spec,
                    reason: spec.reason.as_ref().or(point.reason.as_ref()),
                }));
            }
            _ => return None,
        }
    }
    Some(specs).filter(|s| !s.is_empty())
}

/// The spec the user most plausibly meant to carry every field: the one that sets the most
/// fields (present, or set to a value the analysis cannot read), the last one written among
/// equals (the full spec after early returns).
fn most_complete<'a>(specs: &'a [Returned<'a>]) -> Option<&'a Returned<'a>> {
    let set = |r: &Returned| {
        Field::ALL
            .iter()
            .filter(|f| r.spec.presence(**f) != Presence::Absent)
            .count()
    };
    specs.iter().max_by_key(|r| set(r))
}

/// Adds `mode` to the error for `field` at the most complete of `specs`, or starts that error.
fn add(missing: &mut Vec<Missing>, mode: Mode, field: Field, specs: &[Returned]) {
    let Some(chosen) = most_complete(specs) else {
        return;
    };
    let site = chosen.spec.site(field);
    let mut notes = notes(mode, field, site, chosen.reason);
    notes.extend(elsewhere(mode, field, site, specs));
    let entry = (mode, notes);
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

/// A note naming the other specs of `mode` that lack `field` too (each once), which the one
/// error stands for.
fn elsewhere(mode: Mode, field: Field, chosen: &Site, specs: &[Returned]) -> Option<String> {
    let mut seen = vec![chosen.id];
    let mut others = Vec::new();
    for r in specs {
        let site = r.spec.site(field);
        if !seen.contains(&site.id) {
            seen.push(site.id);
            others.push(format!("`{}`", shorten(&snippet(&site.tokens))));
        }
    }
    (!others.is_empty()).then(|| {
        format!(
            "note: `ModeKeys::{}` may also return {}, without `{}` either; it is reported once, here, where the spec is most complete",
            mode.variant(),
            others.join(", "),
            field.name()
        )
    })
}

/// `code` cut to one short line for a note.
fn shorten(code: &str) -> String {
    const MAX: usize = 60;
    match code.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}..", &code[..end]),
        None => code.to_string(),
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
    lines.push(help(m.field, m.site.form));
    lines.join("\n")
}

const RESERVED_METRICS: [&str; 2] = ["loss", "global_step"];

/// Records an error for each literal metric name TF reserves, and for literal export outputs
/// with several entries and none named `serving_default`.
pub fn literal_names(cx: &mut Ctxt, names: &[LiteralNames]) {
    for use_ in names {
        match use_ {
            LiteralNames::Metric { name, site } if RESERVED_METRICS.contains(&name.as_str()) => {
                cx.error_spanned_by(site, format_args!(
                    "metric name \"{name}\" is reserved (\"Metric with name \\\"{name}\\\" is not allowed, because Estimator already defines a default metric with the same name.\")\nhelp: rename the metric; the Estimator reports `{name}` itself"
                ));
            }
            LiteralNames::Metric { .. } => {}
            LiteralNames::ExportOutputs { names, site } => {
                if names.len() >= 2 && !names.iter().any(|n| n == "serving_default") {
                    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                    cx.error_spanned_by(site, format_args!("several export outputs ({}) and none named \"serving_default\" (\"Multiple export_outputs were provided, but none of them is specified as the default. Do this by naming one of them with signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY.\")\nhelp: name the default output \"serving_default\"", quoted.join(", ")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::{Delimiter, Group};
    use quote::quote;
    use syn::Block;

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
        literal_names(&mut cx, &crate::analysis::literal_names(&body));
        let errors = cx.messages();
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[0].starts_with("metric name \"loss\" is reserved"));
        assert!(errors[1].starts_with("metric name \"global_step\" is reserved"));
        assert!(errors[2].starts_with("several export outputs (\"loss\", \"b\")"));
    }
}
