//! What both front ends share: the core, the batching queue, and the forward pass off the
//! async runtime's workers, under a deadline.

use crate::batching::Batcher;
use crate::core::{InferenceRequest, Prepared, ServingCore};
use crate::error::ServingError;
use crate::metrics::{Metrics, RequestLabels, status_name};
use crate::response::OutputTensor;
use crate::servable::RunResult;
use estimator_runtime::feature_column::FeatureBatch;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The core, the batcher (if batching), the request deadline and the metrics.
pub(crate) struct Dispatch {
    pub(crate) core: Arc<ServingCore>,
    pub(crate) batcher: Option<Batcher>,
    pub(crate) timeout: Duration,
    pub(crate) metrics: Arc<Metrics>,
}

impl Dispatch {
    /// Checks `request` and runs its forward pass: the outputs, and how to answer. Counted in
    /// the metrics with its latency.
    pub(crate) async fn run(
        &self,
        request: &InferenceRequest,
    ) -> Result<(Prepared, Vec<OutputTensor>), ServingError> {
        let started = Instant::now();
        let result = self.run_unmetered(request).await;
        let known_model = self.core.model(&request.model).is_ok();
        let labels = RequestLabels {
            model_name: if known_model {
                request.model.clone()
            } else {
                String::new()
            },
            signature: result
                .as_ref()
                .map(|(p, _)| p.signature.clone())
                .unwrap_or_default(),
            api: request.verb.name().to_string(),
            status: status_name(&result.as_ref().map(|_| ())).to_string(),
        };
        self.metrics.record(labels, started.elapsed().as_secs_f64());
        result
    }

    async fn run_unmetered(
        &self,
        request: &InferenceRequest,
    ) -> Result<(Prepared, Vec<OutputTensor>), ServingError> {
        let (prepared, batch) = self.core.prepare(request)?;
        match tokio::time::timeout(self.timeout, self.forward(&prepared, batch)).await {
            Ok(outputs) => Ok((prepared, outputs?)),
            Err(_) => Err(ServingError::DeadlineExceeded(format!(
                "the request took longer than the timeout ({} ms)",
                self.timeout.as_millis()
            ))),
        }
    }

    /// The forward pass: through the batching queue, or alone on tokio's blocking pool.
    async fn forward(&self, prepared: &Prepared, batch: FeatureBatch) -> RunResult {
        if let Some(batcher) = &self.batcher {
            let answer = batcher.submit(prepared.servable.clone(), &prepared.signature, batch)?;
            return answer
                .await
                .map_err(|_| ServingError::Internal("the batch thread stopped".into()))?;
        }
        let (servable, signature) = (prepared.servable.clone(), prepared.signature.clone());
        tokio::task::spawn_blocking(move || servable.run(&signature, &batch))
            .await
            .map_err(|join| ServingError::Internal(format!("the forward pass failed: {join}")))?
    }
}
