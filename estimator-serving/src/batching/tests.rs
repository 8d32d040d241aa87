use super::*;
use crate::response::{OutputTensor, OutputValues};
use crate::servable::RunResult;
use estimator_runtime::ExportManifest;
use std::time::Duration;

/// Doubles the `x` column; records every batch's size; waits on `gate` if it has one.
struct Doubler {
    manifest: ExportManifest,
    sizes: Mutex<Vec<usize>>,
    gate: Option<Mutex<std::sync::mpsc::Receiver<()>>>,
}

impl Doubler {
    fn new(gate: Option<std::sync::mpsc::Receiver<()>>) -> Arc<Self> {
        let manifest = ExportManifest {
            model_fn: "f".into(),
            global_step: 0,
            signatures: Vec::new(),
        };
        Arc::new(Doubler {
            manifest,
            sizes: Mutex::new(Vec::new()),
            gate: gate.map(Mutex::new),
        })
    }
}

impl Servable for Doubler {
    fn manifest(&self) -> &ExportManifest {
        &self.manifest
    }

    fn run(&self, _: &str, batch: &FeatureBatch) -> RunResult {
        if let Some(gate) = &self.gate {
            let _ = gate.lock().map(|g| g.recv());
        }
        self.sizes.lock().map(|mut s| s.push(batch.len())).ok();
        let Some(ColumnValues::Float(x)) = batch.get("x") else {
            return Err(ServingError::invalid("no x"));
        };
        let values = OutputValues::Float(x.iter().map(|v| f64::from(*v) * 2.0).collect());
        Ok(vec![OutputTensor {
            name: "y".into(),
            dims: vec![x.len()],
            values,
        }])
    }
}

fn rows(values: &[f32]) -> FeatureBatch {
    FeatureBatch::new(values.len()).with("x", ColumnValues::Float(values.to_vec()))
}

fn params(
    max_batch_size: usize,
    timeout_ms: u64,
    max_enqueued_batches: usize,
) -> BatchingParameters {
    BatchingParameters {
        max_batch_size,
        batch_timeout: Duration::from_millis(timeout_ms),
        max_enqueued_batches,
        num_batch_threads: 1,
    }
}

#[test]
fn requests_merge_into_one_batch_and_split_back() {
    let batcher = Batcher::start(params(6, 5_000, 10), None).expect("start");
    let doubler = Doubler::new(None);
    let servable: Arc<dyn Servable> = doubler.clone();
    let receivers: Vec<_> = [vec![1.0], vec![2.0, 3.0], vec![4.0, 5.0, 6.0]]
        .iter()
        .map(|v| {
            batcher
                .submit(servable.clone(), "s", rows(v))
                .expect("submit")
        })
        .collect();
    let answers: Vec<Vec<f64>> = receivers
        .into_iter()
        .map(|r| match r.blocking_recv() {
            Ok(Ok(outputs)) => match &outputs[0].values {
                OutputValues::Float(v) => v.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        answers,
        vec![vec![2.0], vec![4.0, 6.0], vec![8.0, 10.0, 12.0]]
    );
    assert_eq!(
        *doubler.sizes.lock().expect("sizes"),
        vec![6],
        "one forward pass of 6 rows"
    );
}

#[test]
fn a_batch_runs_at_the_timeout_without_filling() {
    let batcher = Batcher::start(params(100, 20, 10), None).expect("start");
    let doubler = Doubler::new(None);
    let answer = batcher
        .submit(doubler.clone(), "s", rows(&[1.0]))
        .expect("submit")
        .blocking_recv();
    assert!(matches!(answer, Ok(Ok(_))), "{answer:?}");
    assert_eq!(*doubler.sizes.lock().expect("sizes"), vec![1]);
}

#[test]
fn a_full_queue_is_resource_exhausted() {
    let (open, gate) = std::sync::mpsc::channel();
    let batcher = Batcher::start(params(1, 0, 2), None).expect("start");
    let blocked: Arc<dyn Servable> = Doubler::new(Some(gate));
    let first = batcher
        .submit(blocked.clone(), "s", rows(&[1.0]))
        .expect("first");
    // Wait until the batch thread holds the first request, so two more fill the queue.
    let deadline = Instant::now() + Duration::from_secs(10);
    while batcher.shared.lock().pending_rows > 0 {
        assert!(
            Instant::now() < deadline,
            "the batch thread never took the first request"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let queued: Vec<_> = (0..2)
        .map(|_| {
            batcher
                .submit(blocked.clone(), "s", rows(&[1.0]))
                .expect("fits")
        })
        .collect();
    let refused = batcher.submit(blocked.clone(), "s", rows(&[1.0]));
    assert!(matches!(refused, Err(ServingError::ResourceExhausted(_))));
    (0..3).for_each(|_| open.send(()).expect("open the gate"));
    assert!(matches!(first.blocking_recv(), Ok(Ok(_))));
    assert!(
        queued
            .into_iter()
            .all(|r| matches!(r.blocking_recv(), Ok(Ok(_))))
    );
}
