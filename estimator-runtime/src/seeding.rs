//! `RunConfig::random_seed` in a process that runs several Estimators at once.
//!
//! burn keeps one random generator per backend for the whole process: `Device::seed` reseeds it,
//! and every `Tensor::random` (parameter initialisation, dropout) draws from it. Two seeded
//! Estimators training on two threads would each seed it and then draw what the other left,
//! so neither would get the numbers it gets alone. TF has a graph-level seed per Estimator, so a
//! ported program would not expect that.
//!
//! Every place the runtime seeds the device and then runs code that draws (the model's
//! construction in `Estimator::build` and the premade estimators, a TRAIN step's model_fn) does
//! both under one process-wide lock, [`seeded`]. Seeded Estimators in one process therefore
//! draw as if alone; an unseeded one takes no lock. Code that draws from burn's generator outside
//! an Estimator (a hand-made model built while another thread trains) is not covered.

use burn::tensor::Device;
use std::cell::Cell;
use std::sync::{Mutex, PoisonError};

/// Held from a seed to the end of the draws that depend on it.
static SEEDED: Mutex<()> = Mutex::new(());

thread_local! {
    /// Whether this thread holds [`SEEDED`] already (a build closure that builds another
    /// seeded Estimator, a hook that trains one): it then seeds and runs without locking again.
    static HELD: Cell<bool> = const { Cell::new(false) };
}

/// Clears [`HELD`] when the seeded section ends, by return or by unwinding.
struct Release;

impl Drop for Release {
    fn drop(&mut self) {
        HELD.set(false);
    }
}

/// Runs `draw` after seeding `device` with `seed`, with no other seeded section of the process
/// in between. With no seed, runs `draw` as it is.
pub(crate) fn seeded<R>(device: &Device, seed: Option<u64>, draw: impl FnOnce() -> R) -> R {
    let Some(seed) = seed else {
        return draw();
    };
    if HELD.get() {
        device.seed(seed);
        return draw();
    }
    // A panic inside another section (a user's model_fn) leaves nothing to repair: the lock
    // guards no data.
    let _lock = SEEDED.lock().unwrap_or_else(PoisonError::into_inner);
    HELD.set(true);
    let _release = Release;
    device.seed(seed);
    draw()
}

// The draws themselves are compared in tests/seeding.rs, a test binary whose tests run one at a
// time: here other unit tests draw from the same generator meanwhile.
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// A seeded section inside another on the same thread runs at once (no self-deadlock), and
    /// the thread still holds the lock until the outer section ends.
    #[test]
    fn a_nested_section_runs_without_waiting_for_itself() {
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let device = Device::default();
            let held = seeded(&device, Some(1), || {
                let inner = seeded(&device, Some(2), || HELD.get());
                (inner, HELD.get())
            });
            done.send((held, HELD.get())).unwrap();
        });
        let result = finished.recv_timeout(Duration::from_secs(60));
        assert_eq!(
            result,
            Ok(((true, true), false)),
            "deadlocked or lost the lock"
        );
    }

    /// A panic inside a section releases it: the thread is no longer marked as holding it, and
    /// another thread can enter.
    #[test]
    fn a_panic_inside_a_section_releases_it() {
        let panicked =
            std::panic::catch_unwind(|| seeded(&Device::default(), Some(3), || panic!()));
        assert!(panicked.is_err());
        assert!(!HELD.get());
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            done.send(seeded(&Device::default(), Some(3), || 42))
                .unwrap()
        });
        assert_eq!(finished.recv_timeout(Duration::from_secs(60)), Ok(42));
    }

    /// With no seed there is no section: nothing is marked held.
    #[test]
    fn no_seed_takes_no_lock() {
        assert!(!seeded(&Device::default(), None, || HELD.get()));
    }
}
