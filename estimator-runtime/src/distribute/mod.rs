//! Data-parallel training over MPI: every process (rank) is one replica of the model.
//!
//! TF's Estimator scales out with `TF_CONFIG` and a distribution strategy; here the launcher is
//! `mpirun` and the engine is MPI (through the `mpi` crate, behind the `mpi` cargo feature), as
//! in Horovod:
//!
//! - **Start.** Rank 0, the chief, restores the latest checkpoint in `model_dir` (or keeps its
//!   fresh or warm-started model) and broadcasts parameters, optimizer state, global step and
//!   input positions. Only the chief reads or writes `model_dir`.
//! - **Each step.** Every rank runs the model_fn on its own batch; the gradients are averaged
//!   with `MPI_Allreduce` over a few large buffers; every rank applies the same update, so the
//!   replicas stay bit-identical. The global step counts optimizer steps.
//! - **Checkpoints.** At each one, running statistics (a batch norm's, which each rank updates
//!   from its own share of the batch) become their mean over the ranks on every rank, so a
//!   restarted job continues as an uninterrupted one.
//! - **Chief only.** Checkpoints (holding every rank's input position), the index, event files,
//!   exports and the spec's `training_chief_hooks`. Logged and summarised losses are the mean
//!   over ranks.
//! - **Faults.** An error on any rank during `train` or `train_and_evaluate` aborts the whole
//!   job (`MPI_Abort`); a killed rank makes `mpirun` end the others. After an error in another
//!   call on one rank only, end the job with [`Distribution::abort`]: the others would wait. Replicas that disagree (model shape, rank count of an
//!   interrupted checkpoint) get the same clear error on every rank before training starts.
//! - **EVAL and PREDICT** run locally on each rank that calls them, against its replica (the
//!   weights are identical on every rank); only the chief writes eval summaries and exports.
//!   Give every rank the same, unsharded eval input, so decisions taken on eval results
//!   (early stopping) agree.
//!
//! ```no_run
//! # use estimator_runtime::prelude::*;
//! # use estimator_runtime::distribute::Distribution;
//! # fn main() -> Result<(), Error> {
//! // Run under `mpirun -np 2 ...`; without a launcher this is a clear error.
//! let config = RunConfig::default().model_dir("runs/x").distribute(Distribution::mpi()?);
//! # Ok(()) }
//! ```

mod gradients;
#[cfg(feature = "mpi")]
mod mpi;
#[cfg(not(feature = "mpi"))]
mod no_transport;
mod running_states;
mod shard;

pub(crate) use running_states::average_running_states;

#[cfg(feature = "mpi")]
use mpi::MpiWorld as Transport;
#[cfg(not(feature = "mpi"))]
use no_transport::NoTransport as Transport;

pub use shard::{InputContext, Shard, ShardExt};

pub(crate) use gradients::all_reduce_mean;

use crate::error::Error;
use std::sync::Arc;
use std::time::Instant;

/// Elements per all-reduce bucket by default: 4 Mi `f32` (16 MiB), Horovod's fusion-buffer scale.
const DEFAULT_BUCKET_ELEMENTS: usize = 1 << 22;

/// The world this process trains in: which replica it is, of how many, and the collectives that
/// keep the replicas in step. Cheap to clone; MPI is finalised when the last clone is dropped,
/// so keep one alive (in the `RunConfig`) for the program's life.
#[derive(Clone)]
pub struct Distribution {
    world: Arc<Transport>,
    bucket_elements: usize,
}

impl std::fmt::Debug for Distribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Distribution")
            .field("replica_id", &self.replica_id())
            .field("num_replicas", &self.num_replicas())
            .field("bucket_elements", &self.bucket_elements)
            .finish()
    }
}

/// Time spent in gradient all-reduces since the last [`Distribution::take_all_reduce_stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AllReduceStats {
    /// Gradient all-reduces (one per optimizer step and optimizer).
    pub reductions: u64,
    /// `MPI_Allreduce` calls (buckets) they made.
    pub calls: u64,
    /// Bytes reduced (per rank).
    pub bytes: u64,
    /// Wall time inside the all-reduces, flattening included, in seconds.
    pub seconds: f64,
}

impl Distribution {
    /// Joins the MPI world this process was launched in (`mpirun -np N ...`).
    ///
    /// Fails with a clear error when the crate was built without the `mpi` feature, when no MPI
    /// launcher started the process, or when MPI is already initialised in this process (create
    /// one `Distribution` and clone it).
    pub fn mpi() -> Result<Distribution, Error> {
        #[cfg(feature = "mpi")]
        {
            Ok(Distribution {
                world: Arc::new(Transport::init()?),
                bucket_elements: DEFAULT_BUCKET_ELEMENTS,
            })
        }
        #[cfg(not(feature = "mpi"))]
        {
            let _ = DEFAULT_BUCKET_ELEMENTS;
            Err(Error::Distributed(
                "this build has no MPI support: rebuild with `--features mpi` (estimator-runtime's `mpi` feature) and launch with `mpirun -np N`".into(),
            ))
        }
    }

    /// All-reduces gradients in buckets of at most `bytes` (default 16 MiB).
    pub fn bucket_bytes(mut self, bytes: usize) -> Self {
        self.bucket_elements = (bytes / 4).max(1);
        self
    }

    /// This process's replica: 0 is the chief.
    pub fn replica_id(&self) -> usize {
        self.world.rank()
    }

    /// How many replicas train together.
    pub fn num_replicas(&self) -> usize {
        self.world.size()
    }

    /// Whether this is the chief (replica 0): the only one that writes to `model_dir`.
    pub fn is_chief(&self) -> bool {
        self.replica_id() == 0
    }

    /// This replica's `InputContext`, for sharding its input.
    pub fn input_context(&self) -> InputContext {
        InputContext {
            num_replicas: self.num_replicas(),
            replica_id: self.replica_id(),
        }
    }

    /// The gradient all-reduce figures since the last call, and resets them.
    pub fn take_all_reduce_stats(&self) -> AllReduceStats {
        self.world.take_stats()
    }

    /// Ends the whole job after an unrecoverable error on this rank: every rank stops.
    pub fn abort(&self, error: &Error) -> ! {
        tracing::error!(
            "replica {} of {} failed, aborting the job: {error}",
            self.replica_id(),
            self.num_replicas()
        );
        eprintln!(
            "error on replica {} of {}: {error}",
            self.replica_id(),
            self.num_replicas()
        );
        self.world.abort(1)
    }

    /// Sums `values` element-wise over all ranks, in place, in buckets.
    pub(crate) fn all_sum_f32(&self, values: &mut [f32]) -> u64 {
        let mut calls = 0;
        for bucket in values.chunks_mut(self.bucket_elements) {
            self.world.all_sum_f32(bucket);
            calls += 1;
        }
        calls
    }

    /// Sums `values` element-wise over all ranks, in place (small control messages).
    pub(crate) fn all_sum_f64(&self, values: &mut [f64]) {
        self.world.all_sum_f64(values)
    }

    /// Every rank's `value`, by rank.
    pub(crate) fn all_gather_u64(&self, value: u64) -> Vec<u64> {
        self.world.all_gather_u64(value)
    }

    /// The chief's `bytes` on every rank (`bytes` is ignored elsewhere).
    pub(crate) fn broadcast_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        self.world.broadcast_bytes(bytes)
    }

    /// Whether `flag` holds on any rank.
    pub(crate) fn any(&self, flag: bool) -> bool {
        let mut v = [f64::from(u8::from(flag))];
        self.all_sum_f64(&mut v);
        v[0] > 0.0
    }

    /// Whether `flag` holds on every rank.
    pub(crate) fn all(&self, flag: bool) -> bool {
        !self.any(!flag)
    }

    pub(crate) fn record(&self, calls: u64, bytes: u64, started: Instant) {
        self.world
            .record(calls, bytes, started.elapsed().as_secs_f64())
    }
}

/// What the ranks agree on after a step (the loss is averaged before the hooks run, by
/// [`Replica::mean_loss`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct StepAgreement {
    /// A hook on some rank asked to stop.
    pub stop: bool,
    /// Some rank is past the call's deadline (`max_secs`).
    pub past_deadline: bool,
    /// Some rank's checkpoint policy says save now.
    pub save: bool,
}

/// The replica side of one Estimator: a `Distribution`, or a single process.
pub(crate) struct Replica<'a>(pub Option<&'a Distribution>);

impl Replica<'_> {
    /// Whether this process writes to `model_dir` (always, without a distribution).
    pub fn is_chief(&self) -> bool {
        self.0.is_none_or(Distribution::is_chief)
    }

    /// Whether every rank has a batch for the next step (input exhaustion ends all together).
    pub fn all_have_batch(&self, has_batch: bool) -> bool {
        self.0.map_or(has_batch, |d| d.all(has_batch))
    }

    /// The mean of `loss` over the replicas (what logs, summaries and hooks see).
    pub fn mean_loss(&self, loss: f64) -> f64 {
        let Some(d) = self.0 else { return loss };
        let mut v = [loss];
        d.all_sum_f64(&mut v);
        v[0] / d.num_replicas() as f64
    }

    /// Agrees on a step's outcome with one small all-reduce: any stop, any deadline, any save.
    pub fn agree_after_step(&self, local: StepAgreement) -> StepAgreement {
        let Some(d) = self.0 else { return local };
        let flag = |b: bool| f64::from(u8::from(b));
        let mut v = [
            flag(local.stop),
            flag(local.past_deadline),
            flag(local.save),
        ];
        d.all_sum_f64(&mut v);
        StepAgreement {
            stop: v[0] > 0.0,
            past_deadline: v[1] > 0.0,
            save: v[2] > 0.0,
        }
    }

    /// Whether a stop was asked on any rank (after checkpoint listeners ran).
    pub fn any_stop(&self, stop: bool) -> bool {
        self.0.map_or(stop, |d| d.any(stop))
    }

    /// Every rank's input position, by rank (on every rank).
    pub fn gather_positions(&self, position: u64) -> Vec<u64> {
        self.0
            .map_or_else(|| vec![position], |d| d.all_gather_u64(position))
    }

    /// Ends a distributed job on a training error (no rank can go on alone); a single process
    /// gets the error back.
    pub fn abort_on_error<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        match (result, self.0) {
            (Err(e), Some(d)) if d.num_replicas() > 1 => d.abort(&e),
            (result, _) => result,
        }
    }
}
