//! Streaming evaluation metrics: TF's `(value, update_op)` pairs as mergeable batch updates.
//!
//! Each function takes one batch's tensors in TF's order, `(labels, predictions)`, and returns
//! a [`MetricOp`]: the batch's contribution. The evaluator merges the contributions of every
//! batch and reads the value at the end, so a metric over a data set is exact, not a mean of
//! batch means.
//!
//! ```
//! use estimator_runtime::prelude::*;
//! let device = Device::default();
//! let labels = Tensor::<1, Int>::from_data([1, 0, 1, 1], &device);
//! let classes = Tensor::<1, Int>::from_data([1, 0, 0, 1], &device);
//! let mut acc = metrics::accuracy(labels.clone(), classes.clone());
//! acc.merge(metrics::accuracy(labels, classes)).unwrap();
//! assert_eq!(acc.result().unwrap(), 0.75);
//! ```

mod builtin;
mod ops;

pub use builtin::{
    Accuracy, Auc, MAX_AUC_THRESHOLDS, Mean, MeanAbsoluteError, MeanSquaredError, Precision,
    Recall, RootMeanSquaredError, accuracy, auc, auc_with_thresholds, mean, mean_absolute_error,
    mean_squared_error, precision, recall, root_mean_squared_error,
};
pub use ops::{EvalMetricOps, MetricOp};

/// A streaming metric: a batch's state that merges with other batches' states.
///
/// Implement it for a custom metric and hand a value to [`EvalMetricOps::with`]:
///
/// ```
/// use estimator_runtime::prelude::*;
/// use estimator_runtime::metrics::Metric;
///
/// /// The largest absolute error seen.
/// struct MaxError(f64);
/// impl Metric for MaxError {
///     fn merge(&mut self, other: Self) { self.0 = self.0.max(other.0); }
///     fn result(&self) -> f64 { self.0 }
/// }
/// let mut op = MetricOp::from(MaxError(0.5));
/// op.merge(MaxError(2.0).into()).unwrap();
/// assert_eq!(op.result().unwrap(), 2.0);
/// ```
pub trait Metric: Send + 'static {
    /// Folds another batch's state into this one.
    fn merge(&mut self, other: Self)
    where
        Self: Sized;

    /// Why `other` cannot be merged into this state, if it cannot: for example an [`Auc`]
    /// with another number of thresholds. [`MetricOp::merge`] asks before merging and turns a
    /// refusal into an error. The default accepts every state.
    fn mergeable(&self, other: &Self) -> Result<(), String>
    where
        Self: Sized,
    {
        let _ = other;
        Ok(())
    }

    /// The metric's value over every batch merged so far.
    fn result(&self) -> f64;

    /// The state as numbers that add up across shards of one evaluation (counts, sums,
    /// histogram bins), so that an evaluation sharded across MPI replicas
    /// ([`EvalArgs::sharded`](crate::EvalArgs::sharded)) can merge it exactly with one
    /// all-reduce. `None` (the default) means the state does not add up; a sharded evaluation
    /// then refuses the metric with an error.
    fn sums(&self) -> Option<Vec<f64>> {
        None
    }

    /// Replaces the state with `sums`, the element-wise sum of every shard's
    /// [`sums`](Self::sums) (same length).
    fn set_sums(&mut self, sums: &[f64]) {
        let _ = sums;
    }
}

/// Whether a metric improves by going down (a loss) or up (an accuracy). Early stopping and
/// [`BestExporter`](crate::BestExporter) both read it.
///
/// ```
/// use estimator_runtime::metrics::Direction;
/// assert!(Direction::Decrease.improves(0.2, Some(0.3)));
/// assert!(Direction::Increase.improves(0.2, None));
/// assert!(!Direction::Increase.improves(0.2, Some(0.3)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Lower is better (a loss).
    Decrease,
    /// Higher is better (an accuracy).
    Increase,
}

impl Direction {
    /// `Increase` when higher is better, else `Decrease`.
    pub fn from_higher_is_better(higher_is_better: bool) -> Self {
        if higher_is_better {
            Direction::Increase
        } else {
            Direction::Decrease
        }
    }

    /// Whether `value` is better than `best` (any value beats no value).
    pub fn improves(self, value: f64, best: Option<f64>) -> bool {
        match (best, self) {
            (None, _) => true,
            (Some(best), Direction::Decrease) => value < best,
            (Some(best), Direction::Increase) => value > best,
        }
    }
}
