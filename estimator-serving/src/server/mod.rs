//! [`ServerBuilder`]: one or more models behind the REST and gRPC front ends, their versions
//! polled on a thread of their own; [`RunningServer`] stops gracefully (stop accepting, finish
//! in-flight requests) on [`RunningServer::shutdown`] or, with
//! [`ServerBuilder::handle_signals`], on SIGTERM / SIGINT.

mod running;

pub use running::RunningServer;

use crate::batching::{Batcher, BatchingParameters};
use crate::core::ServingCore;
use crate::dispatch::Dispatch;
use crate::error::StartError;
use crate::metrics::Metrics;
use crate::versions::{Loader, ServedModel, VersionPolicy};
use running::Listeners;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

/// The default largest request body (TF Serving has none; this bounds memory per request).
pub const DEFAULT_MAX_BODY_BYTES: usize = 8 << 20;

struct ModelEntry {
    name: String,
    base_path: PathBuf,
    policy: VersionPolicy,
    loader: Loader,
}

/// Configures and starts a server.
///
/// ```no_run
/// use estimator_serving::{ServerBuilder, load_premade};
/// use std::sync::Arc;
/// let server = ServerBuilder::new()
///     .rest_port(8501)
///     .model("penguins", "runs/penguins/export", Arc::new(|dir: &std::path::Path| {
///         load_premade(dir, &burn::tensor::Device::default())
///     }))
///     .start()?;
/// println!("serving on {:?}", server.rest_addr());
/// server.wait();
/// # Ok::<(), estimator_serving::StartError>(())
/// ```
pub struct ServerBuilder {
    models: Vec<ModelEntry>,
    host: IpAddr,
    rest_port: Option<u16>,
    grpc_port: Option<u16>,
    poll_wait: Duration,
    timeout: Duration,
    max_body_bytes: usize,
    handle_signals: bool,
    batching: Option<BatchingParameters>,
}

impl Default for ServerBuilder {
    fn default() -> Self {
        ServerBuilder {
            models: Vec::new(),
            host: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            rest_port: Some(8501),
            grpc_port: None,
            poll_wait: Duration::from_secs(1),
            timeout: Duration::from_millis(30_000),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            handle_signals: false,
            batching: None,
        }
    }
}

impl ServerBuilder {
    /// TF Serving's defaults: REST on 0.0.0.0:8501, polls every second, 30 s timeout; gRPC
    /// only when [`grpc_port`](Self::grpc_port) is given.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves the model `name` from the integer versions under `base_path`, newest first.
    pub fn model(
        self,
        name: impl Into<String>,
        base_path: impl Into<PathBuf>,
        loader: Loader,
    ) -> Self {
        self.model_with_policy(name, base_path, VersionPolicy::Latest, loader)
    }

    /// [`model`](Self::model) with a version policy.
    pub fn model_with_policy(
        mut self,
        name: impl Into<String>,
        base_path: impl Into<PathBuf>,
        policy: VersionPolicy,
        loader: Loader,
    ) -> Self {
        let (name, base_path) = (name.into(), base_path.into());
        self.models.push(ModelEntry {
            name,
            base_path,
            policy,
            loader,
        });
        self
    }

    /// The address to listen on (default 0.0.0.0).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The REST port; 0 lets the OS pick (see [`RunningServer::rest_addr`]).
    pub fn rest_port(mut self, port: u16) -> Self {
        self.rest_port = Some(port);
        self
    }

    /// Serves no REST API (TF Serving's `--rest_api_port=0`).
    pub fn without_rest(mut self) -> Self {
        self.rest_port = None;
        self
    }

    /// Serves TF Serving's gRPC API on `port` (0 lets the OS pick, see
    /// [`RunningServer::grpc_addr`]). Needs the `grpc` feature (on by default).
    pub fn grpc_port(mut self, port: u16) -> Self {
        self.grpc_port = Some(port);
        self
    }

    /// How often to look for new versions.
    pub fn poll_wait(mut self, wait: Duration) -> Self {
        self.poll_wait = wait;
        self
    }

    /// The longest a REST request may take.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest request body; a larger one is answered 413.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Shut down on SIGTERM or SIGINT too (what a server process wants; tests do not).
    pub fn handle_signals(mut self, on: bool) -> Self {
        self.handle_signals = on;
        self
    }

    /// Batch requests together with `params` (TF Serving's `--enable_batching`).
    pub fn batching(mut self, params: BatchingParameters) -> Self {
        self.batching = Some(params);
        self
    }

    /// Loads every model's first versions, binds the ports and starts serving.
    pub fn start(self) -> Result<RunningServer, StartError> {
        let models: Vec<Arc<ServedModel>> = self
            .models
            .into_iter()
            .map(|m| Arc::new(ServedModel::new(m.name, m.base_path, m.policy, m.loader)))
            .collect();
        models.iter().for_each(|m| m.poll());
        let (stop_polling, polls) = mpsc::channel::<()>();
        let poller = spawn_poller(models.clone(), self.poll_wait, polls)?;
        let metrics = Arc::new(Metrics::new());
        let batcher = self
            .batching
            .map(|p| Batcher::start(p, Some(metrics.clone())))
            .transpose();
        let batcher = batcher.map_err(|source| io_error("starting the batch threads", source))?;
        let dispatch = Arc::new(Dispatch {
            core: Arc::new(ServingCore::new(models)),
            timeout: self.timeout,
            batcher,
            metrics,
        });
        let listeners = Listeners {
            rest: self.rest_port.map(|p| SocketAddr::new(self.host, p)),
            grpc: self.grpc_port.map(|p| SocketAddr::new(self.host, p)),
            max_body_bytes: self.max_body_bytes,
            handle_signals: self.handle_signals,
        };
        RunningServer::start(listeners, dispatch, stop_polling, poller)
    }
}

pub(crate) fn io_error(context: impl Into<String>, source: std::io::Error) -> StartError {
    StartError::Io {
        context: context.into(),
        source,
    }
}

fn spawn_poller(
    models: Vec<Arc<ServedModel>>,
    wait: Duration,
    stop: mpsc::Receiver<()>,
) -> Result<std::thread::JoinHandle<()>, StartError> {
    std::thread::Builder::new()
        .name("estimator-serving-poller".into())
        .spawn(move || {
            while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(wait) {
                models.iter().for_each(|m| m.poll());
            }
        })
        .map_err(|source| StartError::Io {
            context: "starting the version poller".into(),
            source,
        })
}
