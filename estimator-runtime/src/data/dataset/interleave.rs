//! `interleave(cycle_length, block_length, f)`: TF's deterministic interleave.

use super::{BoxIter, Dataset, Item};
use std::sync::Arc;

impl<T: Send + 'static> Dataset<T> {
    /// Maps each element to a dataset with `f` and interleaves `cycle_length` of them at a
    /// time, `block_length` elements from each in turn (TF's `interleave`, deterministic). When
    /// one ends, the next input element's dataset takes its place in the cycle. The usual use
    /// is reading several files at once: see [`TfRecordFiles::interleave`](super::TfRecordFiles::interleave).
    ///
    /// ```
    /// use estimator_runtime::data::Dataset;
    /// let rows = Dataset::from_vec(vec![0u32, 10, 20])
    ///     .interleave(2, 1, |base| Dataset::from_vec(vec![base, base + 1]));
    /// let out: Vec<u32> = rows.iter().collect::<Result<_, _>>().unwrap();
    /// assert_eq!(out, [0, 10, 1, 11, 20, 21]);
    /// ```
    pub fn interleave<U, F>(&self, cycle_length: usize, block_length: usize, f: F) -> Dataset<U>
    where
        U: Send + 'static,
        F: Fn(T) -> Dataset<U> + Send + Sync + 'static,
    {
        let (up, f) = (self.clone(), Arc::new(f));
        Dataset::from_make(move |it| {
            let f = Arc::clone(&f);
            Box::new(Interleave {
                input: up.make_iter(it),
                open: new_cycle(cycle_length.max(1)),
                make: Box::new(move |x| f(x).make_iter(it)),
                cycle: 0,
                block: 0,
                block_length: block_length.max(1),
                input_done: false,
            })
        })
    }
}

fn new_cycle<U>(n: usize) -> Vec<Option<BoxIter<U>>> {
    (0..n).map(|_| None).collect()
}

struct Interleave<T, U> {
    input: BoxIter<T>,
    open: Vec<Option<BoxIter<U>>>,
    make: Box<dyn Fn(T) -> BoxIter<U> + Send>,
    cycle: usize,
    block: usize,
    block_length: usize,
    input_done: bool,
}

impl<T, U> Interleave<T, U> {
    fn advance(&mut self) {
        self.cycle = (self.cycle + 1) % self.open.len();
        self.block = 0;
    }

    /// Fills the current slot from the input; `Some(error)` passes an input error on.
    fn open_next(&mut self) -> Option<Item<U>> {
        match self.input.next() {
            Some(Ok(x)) => self.open[self.cycle] = Some((self.make)(x)),
            Some(Err(e)) => return Some(Err(e)),
            None => {
                self.input_done = true;
                self.advance();
            }
        }
        None
    }
}

impl<T, U> Iterator for Interleave<T, U> {
    type Item = Item<U>;

    fn next(&mut self) -> Option<Item<U>> {
        while !self.input_done || self.open.iter().any(Option::is_some) {
            let Some(current) = self.open[self.cycle].as_mut() else {
                if self.input_done {
                    self.advance();
                } else if let Some(error) = self.open_next() {
                    return Some(error);
                }
                continue;
            };
            match current.next() {
                Some(x) => {
                    self.block += 1;
                    if self.block == self.block_length {
                        self.advance();
                    }
                    return Some(x);
                }
                None => {
                    self.open[self.cycle] = None;
                    self.advance();
                }
            }
        }
        None
    }
}
