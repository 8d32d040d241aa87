//! Unknown parameter names: each is an error, with the role it was probably meant to have
//! (`featurs` → `features`), which the fallback then stands the parameter in for.

use super::{Param, ROLES, Role, role_name};
use crate::ctxt::Ctxt;
use syn::{Ident, Type};

/// A role an error suggested for an unknown parameter name, with that parameter.
pub(super) struct Suggested {
    pub(super) role: Role,
    ident: Ident,
    ty: Type,
}

impl Suggested {
    /// The parameter as the role it was meant to have, if its type fits that role.
    pub(super) fn recover(&self) -> Option<Param> {
        let ty = crate::peel::ty(&self.ty);
        let inner = super::types::inner_type(&mut Ctxt::default(), self.role, ty)?;
        Some(Param {
            role: self.role,
            ident: self.ident.clone(),
            ty: ty.clone(),
            inner,
        })
    }
}

/// Reports each unknown name, with a suggestion where one fits, and returns the roles not yet
/// declared that a suggestion names (each once), so that a missing role is not reported a
/// second time and the fallback can stand the parameter in for it.
pub(super) fn report_unknown(
    cx: &mut Ctxt,
    unknown: &[(Ident, Type)],
    seen: &[Role],
    missing: &[Role],
) -> Vec<Suggested> {
    let mut suggested: Vec<Suggested> = Vec::new();
    for (ident, ty) in unknown {
        let name = ident.to_string();
        let close = closest_role(name.trim_start_matches('_'), seen);
        let only_missing = match (unknown, missing) {
            ([_], [role]) => Some(*role),
            _ => None,
        };
        let help = match (close, only_missing) {
            (Some(role), _) => Some(format!("did you mean `{}`?", role_name(role))),
            (None, Some(role)) => Some(format!(
                "a model_fn needs a `{0}` parameter: rename `{name}` to `{0}`",
                role_name(role)
            )),
            (None, None) => None,
        };
        let role = close.or(only_missing).filter(|r| !seen.contains(r));
        if let Some(role) = role.filter(|r| suggested.iter().all(|s| s.role != *r)) {
            suggested.push(Suggested {
                role,
                ident: ident.clone(),
                ty: ty.clone(),
            });
        }
        cx.error_spanned_by(ident, unknown_name_message(&name, help.as_deref()));
    }
    suggested
}

/// The role whose name is within two edits of `name`, preferring roles not yet declared.
fn closest_role(name: &str, seen: &[Role]) -> Option<Role> {
    let mut close: Vec<(usize, bool, Role)> = ROLES
        .iter()
        .map(|(n, r)| (edit_distance(n, name), seen.contains(r), *r))
        .filter(|(d, _, _)| *d <= 2)
        .collect();
    close.sort_by_key(|(d, taken, _)| (*taken, *d));
    close.first().map(|(_, _, r)| *r)
}

fn unknown_name_message(name: &str, help: Option<&str>) -> String {
    let mut msg = format!(
        "unknown model_fn parameter `{name}`\nnote: TF recognises parameters by name: `model`, `features`, `labels`, `mode`, `params`, `config`"
    );
    if let Some(help) = help {
        msg.push_str("\nhelp: ");
        msg.push_str(help);
    }
    msg
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
