//! Conditions on the mode and the `Option` values of required fields, as generated: each
//! knows its value in every mode and how to write itself.

use super::modes::Pen;
use super::rng::Rng;
use crate::analysis::Mode;

/// A condition on the mode, always decidable.
pub enum Cond {
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

impl Cond {
    pub fn random(rng: &mut Rng, depth: usize) -> Cond {
        let sub = |rng: &mut Rng| Box::new(Cond::random(rng, depth.saturating_sub(1)));
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

    pub fn eval(&self, m: Mode) -> bool {
        match self {
            Cond::Eq(x, _) => *x == m,
            Cond::Ne(x) => *x != m,
            Cond::Matches(xs) => xs.contains(&m),
            Cond::Lit(b) => *b,
            Cond::Not(c) => !c.eval(m),
            Cond::And(a, b) => a.eval(m) && b.eval(m),
            Cond::Or(a, b) => a.eval(m) || b.eval(m),
            Cond::Var(c) => c.eval(m),
        }
    }

    pub fn render(&self, p: &mut Pen) -> String {
        let text = match self {
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
    pub fn random(rng: &mut Rng) -> Opt {
        match rng.below(20) {
            0..=10 => Opt::Some,
            11..=13 => Opt::None,
            14 => Opt::Unknown,
            15..=16 => Opt::If(Cond::random(rng, 1), rng.chance(50)),
            17..=18 => Opt::Then(Cond::random(rng, 1)),
            _ => Opt::Match(rng.modes()),
        }
    }

    /// Whether the field is set in mode `m`; `None` where only the runtime can tell.
    pub fn eval(&self, m: Mode) -> Option<bool> {
        match self {
            Opt::Some => Some(true),
            Opt::None => Some(false),
            Opt::Unknown => None,
            Opt::If(c, some_first) => Some(c.eval(m) == *some_first),
            Opt::Then(c) => Some(c.eval(m)),
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
