//! A streaming dataset with tf.data's semantics: a [`Dataset`] describes a pipeline (a source
//! and a chain of transformations); each [`iter`](Dataset::iter) runs it afresh, so the same
//! pipeline with the same seeds yields the same elements in the same order every time. That is
//! what makes a resumed training run exact: the Estimator skips the batches a checkpoint says
//! were consumed, of a pipeline rebuilt from the same description.
//!
//! ```
//! use estimator_runtime::data::{DataError, Dataset};
//! let batches: Vec<Vec<u32>> = Dataset::from_vec((0..10).collect())
//!     .shuffle(4, 7)
//!     .map(|x| Ok::<_, DataError>(x * 10))
//!     .batch(4, true)
//!     .prefetch(2)
//!     .iter()
//!     .collect::<Result<_, _>>()
//!     .unwrap();
//! assert_eq!(batches.len(), 2);
//! let mut seen: Vec<u32> = batches.concat();
//! seen.sort();
//! assert_eq!(seen.len(), 8);
//! ```

mod files;
mod interleave;
mod ops;
mod parallel;
mod shuffle;
#[cfg(test)]
mod tests;

pub use files::TfRecordFiles;

use crate::data::error::DataError;
use std::sync::Arc;

/// One element of a pipeline, or the error a stage met.
pub type Item<T> = Result<T, DataError>;

/// A running pipeline's iterator.
type BoxIter<T> = Box<dyn Iterator<Item = Item<T>> + Send>;

/// Makes a pipeline's iterator; the argument tells repeated iterations apart (a shuffle draws
/// a new order for each, as TF's `reshuffle_each_iteration`).
type MakeIter<T> = dyn Fn(u64) -> BoxIter<T> + Send + Sync;

/// A description of an input pipeline (TF's `tf.data.Dataset`): cheap to clone, iterated with
/// [`iter`](Self::iter) (or `for x in &dataset`), each time from the start.
///
/// Sources: [`from_fn`](Self::from_fn) (any iterator), [`from_vec`](Self::from_vec),
/// [`from_csv`](Self::from_csv) and [`TfRecordFiles`]. Transformations keep TF's names and
/// order semantics; the pipeline's items are `Result`s, and an error travels down to the
/// consumer (the Estimator's train loop stops with it) unless
/// [`ignore_errors`](Self::ignore_errors) drops it.
pub struct Dataset<T> {
    make: Arc<MakeIter<T>>,
}

impl<T> Clone for Dataset<T> {
    fn clone(&self) -> Self {
        Dataset {
            make: Arc::clone(&self.make),
        }
    }
}

impl<T: Send + 'static> Dataset<T> {
    /// A dataset whose iterations each call `f` for a new iterator (any iterator source).
    ///
    /// ```
    /// use estimator_runtime::data::Dataset;
    /// let squares = Dataset::from_fn(|| (0..4u64).map(|x| x * x));
    /// assert_eq!(squares.iter().collect::<Result<Vec<_>, _>>().unwrap(), [0, 1, 4, 9]);
    /// ```
    pub fn from_fn<I, F>(f: F) -> Dataset<T>
    where
        F: Fn() -> I + Send + Sync + 'static,
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + 'static,
    {
        Dataset::from_results_fn(move || f().into_iter().map(Ok))
    }

    /// A dataset of an iterator of `Result`s (a reader that may fail).
    pub fn from_results_fn<I, F>(f: F) -> Dataset<T>
    where
        F: Fn() -> I + Send + Sync + 'static,
        I: IntoIterator<Item = Item<T>>,
        I::IntoIter: Send + 'static,
    {
        Dataset::from_make(move |_| Box::new(f().into_iter()))
    }

    /// The elements of `items`, in order (TF's `from_tensor_slices`).
    pub fn from_vec(items: Vec<T>) -> Dataset<T>
    where
        T: Clone + Sync,
    {
        let items = Arc::new(items);
        Dataset::from_fn(move || {
            let items = Arc::clone(&items);
            (0..items.len()).filter_map(move |i| items.get(i).cloned())
        })
    }

    /// The items of a burn-dataset `Dataset` (the random-access layer: an indexed table,
    /// `InMemDataset`, `SqliteDataset`, …) in index order, as a stream; its errors become
    /// [`DataError::Stage`] elements.
    ///
    /// ```
    /// use burn::data::dataset::InMemDataset;
    /// use estimator_runtime::data::Dataset;
    /// let table = InMemDataset::new(vec![1.5f32, 2.5, 3.5]);
    /// let stream = Dataset::from_burn(table).batch(2, false);
    /// assert_eq!(stream.iter().count(), 2);
    /// ```
    pub fn from_burn<D, E>(dataset: D) -> Dataset<T>
    where
        D: burn::data::dataset::Dataset<T, E> + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        let dataset = Arc::new(dataset);
        Dataset::from_results_fn(move || {
            let dataset = Arc::clone(&dataset);
            (0..dataset.len()).map(move |i| {
                dataset
                    .get(i)
                    .map_err(|e| DataError::Stage(format!("burn dataset item {i}: {e}")))
            })
        })
    }

    /// A new iterator over the pipeline, from its start.
    pub fn iter(&self) -> DatasetIter<T> {
        DatasetIter {
            inner: (self.make)(0),
        }
    }

    pub(crate) fn from_make(make: impl Fn(u64) -> BoxIter<T> + Send + Sync + 'static) -> Self {
        Dataset {
            make: Arc::new(make),
        }
    }

    pub(crate) fn make_iter(&self, iteration: u64) -> BoxIter<T> {
        (self.make)(iteration)
    }
}

/// An iterator over a [`Dataset`]: yields `Result<T, DataError>`.
pub struct DatasetIter<T> {
    inner: BoxIter<T>,
}

impl<T> Iterator for DatasetIter<T> {
    type Item = Item<T>;

    fn next(&mut self) -> Option<Item<T>> {
        self.inner.next()
    }
}

impl<T: Send + 'static> IntoIterator for &Dataset<T> {
    type Item = Item<T>;
    type IntoIter = DatasetIter<T>;

    fn into_iter(self) -> DatasetIter<T> {
        self.iter()
    }
}

impl<T: Send + 'static> IntoIterator for Dataset<T> {
    type Item = Item<T>;
    type IntoIter = DatasetIter<T>;

    fn into_iter(self) -> DatasetIter<T> {
        self.iter()
    }
}
