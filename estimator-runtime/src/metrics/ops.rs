//! `MetricOp` (one batch's type-erased metric state) and `EvalMetricOps` (name → metric).

use super::Metric;
use crate::error::Error;
use std::any::Any;

/// Why two erased states did not merge.
enum MergeRefused {
    /// They are different metrics.
    OtherKind,
    /// The same metric with incompatible settings.
    Incompatible(String),
}

trait ErasedMetric: Send {
    fn merge_boxed(&mut self, other: Box<dyn Any>) -> Result<(), MergeRefused>;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    fn result(&self) -> f64;
    fn sums(&self) -> Option<Vec<f64>>;
    fn set_sums(&mut self, sums: &[f64]);
}

impl<M: Metric> ErasedMetric for M {
    fn merge_boxed(&mut self, other: Box<dyn Any>) -> Result<(), MergeRefused> {
        let other = other.downcast::<M>().map_err(|_| MergeRefused::OtherKind)?;
        self.mergeable(&other).map_err(MergeRefused::Incompatible)?;
        self.merge(*other);
        Ok(())
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    fn result(&self) -> f64 {
        Metric::result(self)
    }

    fn sums(&self) -> Option<Vec<f64>> {
        Metric::sums(self)
    }

    fn set_sums(&mut self, sums: &[f64]) {
        Metric::set_sums(self, sums)
    }
}

/// One batch's contribution to a metric (TF's `update_op`), or the error computing it.
pub struct MetricOp {
    state: Result<Box<dyn ErasedMetric>, Error>,
}

impl<M: Metric> From<M> for MetricOp {
    fn from(metric: M) -> Self {
        MetricOp {
            state: Ok(Box::new(metric)),
        }
    }
}

impl MetricOp {
    pub(crate) fn failed(error: Error) -> MetricOp {
        MetricOp { state: Err(error) }
    }

    /// Folds `other` (the same metric, on another batch) into this one.
    ///
    /// Fails if either side failed to compute, or if they are different metrics.
    pub fn merge(&mut self, other: MetricOp) -> Result<(), Error> {
        let other = other.state?;
        let this = self.state.as_mut().map_err(|e| Error::InvalidMetricInput {
            metric: "merge",
            message: e.to_string(),
        })?;
        this.merge_boxed(other.into_any())
            .map_err(|refused| match refused {
                MergeRefused::OtherKind => Error::MetricMismatch {
                    name: String::from("<unnamed>"),
                },
                MergeRefused::Incompatible(message) => Error::InvalidMetricInput {
                    metric: "merge",
                    message,
                },
            })
    }

    /// The metric's value over every batch merged so far.
    pub fn result(&self) -> Result<f64, Error> {
        match &self.state {
            Ok(m) => Ok(m.result()),
            Err(e) => Err(Error::InvalidMetricInput {
                metric: "result",
                message: e.to_string(),
            }),
        }
    }

    /// The state's [`Metric::sums`], or an error naming why it has none.
    pub(crate) fn sums(&self) -> Result<Vec<f64>, Error> {
        let metric = self.state.as_ref().map_err(|e| Error::InvalidMetricInput {
            metric: "sums",
            message: e.to_string(),
        })?;
        metric.sums().ok_or_else(|| Error::InvalidMetricInput {
            metric: "sums",
            message: "the metric's state does not add up across shards (its `Metric::sums` is `None`); evaluate without `EvalArgs::sharded`".into(),
        })
    }

    /// Sets the state from summed [`Metric::sums`].
    pub(crate) fn set_sums(&mut self, sums: &[f64]) {
        if let Ok(metric) = self.state.as_mut() {
            metric.set_sums(sums);
        }
    }

    /// The error computing this batch's update, if there was one.
    pub fn into_result(self) -> Result<MetricOp, Error> {
        self.state.map(|s| MetricOp { state: Ok(s) })
    }
}

/// The names reserved by the Estimator for its own results.
pub const RESERVED_METRIC_NAMES: [&str; 2] = ["loss", "global_step"];

/// Name → metric, as TF's `eval_metric_ops` dict.
#[derive(Default)]
pub struct EvalMetricOps {
    entries: Vec<(String, MetricOp)>,
}

impl EvalMetricOps {
    /// No metrics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the metric `name`.
    pub fn with(mut self, name: impl Into<String>, op: impl Into<MetricOp>) -> Self {
        let name = name.into();
        let op = op.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = op,
            None => self.entries.push((name, op)),
        }
        self
    }

    /// The metric names, in insertion order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// How many metrics there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks TF's rule that `loss` and `global_step` are reserved.
    pub fn check(&self) -> Result<(), Error> {
        match self
            .entries
            .iter()
            .find(|(n, _)| RESERVED_METRIC_NAMES.contains(&n.as_str()))
        {
            Some((name, _)) => Err(Error::ReservedMetricName { name: name.clone() }),
            None => Ok(()),
        }
    }

    /// Folds another batch's metrics into these, name by name.
    pub fn merge(&mut self, other: EvalMetricOps) -> Result<(), Error> {
        for (name, op) in other.entries {
            match self.entries.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1.merge(op).map_err(|e| match e {
                    Error::MetricMismatch { .. } => Error::MetricMismatch { name: name.clone() },
                    Error::InvalidMetricInput {
                        metric: "merge",
                        message,
                    } => Error::InvalidMetricInput {
                        metric: "merge",
                        message: format!("`{name}`: {message}"),
                    },
                    other => other,
                })?,
                None => self.entries.push((name, op.into_result()?)),
            }
        }
        Ok(())
    }

    /// Every metric's [`Metric::sums`], in declaration order, concatenated.
    pub(crate) fn sums(&self) -> Result<Vec<f64>, Error> {
        let mut out = Vec::new();
        for (name, op) in &self.entries {
            let sums = op.sums().map_err(|e| match e {
                Error::InvalidMetricInput { message, .. } => Error::InvalidMetricInput {
                    metric: "sums",
                    message: format!("`{name}`: {message}"),
                },
                other => other,
            })?;
            out.extend(sums);
        }
        Ok(out)
    }

    /// Sets every metric from its slice of `sums` (laid out as [`sums`](Self::sums) gave it).
    pub(crate) fn set_sums(&mut self, sums: &[f64]) -> Result<(), Error> {
        let mut rest = sums;
        for (name, op) in &mut self.entries {
            let len = op.sums()?.len();
            let Some((mine, tail)) = rest.split_at_checked(len) else {
                return Err(Error::InvalidMetricInput {
                    metric: "sums",
                    message: format!("`{name}`: the replicas' metric states differ in size"),
                });
            };
            op.set_sums(mine);
            rest = tail;
        }
        Ok(())
    }

    /// Every metric's value, in insertion order.
    pub fn results(&self) -> Result<Vec<(String, f64)>, Error> {
        self.entries
            .iter()
            .map(|(n, op)| Ok((n.clone(), op.result()?)))
            .collect()
    }
}

impl std::fmt::Debug for EvalMetricOps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}
