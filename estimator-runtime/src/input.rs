//! What training and evaluation input yields: `(features, labels)` batches.

use crate::error::Error;
use std::fmt::Display;

/// One batch of training or evaluation input: `(features, labels)`, or a `Result` of one (what
/// a burn `DataLoader` iterator yields, with a `Batcher` whose output is the pair).
pub trait InputItem<F, L> {
    /// The batch, or the input's error.
    fn into_batch(self) -> Result<(F, L), Error>;
}

impl<F, L> InputItem<F, L> for (F, L) {
    fn into_batch(self) -> Result<(F, L), Error> {
        Ok(self)
    }
}

impl<F, L, E: Display> InputItem<F, L> for Result<(F, L), E> {
    fn into_batch(self) -> Result<(F, L), Error> {
        self.map_err(|e| Error::Input(e.to_string()))
    }
}
