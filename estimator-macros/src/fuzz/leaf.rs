//! The specs a generated model_fn returns, in every constructor style the contract promises
//! to read.

use super::cond::Opt;
use super::modes::{FIELDS, Pen};
use super::rng::Rng;

/// A returned spec: the three fields, a constructor style, and maybe a named metric.
pub struct Leaf {
    /// `loss`, `train_op` and `predictions`, in [`FIELDS`] order.
    pub opts: [Opt; 3],
    style: usize,
    omit_none: bool,
    /// The name of the one metric it sets, if any.
    pub metric: Option<&'static str>,
}

impl Leaf {
    /// A spec; `opaque` percent of its conditions' nodes are undecidable.
    pub fn random(rng: &mut Rng, opaque: u64) -> Leaf {
        let metric = rng
            .chance(20)
            .then(|| *rng.pick(&["accuracy", "loss", "global_step"]));
        Leaf {
            opts: [
                Opt::random(rng, opaque),
                Opt::random(rng, opaque),
                Opt::random(rng, opaque),
            ],
            style: rng.below(6),
            omit_none: rng.chance(50),
            metric,
        }
    }

    fn metric(&self, p: &mut Pen) -> Option<String> {
        let name = self.metric.map(|name| p.wrap(format!("{name:?}")))?;
        let ops = p.wrap("EvalMetricOps::new()".to_string());
        Some(format!("{ops}.with({name}, metrics::mean(x.clone()))"))
    }

    /// The fields written out: an omitted `None` leaves the field as `EstimatorSpec::new` has
    /// it. With `all`, every field is written.
    fn written(&self, p: &mut Pen, all: bool) -> Vec<(&'static str, String)> {
        FIELDS
            .iter()
            .zip(&self.opts)
            .filter(|(_, o)| all || !(self.omit_none && matches!(o, Opt::None)))
            .map(|(f, o)| (*f, o.render(f, p)))
            .collect()
    }

    /// The spec as an expression.
    pub fn render(&self, p: &mut Pen) -> String {
        let spec = match self.style {
            0 => self.literal(p, true),
            1 => self.literal(p, false),
            2 => self.builder(p),
            3 => self.shadowed(p),
            4 => self.assigned(p),
            _ => format!("{{ let spec = {}; spec }}", self.builder(p)),
        };
        p.wrap(spec)
    }

    /// `EstimatorSpec { .. }`, with `..EstimatorSpec::new(mode)` or every field written.
    fn literal(&self, p: &mut Pen, base: bool) -> String {
        let mut fields = vec!["mode".to_string()];
        let written = self.written(p, !base);
        fields.extend(written.into_iter().map(|(f, v)| format!("{f}: {v}")));
        fields.extend(self.metric(p).map(|m| format!("eval_metric_ops: {m}")));
        fields.extend(base.then(|| "..EstimatorSpec::new(mode)".to_string()));
        format!("EstimatorSpec {{ {} }}", fields.join(", "))
    }

    fn builder(&self, p: &mut Pen) -> String {
        let mut chain = p.wrap("EstimatorSpec::new(mode)".to_string());
        if let Some(m) = self.metric(p) {
            chain.push_str(&format!(".eval_metric_ops({m})"));
        }
        for (f, v) in self.written(p, false) {
            chain.push_str(&format!(".{f}({v})"));
        }
        chain
    }

    /// Each field bound by `let`, then shadowed by its real value.
    fn shadowed(&self, p: &mut Pen) -> String {
        let mut out = String::from("{ ");
        for (f, o) in FIELDS.iter().zip(&self.opts) {
            let stale = if matches!(o, Opt::None) {
                "Some(stale.clone())"
            } else {
                "None"
            };
            out.push_str(&format!(
                "let {f} = {stale}; let {f} = {}; ",
                o.render(f, p)
            ));
        }
        let metric = self.metric(p).map(|m| format!("eval_metric_ops: {m}, "));
        out.push_str(&format!(
            "EstimatorSpec {{ mode, loss, train_op, predictions, {}..EstimatorSpec::new(mode) }} }}",
            metric.unwrap_or_default()
        ));
        out
    }

    /// `let mut spec = EstimatorSpec::new(mode); spec.loss = ..; spec`.
    fn assigned(&self, p: &mut Pen) -> String {
        let mut out = String::from("{ let mut spec = EstimatorSpec::new(mode); ");
        for (f, v) in self.written(p, false) {
            out.push_str(&format!("spec.{f} = {v}; "));
        }
        if let Some(m) = self.metric(p) {
            out.push_str(&format!("spec.eval_metric_ops = {m}; "));
        }
        out.push_str("spec }");
        out
    }
}
