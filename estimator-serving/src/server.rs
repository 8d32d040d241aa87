//! [`ServerBuilder`]: one or more models behind the REST front end, their versions polled on
//! a thread of their own; [`RunningServer`] stops gracefully (stop accepting, finish in-flight
//! requests) on [`RunningServer::shutdown`] or, with [`ServerBuilder::handle_signals`], on
//! SIGTERM / SIGINT.

use crate::batching::{Batcher, BatchingParameters};
use crate::core::ServingCore;
use crate::error::StartError;
use crate::rest::{RestState, router};
use crate::versions::{Loader, ServedModel, VersionPolicy};
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
    rest_port: u16,
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
            rest_port: 8501,
            poll_wait: Duration::from_secs(1),
            timeout: Duration::from_millis(30_000),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            handle_signals: false,
            batching: None,
        }
    }
}

impl ServerBuilder {
    /// TF Serving's defaults: REST on 0.0.0.0:8501, polls every second, 30 s timeout.
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
        self.rest_port = port;
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

    /// Loads every model's first versions, binds the REST port and starts serving.
    pub fn start(self) -> Result<RunningServer, StartError> {
        let models: Vec<Arc<ServedModel>> = self
            .models
            .into_iter()
            .map(|m| Arc::new(ServedModel::new(m.name, m.base_path, m.policy, m.loader)))
            .collect();
        models.iter().for_each(|m| m.poll());
        let (stop_polling, polls) = mpsc::channel::<()>();
        let poller = spawn_poller(models.clone(), self.poll_wait, polls)?;
        let core = Arc::new(ServingCore::new(models));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("estimator-serving")
            .build()
            .map_err(|source| StartError::Io {
                context: "starting the tokio runtime".into(),
                source,
            })?;
        let addr = SocketAddr::new(self.host, self.rest_port);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .map_err(|source| StartError::Io {
                context: format!("binding the REST port {addr}"),
                source,
            })?;
        let rest_addr = listener.local_addr().map_err(|source| StartError::Io {
            context: "reading the REST address".into(),
            source,
        })?;
        let batcher = self.batching.map(Batcher::start).transpose();
        let batcher = batcher.map_err(|source| StartError::Io {
            context: "starting the batch threads".into(),
            source,
        })?;
        let state = Arc::new(RestState {
            core,
            timeout: self.timeout,
            batcher,
        });
        let app = router(state, self.max_body_bytes);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let signals = self.handle_signals;
        let serving = runtime.spawn(async move {
            let shutdown = shutdown_signal(stopped, signals);
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
        });
        tracing::info!("REST API listening on {rest_addr}");
        Ok(RunningServer {
            runtime,
            serving: Some(serving),
            stop: Some(stop),
            stop_polling,
            poller: Some(poller),
            rest_addr,
        })
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

async fn shutdown_signal(stopped: tokio::sync::oneshot::Receiver<()>, signals: bool) {
    if !signals {
        let _ = stopped.await;
        return;
    }
    tokio::select! {
        _ = stopped => {}
        _ = os_signal() => tracing::info!("signal received: finishing in-flight requests, then exiting"),
    }
}

#[cfg(unix)]
async fn os_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
        }
        _ => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn os_signal() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// A started server; dropping it shuts it down.
pub struct RunningServer {
    runtime: tokio::runtime::Runtime,
    serving: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    stop_polling: mpsc::Sender<()>,
    poller: Option<std::thread::JoinHandle<()>>,
    rest_addr: SocketAddr,
}

impl RunningServer {
    /// Where the REST API listens.
    pub fn rest_addr(&self) -> SocketAddr {
        self.rest_addr
    }

    /// Stops accepting, finishes in-flight requests and returns.
    pub fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.wait_inner()
    }

    /// Serves until a signal (with [`ServerBuilder::handle_signals`]) or a fatal error.
    pub fn wait(mut self) -> std::io::Result<()> {
        self.wait_inner()
    }

    fn wait_inner(&mut self) -> std::io::Result<()> {
        let result = self
            .serving
            .take()
            .map(|serving| self.runtime.block_on(serving));
        let _ = self.stop_polling.send(());
        if let Some(poller) = self.poller.take() {
            let _ = poller.join();
        }
        match result {
            Some(joined) => joined.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.wait_inner();
    }
}
