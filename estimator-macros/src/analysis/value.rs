//! The abstract values the walker computes.

use proc_macro2::TokenStream;

/// Whether a required field is set.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Presence {
    /// Set on this path.
    Present,
    /// Not set on this path: a compile error where the mode needs it.
    Absent,
    /// Cannot be decided here: the runtime check keeps TF's rule.
    Unknown,
}

impl Presence {
    /// The presence after two paths meet.
    pub fn join(self, other: Presence) -> Presence {
        if self == other {
            self
        } else {
            Presence::Unknown
        }
    }
}

/// The three fields some mode requires.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `loss`, required in TRAIN and EVAL.
    Loss,
    /// `train_op`, required in TRAIN.
    TrainOp,
    /// `predictions`, required in PREDICT.
    Predictions,
}

impl Field {
    /// All required fields.
    pub const ALL: [Field; 3] = [Field::Loss, Field::TrainOp, Field::Predictions];

    /// The field's name in `EstimatorSpec`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Loss => "loss",
            Field::TrainOp => "train_op",
            Field::Predictions => "predictions",
        }
    }

    /// The field named `name`, if it is a required one.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Where a presence was decided: the smallest span to point at.
#[derive(Clone, Debug)]
pub struct Site {
    /// Identifies the syntax node, so that the three mode walks agree on it.
    pub id: usize,
    /// The tokens to span in a diagnostic.
    pub tokens: TokenStream,
    /// For a field set to `None`: the mode condition that chose `None` (`mode == X` is false).
    pub reason: Option<String>,
    /// The syntax a fix is written in there.
    pub form: Form,
}

/// How a spec's field is written where a presence was decided, so that a `help:` can be
/// written in the same syntax.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// A builder chain: `.train_op(..)`.
    Builder,
    /// The argument of a builder method: `.train_op(None)`.
    BuilderArg,
    /// A struct literal: `train_op: Some(..)`.
    Literal,
    /// An assignment to a spec variable's field: `spec.train_op = Some(..)`.
    Assignment,
}

impl Site {
    pub(crate) fn of<T: quote::ToTokens>(node: &T) -> Site {
        Site {
            id: node as *const T as usize,
            tokens: node.to_token_stream(),
            reason: None,
            form: Form::Builder,
        }
    }

    /// The same site, in the syntax `form`.
    pub(crate) fn written_as(mut self, form: Form) -> Site {
        self.form = form;
        self
    }

    /// The same site, recording why a `None` was chosen there.
    pub(crate) fn because(mut self, reason: Option<String>) -> Site {
        self.reason = reason;
        self
    }
}

/// One constructor a returned spec may come from, with the state of each required field.
#[derive(Clone, Debug)]
pub struct SpecCandidate {
    /// Presence and site, indexed by [`Field::index`].
    pub fields: [(Presence, Site); 3],
    /// The mode condition under which the constructor was reached (`mode == X` is false).
    pub reason: Option<String>,
}

impl SpecCandidate {
    /// A spec with nothing set (`EstimatorSpec::new(mode)`), decided at `site`.
    pub fn empty(site: &Site) -> SpecCandidate {
        let absent = (Presence::Absent, site.clone());
        SpecCandidate {
            fields: [absent.clone(), absent.clone(), absent],
            reason: None,
        }
    }

    /// The presence of `field`.
    pub fn presence(&self, field: Field) -> Presence {
        self.fields[field.index()].0
    }

    /// Where the presence of `field` was decided.
    pub fn site(&self, field: Field) -> &Site {
        &self.fields[field.index()].1
    }
}

/// What an expression evaluates to, as far as the analysis can tell.
#[derive(Clone, Debug)]
pub enum Value {
    /// Anything the analysis does not model.
    Unknown,
    /// A boolean it could decide (from a condition on `mode`).
    Bool(bool),
    /// The value of the `mode` parameter.
    Mode,
    /// An `Option`: `Some(..)`, `None`, or a join of both.
    Opt(Presence, Site),
    /// An `EstimatorSpec`, from one of several constructors.
    Spec(Vec<SpecCandidate>),
    /// What a function or method call returned, which the analysis does not read (a spec
    /// built in a helper, say): the callee's name and the call.
    Call(String, Site),
}

impl Value {
    /// The value after two paths meet.
    pub fn join(self, other: Value) -> Value {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) if a == b => Value::Bool(a),
            (Value::Mode, Value::Mode) => Value::Mode,
            (Value::Opt(a, site), Value::Opt(b, _)) => Value::Opt(a.join(b), site),
            (Value::Spec(mut a), Value::Spec(b)) => {
                a.extend(b);
                Value::Spec(a)
            }
            _ => Value::Unknown,
        }
    }

    /// The presence this value gives a field it is assigned to.
    pub fn presence(&self) -> Presence {
        match self {
            Value::Opt(p, _) => *p,
            _ => Presence::Unknown,
        }
    }

    /// Why this value is `None`, where a mode condition chose it.
    pub fn reason(&self) -> Option<String> {
        match self {
            Value::Opt(Presence::Absent, site) => site.reason.clone(),
            _ => None,
        }
    }
}
