//! Unit tests of the analysis and the required-field check, on `parse_quote!` input, one file
//! per concern; the helpers they share are here.

use crate::analysis::{self, Mode, Presence, Value};
use crate::check;
use crate::ctxt::Ctxt;
use syn::{ItemFn, parse_quote};

mod decide;
mod flow;
mod report;
mod undecided;

/// The compile errors the checks give for `item`.
fn errors(item: ItemFn) -> Vec<String> {
    let mut cx = Ctxt::default();
    let analyses = analysis::analyse(&item.block, "mode");
    check::required_fields(&mut cx, &analyses, &Mode::ALL);
    check::literal_names(&mut cx, &analysis::literal_names(&item.block));
    cx.messages()
}

/// The presence of `field` at each return point of `mode`.
fn presences(item: &ItemFn, mode: Mode, field: analysis::Field) -> Vec<Presence> {
    let analyses = analysis::analyse(&item.block, "mode");
    let a = analyses
        .iter()
        .find(|a| a.mode == mode)
        .expect("every mode is analysed");
    a.returns
        .iter()
        .flat_map(|r| match &r.value {
            Value::Spec(c) => c.iter().map(|c| c.presence(field)).collect(),
            _ => vec![Presence::Unknown],
        })
        .collect()
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}
