//! The MPI transport (the `mpi` crate): the only file that calls MPI.

use super::AllReduceStats;
use crate::error::Error;
use mpi::collective::SystemOperation;
use mpi::environment::{Threading, Universe};
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};
use std::sync::Mutex;

/// Environment variables that MPI launchers set in the processes they start: Open MPI's
/// `mpirun`, PMIx, and MPICH's Hydra (`PMI_*`, `MPI_LOCALNRANKS`).
const LAUNCHER_VARIABLES: &[&str] = &[
    "OMPI_COMM_WORLD_SIZE",
    "PMIX_RANK",
    "PMI_RANK",
    "PMI_SIZE",
    "MPI_LOCALNRANKS",
];

/// Broadcasts move at most this many bytes per call (MPI counts are `i32`).
const BROADCAST_CHUNK: usize = 1 << 30;

/// The MPI world of this process. Dropping it finalises MPI.
pub(crate) struct MpiWorld {
    _universe: Universe,
    rank: usize,
    size: usize,
    stats: Mutex<AllReduceStats>,
    /// The send side of an all-reduce (MPI needs distinct buffers), kept between steps.
    scratch: Mutex<Vec<f32>>,
}

impl MpiWorld {
    /// Initialises MPI, after checking that a launcher started this process.
    pub fn init() -> Result<MpiWorld, Error> {
        if !LAUNCHER_VARIABLES
            .iter()
            .any(|v| std::env::var_os(v).is_some())
        {
            return Err(Error::Distributed(
                "no MPI launcher started this process: run it under `mpirun -np N <program>` (or `srun`/`mpiexec`), or drop `RunConfig::distribute` to train in one process".into(),
            ));
        }
        let (universe, _) = mpi::initialize_with_threading(Threading::Serialized).ok_or_else(|| {
            Error::Distributed(
                "MPI is already initialised in this process: create one `Distribution::mpi()` and clone it".into(),
            )
        })?;
        let world = universe.world();
        let (rank, size) = (world.rank(), world.size());
        Ok(MpiWorld {
            _universe: universe,
            rank: usize::try_from(rank).unwrap_or(0),
            size: usize::try_from(size).unwrap_or(1),
            stats: Mutex::new(AllReduceStats::default()),
            scratch: Mutex::new(Vec::new()),
        })
    }

    fn world(&self) -> SimpleCommunicator {
        SimpleCommunicator::world()
    }

    pub fn rank(&self) -> usize {
        self.rank
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn all_sum_f32(&self, values: &mut [f32]) {
        let mut scratch = self.scratch.lock().unwrap_or_else(|e| e.into_inner());
        scratch.clear();
        scratch.extend_from_slice(values);
        self.world()
            .all_reduce_into(&scratch[..], values, SystemOperation::sum());
    }

    pub fn all_sum_f64(&self, values: &mut [f64]) {
        let send = values.to_vec();
        self.world()
            .all_reduce_into(&send[..], values, SystemOperation::sum());
    }

    pub fn all_gather_u64(&self, value: u64) -> Vec<u64> {
        let mut out = vec![0u64; self.size];
        self.world().all_gather_into(&value, &mut out[..]);
        out
    }

    pub fn broadcast_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        let world = self.world();
        let root = world.process_at_rank(0);
        let mut len = bytes.len() as u64;
        root.broadcast_into(&mut len);
        let mut buf = if self.rank == 0 {
            bytes
        } else {
            vec![0u8; usize::try_from(len).unwrap_or(0)]
        };
        for chunk in buf.chunks_mut(BROADCAST_CHUNK) {
            root.broadcast_into(chunk);
        }
        buf
    }

    pub fn abort(&self, code: i32) -> ! {
        self.world().abort(code)
    }

    pub fn record(&self, calls: u64, bytes: u64, seconds: f64) {
        let mut s = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        s.reductions += 1;
        s.calls += calls;
        s.bytes += bytes;
        s.seconds += seconds;
    }

    pub fn take_stats(&self) -> AllReduceStats {
        std::mem::take(&mut *self.stats.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
