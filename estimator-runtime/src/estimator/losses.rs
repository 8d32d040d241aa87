//! The train loop's losses, kept on the device until something reads them.
//!
//! Reading a loss back is a device→host sync: on a GPU it stalls the queue, on a CPU it costs
//! about a microsecond a step. So the loop keeps each batch's loss tensor and reads them all
//! back in one transfer when something needs a value: a logging or summary step, a hook that
//! asks, a checkpoint, the end of the call. Every read checks every loss since the last one
//! (TF's `NanTensorHook`), so a NaN or infinite loss is found at the next read at the latest,
//! with its exact step, and never after a checkpoint of the state it led to. With
//! `RunConfig::nan_check_every_step` each loss is read and checked at once, before the update
//! uses it, as TF does.

use crate::error::Error;
use burn::tensor::Tensor;

/// Pending losses are read back at the latest when this many have gathered, so that a run
/// that never logs nor saves holds a bounded number of tensors.
const MAX_PENDING: usize = 1024;

/// The pending losses' first allocation (about 68 KB); a longer window grows it.
const PENDING_CAPACITY: usize = 256;

/// The losses not yet read back, and the mean loss of the latest step read.
pub(super) struct PendingLosses {
    every_step: bool,
    /// `(global step before the batch ran, loss)` of each batch since the last read.
    pending: Vec<(u64, Tensor<1>)>,
    /// The latest step read: `(global step before it ran, sum of its batches' losses, batches)`.
    latest: Option<(u64, f64, u32)>,
}

impl PendingLosses {
    /// `every_step`: read and check each loss as it is pushed (TF's behaviour).
    pub fn new(every_step: bool) -> Self {
        PendingLosses {
            every_step,
            // Room for a window's losses up front: growing by doubling copied each 264-byte
            // tensor handle about twice.
            pending: Vec::with_capacity(if every_step { 1 } else { PENDING_CAPACITY }),
            latest: None,
        }
    }

    /// Keeps the loss of a batch run at `global_step` (before the step's increment). In
    /// every-step mode it is read and checked now, before the update uses it.
    pub fn push(&mut self, global_step: u64, loss: Tensor<1>) -> Result<(), Error> {
        // Off the autodiff graph and its dispatch: a held loss keeps no graph alive, and the
        // read (reshape, cat) runs on the inner backend.
        self.pending.push((global_step, loss.without_autodiff()));
        if self.every_step || self.pending.len() >= MAX_PENDING {
            self.read()?;
        }
        Ok(())
    }

    /// Reads every pending loss back in one transfer and checks them; returns the mean loss
    /// of the latest step read, if any. Fails with the first non-finite loss's step.
    pub fn read(&mut self) -> Result<Option<f64>, Error> {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            let steps: Vec<u64> = pending.iter().map(|(s, _)| *s).collect();
            let values = read_back(pending.into_iter().map(|(_, l)| l).collect())?;
            for (step, value) in steps.into_iter().zip(values) {
                if !value.is_finite() {
                    return Err(Error::NanLoss { step });
                }
                self.latest = match self.latest {
                    Some((s, sum, n)) if s == step => Some((s, sum + value, n + 1)),
                    _ => Some((step, value, 1)),
                };
            }
        }
        Ok(self.latest.map(|(_, sum, n)| sum / f64::from(n)))
    }
}

/// The values of `losses` (each of one element), in one device→host transfer.
fn read_back(losses: Vec<Tensor<1>>) -> Result<Vec<f64>, Error> {
    let count = losses.len();
    // A loss is a `Tensor<1>` of one element (the spec's validation says so), so its shape is
    // already `[1]` and the losses concatenate as they are.
    let all = if count == 1 {
        losses.into_iter().next()
    } else {
        Some(Tensor::cat(losses, 0))
    };
    let data = match all {
        Some(t) => t.into_data(),
        None => return Ok(Vec::new()),
    };
    let values: Vec<f64> = data.iter::<f64>().collect();
    if values.len() != count {
        return Err(Error::Shape(format!(
            "{count} losses read back as {} values",
            values.len()
        )));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn loss(v: f32) -> Tensor<1> {
        Tensor::from_floats([v], &Device::default())
    }

    #[test]
    fn losses_wait_until_read_and_the_mean_of_the_latest_step_comes_back() {
        let mut losses = PendingLosses::new(false);
        losses.push(0, loss(4.0)).expect("push");
        losses.push(1, loss(1.0)).expect("push");
        losses.push(1, loss(3.0)).expect("push");
        assert_eq!(losses.pending.len(), 3, "nothing read yet");
        assert_eq!(losses.read().expect("read"), Some(2.0));
        assert!(losses.pending.is_empty());
        assert_eq!(
            losses.read().expect("read"),
            Some(2.0),
            "kept for the next read"
        );
    }

    #[test]
    fn a_nan_is_found_at_the_next_read_with_its_first_step() {
        let mut losses = PendingLosses::new(false);
        for (step, v) in [(0, 1.0), (1, f32::INFINITY), (2, f32::NAN), (3, 1.0)] {
            losses.push(step, loss(v)).expect("deferred: no read yet");
        }
        let err = losses.read().unwrap_err();
        assert!(matches!(err, Error::NanLoss { step: 1 }), "{err:?}");
    }

    #[test]
    fn every_step_mode_checks_each_loss_as_it_comes() {
        let mut losses = PendingLosses::new(true);
        losses.push(0, loss(1.0)).expect("finite");
        let err = losses.push(1, loss(f32::NAN)).unwrap_err();
        assert!(matches!(err, Error::NanLoss { step: 1 }), "{err:?}");
    }

    #[test]
    fn pending_losses_are_bounded() {
        let mut losses = PendingLosses::new(false);
        for step in 0..MAX_PENDING as u64 + 10 {
            losses.push(step, loss(1.0)).expect("push");
        }
        assert!(losses.pending.len() < MAX_PENDING);
    }
}
