//! `shuffle(buffer_size, seed)`: TF's shuffle buffer.

use super::{Dataset, Item};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

impl<T: Send + 'static> Dataset<T> {
    /// Shuffles through a buffer of `buffer_size` elements (TF's `shuffle`): the buffer is
    /// filled first; each output is a uniformly chosen buffer element, whose slot the next
    /// input element takes. A buffer at least as large as the dataset gives a uniform
    /// permutation; a small one only mixes nearby elements, as in TF.
    ///
    /// The order depends only on `seed` and the iteration: every [`iter`](Self::iter) of the
    /// same pipeline gives the same order, and each pass of a later
    /// [`repeat`](Self::repeat) a new one (TF's `reshuffle_each_iteration=True`). The
    /// generator is ChaCha8, so orders are the same on every platform; they are not TF's
    /// (TF uses Philox).
    pub fn shuffle(&self, buffer_size: usize, seed: u64) -> Dataset<T> {
        let (up, size) = (self.clone(), buffer_size.max(1));
        Dataset::from_make(move |it| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(it);
            Box::new(ShuffleBuffer {
                input: up.make_iter(it),
                buffer: Vec::with_capacity(size.min(1 << 16)),
                size,
                rng,
            })
        })
    }
}

struct ShuffleBuffer<T> {
    input: Box<dyn Iterator<Item = Item<T>> + Send>,
    buffer: Vec<T>,
    size: usize,
    rng: ChaCha8Rng,
}

impl<T> Iterator for ShuffleBuffer<T> {
    type Item = Item<T>;

    fn next(&mut self) -> Option<Item<T>> {
        while self.buffer.len() < self.size {
            match self.input.next() {
                Some(Ok(x)) => self.buffer.push(x),
                Some(Err(e)) => return Some(Err(e)),
                None => break,
            }
        }
        if self.buffer.is_empty() {
            return None;
        }
        let pick = self.rng.random_range(0..self.buffer.len());
        Some(Ok(self.buffer.swap_remove(pick)))
    }
}
