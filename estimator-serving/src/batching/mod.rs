//! Dynamic batching (TF Serving's `--enable_batching`): requests queue per model version and
//! signature; a batch runs when it reaches `max_batch_size` rows or its first request has
//! waited `batch_timeout`, on batch threads of its own (never the async runtime's workers),
//! and the outputs are split back per request. The queue is bounded: past it, RESOURCE_EXHAUSTED.

mod params;

pub use params::BatchingParameters;

use crate::error::ServingError;
use crate::metrics::Metrics;
use crate::servable::RunResult;
use crate::servable::Servable;
use estimator_runtime::feature_column::{ColumnValues, FeatureBatch};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::oneshot;

type Reply = oneshot::Sender<RunResult>;

struct Task {
    batch: FeatureBatch,
    enqueued: Instant,
    reply: Reply,
}

/// The requests for one (version, signature).
struct Queue {
    servable: Arc<dyn Servable>,
    signature: String,
    tasks: VecDeque<Task>,
}

impl Queue {
    fn serves(&self, servable: &Arc<dyn Servable>, signature: &str) -> bool {
        Arc::ptr_eq(&self.servable, servable) && self.signature == signature
    }

    fn rows(&self) -> usize {
        self.tasks.iter().map(|t| t.batch.len()).sum()
    }
}

#[derive(Default)]
struct QueueState {
    queues: Vec<Queue>,
    pending_rows: usize,
    closed: bool,
}

struct Shared {
    params: BatchingParameters,
    metrics: Option<Arc<Metrics>>,
    state: Mutex<QueueState>,
    ready: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The batching queue and its threads; dropping it finishes the queued batches.
pub struct Batcher {
    shared: Arc<Shared>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Batcher {
    /// Starts `params.num_batch_threads` batch threads; `metrics` records the batch sizes.
    pub fn start(
        params: BatchingParameters,
        metrics: Option<Arc<Metrics>>,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            params,
            metrics,
            state: Mutex::new(QueueState::default()),
            ready: Condvar::new(),
        });
        let threads = (0..shared.params.num_batch_threads)
            .map(|i| {
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name(format!("estimator-batch-{i}"))
                    .spawn(move || batch_loop(&shared))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        Ok(Batcher { shared, threads })
    }

    /// Queues `batch` for `signature` of `servable`; the receiver gets this request's outputs.
    pub fn submit(
        &self,
        servable: Arc<dyn Servable>,
        signature: &str,
        batch: FeatureBatch,
    ) -> Result<oneshot::Receiver<RunResult>, ServingError> {
        let params = &self.shared.params;
        let bound = params
            .max_enqueued_batches
            .saturating_mul(params.max_batch_size);
        let (reply, answer) = oneshot::channel();
        let mut state = self.shared.lock();
        if state.pending_rows > 0 && state.pending_rows + batch.len() > bound {
            return Err(ServingError::ResourceExhausted(format!(
                "the batching queue is full ({} rows waiting, max_enqueued_batches {} of max_batch_size {}); retry later",
                state.pending_rows, params.max_enqueued_batches, params.max_batch_size
            )));
        }
        state.pending_rows += batch.len();
        let task = Task {
            batch,
            enqueued: Instant::now(),
            reply,
        };
        match state
            .queues
            .iter_mut()
            .find(|q| q.serves(&servable, signature))
        {
            Some(queue) => queue.tasks.push_back(task),
            None => state.queues.push(Queue {
                servable,
                signature: signature.to_string(),
                tasks: VecDeque::from([task]),
            }),
        }
        drop(state);
        self.shared.ready.notify_all();
        Ok(answer)
    }
}

impl Drop for Batcher {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_all();
        self.threads.drain(..).for_each(|t| {
            let _ = t.join();
        });
    }
}

/// One batch thread: waits for a due batch, runs it, replies; returns once closed and empty.
fn batch_loop(shared: &Shared) {
    let params = &shared.params;
    let mut state = shared.lock();
    loop {
        let now = Instant::now();
        let waited = |q: &Queue| {
            q.tasks
                .front()
                .map_or(std::time::Duration::ZERO, |t| now - t.enqueued)
        };
        let due = state.queues.iter().position(|q| {
            state.closed || q.rows() >= params.max_batch_size || waited(q) >= params.batch_timeout
        });
        if let Some(index) = due {
            let (servable, signature, tasks) = take_batch(&mut state, index, params.max_batch_size);
            drop(state);
            let rows = tasks.iter().map(|t| t.batch.len()).sum();
            if let Some(metrics) = &shared.metrics {
                metrics.record_batch(rows);
            }
            run_batch(servable.as_ref(), &signature, tasks);
            state = shared.lock();
            continue;
        }
        if state.closed {
            return;
        }
        let soonest = state
            .queues
            .iter()
            .map(|q| params.batch_timeout.saturating_sub(waited(q)))
            .min();
        state = match soonest {
            Some(rest) => shared
                .ready
                .wait_timeout(state, rest)
                .map(|(s, _)| s)
                .unwrap_or_else(|p| p.into_inner().0),
            None => shared.ready.wait(state).unwrap_or_else(|p| p.into_inner()),
        };
    }
}

/// Takes up to `max_rows` rows of whole requests (at least one request) from queue `index`.
fn take_batch(
    state: &mut QueueState,
    index: usize,
    max_rows: usize,
) -> (Arc<dyn Servable>, String, Vec<Task>) {
    let queue = &mut state.queues[index];
    let mut tasks = Vec::new();
    let mut rows = 0;
    while let Some(task) = queue.tasks.front() {
        if !tasks.is_empty() && rows + task.batch.len() > max_rows {
            break;
        }
        rows += task.batch.len();
        tasks.extend(queue.tasks.pop_front());
    }
    let taken = (queue.servable.clone(), queue.signature.clone());
    if queue.tasks.is_empty() {
        state.queues.swap_remove(index);
    }
    state.pending_rows -= rows;
    (taken.0, taken.1, tasks)
}

/// One forward pass over the requests' rows, its outputs split back per request.
fn run_batch(servable: &dyn Servable, signature: &str, tasks: Vec<Task>) {
    let merged = concat(tasks.iter().map(|t| &t.batch));
    let outputs = servable.run(signature, &merged);
    let mut start = 0;
    for task in tasks {
        let rows = start..start + task.batch.len();
        start = rows.end;
        let mine = outputs.clone().map(|outputs| {
            outputs
                .iter()
                .map(|o| {
                    if o.examples() == merged.len() {
                        o.rows(rows.clone())
                    } else {
                        o.clone()
                    }
                })
                .collect()
        });
        let _ = task.reply.send(mine);
    }
}

/// The rows of `batches`, in order, as one batch (they share the signature's columns).
pub fn concat<'a>(batches: impl Iterator<Item = &'a FeatureBatch> + Clone) -> FeatureBatch {
    let total = batches.clone().map(FeatureBatch::len).sum();
    let mut merged = FeatureBatch::new(total);
    let Some(first) = batches.clone().next() else {
        return merged;
    };
    for name in first.names() {
        let mut values = batches.clone().filter_map(|b| b.get(name));
        let Some(mut column) = values.next().cloned() else {
            continue;
        };
        values.for_each(|v| append(&mut column, v));
        merged.insert(name, column);
    }
    merged
}

fn append(column: &mut ColumnValues, more: &ColumnValues) {
    match (column, more) {
        (ColumnValues::Float(a), ColumnValues::Float(b)) => a.extend_from_slice(b),
        (ColumnValues::Int(a), ColumnValues::Int(b)) => a.extend_from_slice(b),
        (ColumnValues::Str(a), ColumnValues::Str(b)) => a.extend_from_slice(b),
        (ColumnValues::StrList(a), ColumnValues::StrList(b)) => a.extend_from_slice(b),
        (ColumnValues::IntList(a), ColumnValues::IntList(b)) => a.extend_from_slice(b),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
