//! Structured model_fns: random trees of decidable mode conditions whose leaves return specs,
//! together with the errors the macro must give, computed here independently of it.

use super::cond::{Cond, Opt, patterns};
use super::leaf::Leaf;
use super::rng::Rng;
use crate::analysis::Mode;
use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use std::collections::BTreeSet;

/// The required fields, in `analysis::Field` order.
pub const FIELDS: [&str; 3] = ["loss", "train_op", "predictions"];

/// Indices into [`FIELDS`] that `mode` requires.
fn required(mode: Mode) -> &'static [usize] {
    match mode {
        Mode::Train => &[0, 1],
        Mode::Eval => &[0],
        Mode::Predict => &[2],
    }
}

/// What the macro must report for a generated function.
pub struct Expected {
    /// `(field, mode variant)` for every required field a mode's path leaves `None`.
    pub missing: BTreeSet<(String, String)>,
    /// Whether the body holds forms the analysis does not model (undecidable conditions,
    /// `if let`, loops, closures, unknown macros, unknown `Option`s).
    pub unmodelled: bool,
    /// How many reserved metric names the body writes (on any path, reachable or not).
    pub reserved: usize,
}

/// Writes source text: the mode's name, and some pieces marked to become invisible groups.
pub struct Pen<'a> {
    rng: &'a mut Rng,
    scrutinee: &'static str,
    invisible: u64,
    /// `let flagN = <cond>;` statements, written before the body.
    lets: Vec<String>,
}

impl Pen<'_> {
    /// `text`, sometimes marked as an invisible group, as a `macro_rules!` fragment arrives.
    pub fn wrap(&mut self, text: String) -> String {
        if self.rng.chance(self.invisible) {
            format!("__invisible({text})")
        } else {
            text
        }
    }

    /// Binds `value` to a new `flagN` and returns the name.
    pub fn bind(&mut self, value: String) -> String {
        let name = format!("flag{}", self.lets.len());
        self.lets.push(format!("let {name} = {value};"));
        name
    }

    /// The mode's name, or a binding of it.
    pub fn mode(&mut self) -> String {
        let s = self.scrutinee.to_string();
        self.wrap(s)
    }

    pub fn variant(&mut self, m: Mode) -> String {
        self.wrap(format!("ModeKeys::{}", m.variant()))
    }

    /// A type as written, sometimes in parentheses or an invisible group.
    fn ty(&mut self, ty: &str) -> String {
        let ty = if self.rng.chance(10) {
            format!("({ty})")
        } else {
            ty.to_string()
        };
        self.wrap(ty)
    }
}

/// Turns each `__invisible(..)` into a `Delimiter::None` group.
fn make_invisible(tokens: TokenStream) -> TokenStream {
    let mut out = Vec::new();
    let mut tts = tokens.into_iter().peekable();
    while let Some(tt) = tts.next() {
        match tt {
            TokenTree::Ident(i) if i == "__invisible" => {
                if let Some(TokenTree::Group(g)) = tts.next() {
                    out.push(TokenTree::Group(Group::new(
                        Delimiter::None,
                        make_invisible(g.stream()),
                    )));
                }
            }
            TokenTree::Group(g) => {
                let mut group = Group::new(g.delimiter(), make_invisible(g.stream()));
                group.set_span(g.span());
                out.push(TokenTree::Group(group));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// A match arm's pattern.
enum Arm {
    Modes(Vec<Mode>),
    Wild,
    Bind,
}

/// One arm: its pattern, maybe a guard, and its body.
type MatchArm = (Arm, Option<Cond>, Node);

/// The control flow of a body.
enum Node {
    Leaf(Leaf),
    IfElse(Cond, Box<Node>, Box<Node>),
    /// `if c { <returns> } <rest>`.
    Early(Cond, Box<Node>, Box<Node>),
    Match(Vec<MatchArm>),
    /// `let spec = { .. }; spec`.
    Bound(Box<Node>),
    /// `if let Some(_l) = labels_opt { .. } else { .. }`: not about the mode.
    IfLetSome(Box<Node>, Box<Node>),
    /// `for _ in 0..steps { if c { <returns> } } <rest>`: the loop may run or not.
    Looped(Cond, Box<Node>, Box<Node>),
    /// `user_macro!(x); ..`: a macro the analysis does not know, which may return.
    UserMacro(Box<Node>),
    /// `println!(..); ..`: a known macro, which does not return.
    Logged(Box<Node>),
}

/// What a mode may reach: the leaves it may return (a superset, where conditions are
/// undecidable), and whether it passes a macro that may return by itself.
#[derive(Default)]
struct Reach<'a> {
    leaves: Vec<&'a Leaf>,
    opaque: bool,
}

impl Node {
    fn random(rng: &mut Rng, depth: usize, opaque: u64) -> Node {
        if depth == 0 || rng.chance(25) {
            return Node::Leaf(Leaf::random(rng, opaque));
        }
        let sub = |rng: &mut Rng| Box::new(Node::random(rng, depth - 1, opaque));
        let cond = |rng: &mut Rng| Cond::random(rng, 2, opaque);
        let kinds = if opaque > 0 { 11 } else { 7 };
        match rng.below(kinds) {
            0..=1 => Node::IfElse(cond(rng), sub(rng), sub(rng)),
            2..=3 => Node::Early(cond(rng), sub(rng), sub(rng)),
            4..=5 => Node::Match(random_arms(rng, depth, opaque)),
            6 => Node::Bound(sub(rng)),
            7 => Node::IfLetSome(sub(rng), sub(rng)),
            8 => Node::Looped(cond(rng), sub(rng), sub(rng)),
            9 if rng.chance(30) => Node::UserMacro(sub(rng)),
            _ => Node::Logged(sub(rng)),
        }
    }

    /// What mode `m` may reach, with every undecidable condition taken both ways.
    fn reach<'a>(&'a self, m: Mode, out: &mut Reach<'a>) {
        match self {
            Node::Leaf(leaf) => out.leaves.push(leaf),
            Node::IfElse(c, a, b) | Node::Early(c, a, b) | Node::Looped(c, a, b) => {
                let loops = matches!(self, Node::Looped(..));
                match c.eval(m) {
                    Some(true) if !loops => a.reach(m, out),
                    Some(false) => b.reach(m, out),
                    _ => {
                        a.reach(m, out);
                        b.reach(m, out);
                    }
                }
            }
            Node::IfLetSome(a, b) => {
                a.reach(m, out);
                b.reach(m, out);
            }
            Node::Match(arms) => {
                for (arm, guard, body) in arms {
                    if matches!(arm, Arm::Modes(ms) if !ms.contains(&m)) {
                        continue;
                    }
                    let guard = guard.as_ref().map_or(Some(true), |g| g.eval(m));
                    if guard != Some(false) {
                        body.reach(m, out);
                    }
                    if guard == Some(true) {
                        break;
                    }
                }
            }
            Node::Bound(n) | Node::Logged(n) => n.reach(m, out),
            Node::UserMacro(n) => {
                out.opaque = true;
                n.reach(m, out);
            }
        }
    }

    /// Whether the tree holds a form the analysis does not model.
    fn unmodelled(&self) -> bool {
        match self {
            Node::Leaf(leaf) => leaf.opts.iter().any(Opt::unmodelled),
            Node::IfElse(c, a, b) | Node::Early(c, a, b) | Node::Looped(c, a, b) => {
                matches!(self, Node::Looped(..))
                    || c.unmodelled()
                    || a.unmodelled()
                    || b.unmodelled()
            }
            Node::IfLetSome(..) | Node::UserMacro(_) => true,
            Node::Match(arms) => arms
                .iter()
                .any(|(_, g, n)| g.as_ref().is_some_and(Cond::unmodelled) || n.unmodelled()),
            Node::Bound(n) | Node::Logged(n) => n.unmodelled(),
        }
    }

    fn leaves<'a>(&'a self, out: &mut Vec<&'a Leaf>) {
        match self {
            Node::Leaf(leaf) => out.push(leaf),
            Node::IfElse(_, a, b)
            | Node::Early(_, a, b)
            | Node::Looped(_, a, b)
            | Node::IfLetSome(a, b) => {
                a.leaves(out);
                b.leaves(out);
            }
            Node::Match(arms) => arms.iter().for_each(|(_, _, n)| n.leaves(out)),
            Node::Bound(n) | Node::UserMacro(n) | Node::Logged(n) => n.leaves(out),
        }
    }

    /// Statements ending the enclosing block; with `ret`, every leaf is a `return`.
    fn render(&self, p: &mut Pen, ret: bool) -> String {
        match self {
            Node::Leaf(leaf) if ret => format!("return {};", leaf.render(p)),
            Node::Leaf(leaf) => leaf.render(p),
            Node::IfElse(c, a, b) => {
                let c = c.render(p);
                let (a, b) = (a.render(p, ret), b.render(p, ret));
                format!("if {c} {{ {a} }} else {{ {b} }}")
            }
            Node::Early(c, a, b) => {
                let c = c.render(p);
                format!("if {c} {{ {} }} {}", a.render(p, true), b.render(p, ret))
            }
            Node::Looped(c, a, b) => {
                let c = c.render(p);
                let a = a.render(p, true);
                format!(
                    "for _ in 0..steps {{ if {c} {{ {a} }} }} {}",
                    b.render(p, ret)
                )
            }
            Node::IfLetSome(a, b) => {
                let (a, b) = (a.render(p, ret), b.render(p, ret));
                format!("if let Some(_l) = labels_opt {{ {a} }} else {{ {b} }}")
            }
            Node::Match(arms) => {
                let scrutinee = p.mode();
                let arms: Vec<String> = arms.iter().map(|arm| render_arm(arm, p, ret)).collect();
                format!("match {scrutinee} {{ {} }}", arms.join(" "))
            }
            Node::Bound(n) => {
                let tail = if ret { "return spec;" } else { "spec" };
                format!("let spec = {{ {} }}; {tail}", n.render(p, false))
            }
            Node::UserMacro(n) => format!("{{ trace_step!(x); {} }}", n.render(p, ret)),
            Node::Logged(n) => {
                let mode = p.mode();
                format!("{{ println!(\"{{:?}}\", {mode}); {} }}", n.render(p, ret))
            }
        }
    }
}

fn render_arm((arm, guard, body): &MatchArm, p: &mut Pen, ret: bool) -> String {
    let pat = match arm {
        Arm::Modes(ms) => patterns(ms),
        Arm::Wild => "_".to_string(),
        Arm::Bind => "other".to_string(),
    };
    let guard = guard.as_ref().map(|g| format!(" if {}", g.render(p)));
    let body = body.render(p, ret);
    format!("{pat}{} => {{ {body} }}", guard.unwrap_or_default())
}

/// Arms that split the three modes, some guarded; after a guard, the last arm is `_`.
fn random_arms(rng: &mut Rng, depth: usize, opaque: u64) -> Vec<MatchArm> {
    let mut modes = Mode::ALL.to_vec();
    rng.shuffle(&mut modes);
    let mut arms = Vec::new();
    let mut guarded = false;
    while !modes.is_empty() {
        let take = 1 + rng.below(modes.len());
        let rest = modes.split_off(take);
        let guard = rng.chance(20).then(|| Cond::random(rng, 1, opaque));
        guarded |= guard.is_some();
        let arm = match (rest.is_empty() && rng.chance(40), rng.chance(50)) {
            (true, true) => Arm::Wild,
            (true, false) => Arm::Bind,
            (false, _) => Arm::Modes(modes),
        };
        arms.push((arm, guard, Node::random(rng, depth - 1, opaque)));
        modes = rest;
    }
    if guarded {
        arms.push((Arm::Wild, None, Node::random(rng, depth - 1, opaque)));
    }
    arms
}

/// A generated model_fn and the errors it must give.
pub fn generate(rng: &mut Rng) -> (TokenStream, Expected) {
    // Most trees are fully decidable; the others mix in forms the analysis does not model.
    let opaque = *rng.pick(&[0, 0, 0, 10, 25, 50]);
    let root = Node::random(rng, 3, opaque);
    let scrutinee = if rng.chance(20) { "current" } else { "mode" };
    let invisible = *rng.pick(&[0, 0, 5, 20]);
    let ret = rng.chance(30);
    let lets = Vec::new();
    let mut pen = Pen {
        rng,
        scrutinee,
        invisible,
        lets,
    };
    let mut params = vec![("features", "Tensor<2>"), ("mode", "ModeKeys")];
    for extra in [
        ("model", "&Mlp"),
        ("labels", "Option<Tensor<1, Int>>"),
        ("params", "&HParams"),
        ("config", "&RunConfig"),
    ] {
        if pen.rng.chance(50) {
            params.push(extra);
        }
    }
    pen.rng.shuffle(&mut params);
    let params: Vec<String> = params
        .iter()
        .map(|(name, ty)| format!("{name}: {}", pen.ty(ty)))
        .collect();
    let output = pen.ty("EstimatorSpec");
    let body = root.render(&mut pen, ret);
    let source = format!(
        "fn generated({}) -> {output} {{ let x = features.clone(); let current = mode; {} {body} }}",
        params.join(", "),
        pen.lets.join(" "),
    );
    let tokens = source
        .parse()
        .unwrap_or_else(|e| panic!("generated source does not lex: {e}\n{source}"));
    (make_invisible(tokens), expected(&root))
}

/// The errors the contract asks for: a required field is missing in a mode only where every
/// leaf that mode may reach leaves it `None`, and no macro that may return lies on the way.
fn expected(root: &Node) -> Expected {
    let mut missing = BTreeSet::new();
    for m in Mode::ALL {
        let mut reach = Reach::default();
        root.reach(m, &mut reach);
        if reach.opaque || reach.leaves.is_empty() {
            continue;
        }
        for &f in required(m) {
            if reach
                .leaves
                .iter()
                .all(|l| l.opts[f].eval(m) == Some(false))
            {
                missing.insert((FIELDS[f].to_string(), m.variant().to_string()));
            }
        }
    }
    let mut leaves = Vec::new();
    root.leaves(&mut leaves);
    let reserved = leaves
        .iter()
        .filter(|l| matches!(l.metric, Some("loss" | "global_step")))
        .count();
    Expected {
        missing,
        unmodelled: root.unmodelled(),
        reserved,
    }
}
