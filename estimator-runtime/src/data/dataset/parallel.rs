//! The stages that use threads: `map_parallel` (order-preserving) and `prefetch` (a
//! background producer).

use super::{BoxIter, Dataset, Item};
use crate::data::error::DataError;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

impl<T: Send + 'static> Dataset<T> {
    /// [`map`](Self::map) on `threads` worker threads, in the input's order (TF's `map` with
    /// `num_parallel_calls` and `deterministic=True`). Element `i` goes to worker
    /// `i % threads` and results are taken back in the same rotation, so the order never
    /// depends on timing. Worth it when `f` is heavy (parsing a batch of Examples).
    pub fn map_parallel<U, E, F>(&self, f: F, threads: usize) -> Dataset<U>
    where
        U: Send + 'static,
        E: Into<DataError>,
        F: Fn(T) -> Result<U, E> + Send + Sync + 'static,
    {
        let (up, f) = (self.clone(), Arc::new(f));
        let threads = threads.max(1);
        Dataset::from_make(move |it| {
            let mut map = ParallelMap {
                input: up.make_iter(it),
                workers: (0..threads)
                    .map(|_| Worker::spawn(Arc::clone(&f)))
                    .collect(),
                sent: 0,
                received: 0,
            };
            // Two elements queued per worker keep every worker busy.
            for _ in 0..2 * threads {
                map.send_next();
            }
            Box::new(map)
        })
    }

    /// Runs the pipeline up to here on a background thread, `buffer_size` elements ahead of
    /// the consumer (TF's `prefetch`), so reading and parsing overlap the train step. The
    /// order is unchanged.
    pub fn prefetch(&self, buffer_size: usize) -> Dataset<T> {
        let up = self.clone();
        Dataset::from_make(move |it| {
            let (tx, rx) = sync_channel(buffer_size.max(1));
            let up = up.clone();
            let handle = std::thread::spawn(move || produce(up.make_iter(it), tx));
            Box::new(Prefetch {
                rx,
                handle: Some(handle),
            })
        })
    }
}

struct Worker<T, U> {
    tx: Sender<Item<T>>,
    rx: Receiver<Item<U>>,
}

impl<T: Send + 'static, U: Send + 'static> Worker<T, U> {
    fn spawn<E, F>(f: Arc<F>) -> Self
    where
        E: Into<DataError>,
        F: Fn(T) -> Result<U, E> + Send + Sync + 'static,
    {
        let (tx, inputs) = channel::<Item<T>>();
        let (results, rx) = channel();
        std::thread::spawn(move || {
            for x in inputs {
                if results
                    .send(x.and_then(|x| f(x).map_err(Into::into)))
                    .is_err()
                {
                    break;
                }
            }
        });
        Worker { tx, rx }
    }
}

struct ParallelMap<T, U> {
    input: BoxIter<T>,
    workers: Vec<Worker<T, U>>,
    sent: usize,
    received: usize,
}

impl<T, U> ParallelMap<T, U> {
    fn send_next(&mut self) {
        if let Some(x) = self.input.next() {
            let worker = &self.workers[self.sent % self.workers.len()];
            // A worker that died (its `f` panicked) is reported when its result is due.
            let _ = worker.tx.send(x);
            self.sent += 1;
        }
    }
}

impl<T, U> Iterator for ParallelMap<T, U> {
    type Item = Item<U>;

    fn next(&mut self) -> Option<Item<U>> {
        if self.received == self.sent {
            return None;
        }
        let worker = &self.workers[self.received % self.workers.len()];
        let result = worker.rx.recv();
        self.received += 1;
        match result {
            Ok(x) => {
                self.send_next();
                Some(x)
            }
            Err(_) => {
                // Stop here: the rotation cannot continue without this worker.
                self.sent = self.received;
                Some(Err(DataError::ThreadPanicked("map_parallel")))
            }
        }
    }
}

fn produce<T>(input: BoxIter<T>, tx: SyncSender<Item<T>>) {
    for x in input {
        if tx.send(x).is_err() {
            break;
        }
    }
}

struct Prefetch<T> {
    rx: Receiver<Item<T>>,
    handle: Option<JoinHandle<()>>,
}

impl<T> Iterator for Prefetch<T> {
    type Item = Item<T>;

    fn next(&mut self) -> Option<Item<T>> {
        match self.rx.recv() {
            Ok(x) => Some(x),
            // The producer ended: report it once if it panicked.
            Err(_) => match self.handle.take().map(JoinHandle::join) {
                Some(Err(_)) => Some(Err(DataError::ThreadPanicked("prefetch"))),
                _ => None,
            },
        }
    }
}
