//! Input sharding: TF's `InputContext` and `Dataset.shard`.

/// Which replica this input feeds, of how many (TF's `tf.distribute.InputContext`).
///
/// ```
/// use estimator_runtime::distribute::InputContext;
/// let ctx = InputContext { num_replicas: 2, replica_id: 1 };
/// let mine: Vec<u32> = ctx.shard(0..7).collect();
/// assert_eq!(mine, [1, 3, 5]);
/// assert_eq!(ctx.per_replica_batch_size(64), 32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputContext {
    /// How many replicas train together (1 in a single process).
    pub num_replicas: usize,
    /// This replica's id, `0..num_replicas`; 0 is the chief.
    pub replica_id: usize,
}

impl Default for InputContext {
    fn default() -> Self {
        InputContext {
            num_replicas: 1,
            replica_id: 0,
        }
    }
}

impl InputContext {
    /// This replica's shard of `input`: items `replica_id`, `replica_id + num_replicas`, …
    /// (TF's `dataset.shard(num_replicas, replica_id)`). Shard a stream of batches of
    /// [`per_replica_batch_size`](Self::per_replica_batch_size) to keep the global batch.
    pub fn shard<I: IntoIterator>(&self, input: I) -> Shard<I::IntoIter> {
        input.into_iter().shard(self.num_replicas, self.replica_id)
    }

    /// The batch each replica takes so that a step sees `global_batch_size` examples
    /// (TF's `get_per_replica_batch_size`; rounds down).
    pub fn per_replica_batch_size(&self, global_batch_size: usize) -> usize {
        global_batch_size / self.num_replicas.max(1)
    }
}

/// Every `num_shards`-th item of an iterator, from `index` (see [`ShardExt::shard`]).
#[derive(Clone, Debug)]
pub struct Shard<I> {
    inner: I,
    num_shards: usize,
    /// Items to skip before the next one of this shard; `None` for an empty shard.
    skip: Option<usize>,
}

impl<I: Iterator> Iterator for Shard<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.nth(self.skip?);
        self.skip = Some(self.num_shards - 1);
        item
    }
}

/// `shard` for any iterator: TF's `Dataset.shard(num_shards, index)`.
pub trait ShardExt: Iterator + Sized {
    /// Items `index`, `index + num_shards`, `index + 2 * num_shards`, … of this iterator.
    /// `num_shards` of 0 counts as 1; an `index` past the end yields nothing.
    ///
    /// ```
    /// use estimator_runtime::distribute::ShardExt;
    /// assert_eq!((0..10).shard(3, 2).collect::<Vec<_>>(), [2, 5, 8]);
    /// ```
    fn shard(self, num_shards: usize, index: usize) -> Shard<Self> {
        let num_shards = num_shards.max(1);
        Shard {
            inner: self,
            num_shards,
            skip: (index < num_shards).then_some(index),
        }
    }
}

impl<I: Iterator> ShardExt for I {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_input() {
        let mut all: Vec<u32> = (0..3)
            .flat_map(|i| (0..11u32).shard(3, i).collect::<Vec<_>>())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..11).collect::<Vec<_>>());
    }

    #[test]
    fn one_shard_is_the_input_and_a_bad_index_is_empty() {
        assert_eq!((0..4).shard(1, 0).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!((0..4).shard(0, 0).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!((0..4).shard(2, 5).count(), 0);
    }
}
