//! The sequential transformations: `map`, `batch`, `repeat`, `take`, `skip`, `shard`,
//! `ignore_errors`.

use super::{Dataset, Item};
use crate::data::error::DataError;
use crate::distribute::{InputContext, ShardExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

impl<T: Send + 'static> Dataset<T> {
    /// Applies `f` to every element, in order (TF's `map`); an `Err` from `f` becomes the
    /// element's error. See [`map_parallel`](Self::map_parallel) for several threads.
    pub fn map<U, E, F>(&self, f: F) -> Dataset<U>
    where
        U: Send + 'static,
        E: Into<DataError>,
        F: Fn(T) -> Result<U, E> + Send + Sync + 'static,
    {
        let (up, f) = (self.clone(), Arc::new(f));
        Dataset::from_make(move |it| {
            let f = Arc::clone(&f);
            Box::new(
                up.make_iter(it)
                    .map(move |x| x.and_then(|x| f(x).map_err(Into::into))),
            )
        })
    }

    /// Groups consecutive elements into vectors of `size` (TF's `batch`); the last, shorter
    /// one is dropped when `drop_remainder`. An error element is passed on by itself.
    pub fn batch(&self, size: usize, drop_remainder: bool) -> Dataset<Vec<T>> {
        let (up, size) = (self.clone(), size.max(1));
        Dataset::from_make(move |it| {
            let mut input = up.make_iter(it);
            Box::new(std::iter::from_fn(move || {
                let mut batch = Vec::with_capacity(size);
                while batch.len() < size {
                    match input.next() {
                        Some(Ok(x)) => batch.push(x),
                        Some(Err(e)) => return Some(Err(e)),
                        None => break,
                    }
                }
                let full = batch.len() == size;
                (full || (!drop_remainder && !batch.is_empty())).then_some(Ok(batch))
            }))
        })
    }

    /// The dataset `count` times over (`None`: for ever), TF's `repeat`. Each pass is a new
    /// iteration, so a `shuffle` before `repeat` draws a new order every epoch.
    pub fn repeat(&self, count: Option<u64>) -> Dataset<T> {
        let up = self.clone();
        Dataset::from_make(move |it| {
            let up = up.clone();
            let epochs = (0..count.unwrap_or(u64::MAX)).map(move |epoch| {
                // Distinct iteration numbers for nested repeats.
                up.make_iter(it.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(epoch))
            });
            Box::new(epochs.flatten())
        })
    }

    /// The first `n` elements (TF's `take`).
    pub fn take(&self, n: usize) -> Dataset<T> {
        let up = self.clone();
        Dataset::from_make(move |it| Box::new(up.make_iter(it).take(n)))
    }

    /// All but the first `n` elements (TF's `skip`).
    pub fn skip(&self, n: usize) -> Dataset<T> {
        let up = self.clone();
        Dataset::from_make(move |it| Box::new(up.make_iter(it).skip(n)))
    }

    /// Elements `index`, `index + num_shards`, … (TF's `shard`, by element). For files, shard
    /// [`TfRecordFiles`](super::TfRecordFiles) instead: it shards by file when it can.
    pub fn shard(&self, num_shards: usize, index: usize) -> Dataset<T> {
        let up = self.clone();
        Dataset::from_make(move |it| Box::new(up.make_iter(it).shard(num_shards, index)))
    }

    /// This replica's shard (`shard(num_replicas, replica_id)`).
    pub fn shard_for(&self, ctx: InputContext) -> Dataset<T> {
        self.shard(ctx.num_replicas, ctx.replica_id)
    }

    /// Drops error elements, counting them into `counter` (TF's `ignore_errors`, with the
    /// count TF logs).
    pub fn ignore_errors(&self, counter: Arc<AtomicU64>) -> Dataset<T> {
        let up = self.clone();
        Dataset::from_make(move |it| {
            let counter = Arc::clone(&counter);
            Box::new(up.make_iter(it).filter(move |x: &Item<T>| {
                let bad = x.is_err();
                if bad {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                !bad
            }))
        })
    }
}
