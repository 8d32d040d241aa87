//! Without the `mpi` feature there is no transport: this type has no values, so no
//! `Distribution` exists and every collective is unreachable.

use super::AllReduceStats;
use std::convert::Infallible;

pub(crate) struct NoTransport {
    never: Infallible,
}

impl NoTransport {
    pub fn rank(&self) -> usize {
        match self.never {}
    }

    pub fn size(&self) -> usize {
        match self.never {}
    }

    pub fn all_sum_f32(&self, _: &mut [f32]) {
        match self.never {}
    }

    pub fn all_sum_f64(&self, _: &mut [f64]) {
        match self.never {}
    }

    pub fn all_gather_u64(&self, _: u64) -> Vec<u64> {
        match self.never {}
    }

    pub fn broadcast_bytes(&self, _: Vec<u8>) -> Vec<u8> {
        match self.never {}
    }

    pub fn abort(&self, _: i32) -> ! {
        match self.never {}
    }

    pub fn record(&self, _: u64, _: u64, _: f64) {
        match self.never {}
    }

    pub fn take_stats(&self) -> AllReduceStats {
        match self.never {}
    }
}
