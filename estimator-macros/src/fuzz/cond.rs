//! Conditions on the mode and the `Option` values of required fields, as generated: each
//! knows its value in every mode and how to write itself.

use super::modes::Pen;
use super::rng::Rng;
use crate::analysis::Mode;

/// A condition on the mode: decidable, or (`Opaque`) a form the analysis does not model.
pub enum Cond {
    /// Undecidable from `mode`: a user predicate, a closure, a loop, a field of `params`, …
    /// (which one: an index into [`OPAQUE`]).
    Opaque(usize),
    Eq(Mode, bool),
    Ne(Mode),
    Matches(Vec<Mode>),
    Lit(bool),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    /// Bound first: `let flag3 = <cond>;`, then used as `flag3`.
    Var(Box<Cond>),
}

/// Conditions the analysis cannot decide; `MODE` stands for the mode's name.
const OPAQUE: [&str; 8] = [
    "labels_opt.is_some()",
    "is_training(MODE)",
    "(|| x.is_empty())()",
    "{ let mut seen = false; for _ in 0..steps { seen = !seen; } seen }",
    "cfg!(debug_assertions)",
    "params.flag",
    "check(&MODE)",
    "(MODE == ModeKeys::Train) == params.flag",
];

impl Cond {
    /// A condition with `opaque` percent of its nodes undecidable.
    pub fn random(rng: &mut Rng, depth: usize, opaque: u64) -> Cond {
        if rng.chance(opaque) {
            return Cond::Opaque(rng.below(OPAQUE.len()));
        }
        let sub = |rng: &mut Rng| Box::new(Cond::random(rng, depth.saturating_sub(1), opaque));
        match rng.below(if depth == 0 { 10 } else { 18 }) {
            0..=3 => Cond::Eq(rng.mode(), rng.chance(30)),
            4..=5 => Cond::Ne(rng.mode()),
            6..=8 => Cond::Matches(rng.modes()),
            9 => Cond::Lit(rng.chance(50)),
            10..=11 => Cond::Not(sub(rng)),
            12..=13 => Cond::And(sub(rng), sub(rng)),
            14..=15 => Cond::Or(sub(rng), sub(rng)),
            _ => Cond::Var(sub(rng)),
        }
    }

    /// Whether it holds a condition the analysis does not model.
    pub fn unmodelled(&self) -> bool {
        match self {
            Cond::Opaque(_) => true,
            Cond::Not(c) | Cond::Var(c) => c.unmodelled(),
            Cond::And(a, b) | Cond::Or(a, b) => a.unmodelled() || b.unmodelled(),
            _ => false,
        }
    }

    /// The value in mode `m`; `None` where it depends on more than the mode.
    pub fn eval(&self, m: Mode) -> Option<bool> {
        match self {
            Cond::Opaque(_) => None,
            Cond::Eq(x, _) => Some(*x == m),
            Cond::Ne(x) => Some(*x != m),
            Cond::Matches(xs) => Some(xs.contains(&m)),
            Cond::Lit(b) => Some(*b),
            Cond::Not(c) => c.eval(m).map(|b| !b),
            Cond::And(a, b) => match (a.eval(m), b.eval(m)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Cond::Or(a, b) => match (a.eval(m), b.eval(m)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Cond::Var(c) => c.eval(m),
        }
    }

    pub fn render(&self, p: &mut Pen) -> String {
        let text = match self {
            Cond::Opaque(i) => {
                let mode = p.mode();
                format!("({})", OPAQUE[*i].replace("MODE", &mode))
            }
            Cond::Eq(x, false) => format!("{} == {}", p.mode(), p.variant(*x)),
            Cond::Eq(x, true) => format!("{} == {}", p.variant(*x), p.mode()),
            Cond::Ne(x) => format!("{} != {}", p.mode(), p.variant(*x)),
            Cond::Matches(xs) => format!("matches!({}, {})", p.mode(), patterns(xs)),
            Cond::Lit(b) => b.to_string(),
            Cond::Not(c) => format!("!({})", c.render(p)),
            Cond::And(a, b) => format!("({} && {})", a.render(p), b.render(p)),
            Cond::Or(a, b) => format!("({} || {})", a.render(p), b.render(p)),
            Cond::Var(c) => {
                let value = c.render(p);
                p.bind(value)
            }
        };
        p.wrap(text)
    }
}

/// `ModeKeys::Train | ModeKeys::Eval`.
pub fn patterns(modes: &[Mode]) -> String {
    let pats: Vec<String> = modes
        .iter()
        .map(|m| format!("ModeKeys::{}", m.variant()))
        .collect();
    pats.join(" | ")
}

/// The value a required field is set to.
pub enum Opt {
    Some,
    None,
    /// A variable the analysis knows nothing of: left to the runtime check.
    Unknown,
    /// `if c { Some(..) } else { None }`, or the other way round with `false`.
    If(Cond, bool),
    /// `c.then(|| ..)`.
    Then(Cond),
    /// `match mode { <these> => Some(..), _ => None }`.
    Match(Vec<Mode>),
}

impl Opt {
    /// A value; `opaque` percent of its conditions' nodes are undecidable.
    pub fn random(rng: &mut Rng, opaque: u64) -> Opt {
        match rng.below(20) {
            0..=10 => Opt::Some,
            11..=13 => Opt::None,
            14 => Opt::Unknown,
            15..=16 => Opt::If(Cond::random(rng, 1, opaque), rng.chance(50)),
            17..=18 => Opt::Then(Cond::random(rng, 1, opaque)),
            _ => Opt::Match(rng.modes()),
        }
    }

    /// Whether it is an `Option` of unknown origin, or hangs on an undecidable condition.
    pub fn unmodelled(&self) -> bool {
        match self {
            Opt::Unknown => true,
            Opt::If(c, _) | Opt::Then(c) => c.unmodelled(),
            _ => false,
        }
    }

    /// Whether the field is set in mode `m`; `None` where only the runtime can tell.
    pub fn eval(&self, m: Mode) -> Option<bool> {
        match self {
            Opt::Some => Some(true),
            Opt::None => Some(false),
            Opt::Unknown => None,
            Opt::If(c, some_first) => c.eval(m).map(|b| b == *some_first),
            Opt::Then(c) => c.eval(m),
            Opt::Match(ms) => Some(ms.contains(&m)),
        }
    }

    pub fn render(&self, field: &str, p: &mut Pen) -> String {
        let some = format!("Some({field}_value.clone())");
        let text = match self {
            Opt::Some => some,
            Opt::None => "None".to_string(),
            Opt::Unknown => format!("{field}_opt"),
            Opt::If(c, true) => format!("if {} {{ {some} }} else {{ None }}", c.render(p)),
            Opt::If(c, false) => format!("if {} {{ None }} else {{ {some} }}", c.render(p)),
            Opt::Then(c) => format!("({}).then(|| {field}_value.clone())", c.render(p)),
            Opt::Match(ms) => {
                let mode = p.mode();
                format!("match {mode} {{ {} => {some}, _ => None }}", patterns(ms))
            }
        };
        p.wrap(text)
    }
}
