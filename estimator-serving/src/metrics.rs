//! Prometheus metrics (`prometheus-client`), served at TF Serving's path
//! `/monitoring/prometheus/metrics`: request counts and latency per model, signature and API,
//! and the rows per batch.

use crate::error::ServingError;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// TF Serving's path for the Prometheus text format.
pub const METRICS_PATH: &str = "/monitoring/prometheus/metrics";

/// What a request is counted by. Names come from the served models only (never from a bad
/// request's text), so a stream of bad requests cannot grow the label sets without bound.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The model (empty if the request named an unknown one).
    pub model_name: String,
    /// The signature (empty if the request named an unknown one).
    pub signature: String,
    /// `predict`, `classify` or `regress`.
    pub api: String,
    /// `OK` or TF's status code name.
    pub status: String,
}

/// The server's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    batch_rows: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers the request counter, the latency histogram (100 µs to about 100 s) and the
    /// batch size histogram (1 to 4,096 rows).
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tensorflow_serving");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(1e-4, 2.0, 20))
        });
        let batch_rows = Histogram::new(exponential_buckets(1.0, 2.0, 13));
        registry.register(
            "request_count",
            "Inference requests by model, signature, API and status",
            requests.clone(),
        );
        registry.register(
            "request_latency_seconds",
            "Inference latency in seconds",
            latency.clone(),
        );
        registry.register(
            "batch_size",
            "Rows per batched forward pass",
            batch_rows.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            batch_rows,
        }
    }

    /// Counts one request and its latency.
    pub fn record(&self, labels: RequestLabels, seconds: f64) {
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }

    /// Records one batched forward pass of `rows` rows.
    pub fn record_batch(&self, rows: usize) {
        self.batch_rows.observe(rows as f64);
    }

    /// Everything, in Prometheus' text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

/// TF's name for an outcome.
pub fn status_name(result: &Result<(), &ServingError>) -> &'static str {
    match result {
        Ok(()) => "OK",
        Err(ServingError::InvalidArgument(_)) => "INVALID_ARGUMENT",
        Err(ServingError::NotFound(_)) => "NOT_FOUND",
        Err(ServingError::Unavailable(_)) => "UNAVAILABLE",
        Err(ServingError::ResourceExhausted(_) | ServingError::PayloadTooLarge(_)) => {
            "RESOURCE_EXHAUSTED"
        }
        Err(ServingError::DeadlineExceeded(_)) => "DEADLINE_EXCEEDED",
        Err(ServingError::Internal(_)) => "INTERNAL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_batches_show_in_the_text_format() {
        let metrics = Metrics::new();
        let labels = RequestLabels {
            model_name: "m".into(),
            signature: "serving_default".into(),
            api: "predict".into(),
            status: "OK".into(),
        };
        metrics.record(labels.clone(), 0.002);
        metrics.record(labels, 0.003);
        metrics.record_batch(8);
        let text = metrics.encode();
        assert!(text.contains(r#"tensorflow_serving_request_count_total{model_name="m",signature="serving_default",api="predict",status="OK"} 2"#), "{text}");
        assert!(
            text.contains("tensorflow_serving_request_latency_seconds_count"),
            "{text}"
        );
        assert!(
            text.contains("tensorflow_serving_batch_size_count 1"),
            "{text}"
        );
    }
}
