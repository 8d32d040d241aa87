//! A started server: the tokio runtime, the REST and gRPC listeners, and the shutdown that
//! reaches both (stop accepting, finish in-flight requests).

use super::io_error;
use crate::dispatch::Dispatch;
use crate::error::StartError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::mpsc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Where to listen, and how to stop.
pub(super) struct Listeners {
    pub(super) rest: Option<SocketAddr>,
    pub(super) grpc: Option<SocketAddr>,
    pub(super) max_body_bytes: usize,
    pub(super) handle_signals: bool,
}

/// A started server; dropping it shuts it down.
pub struct RunningServer {
    runtime: tokio::runtime::Runtime,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
    stop: watch::Sender<bool>,
    stop_polling: mpsc::Sender<()>,
    poller: Option<std::thread::JoinHandle<()>>,
    rest_addr: Option<SocketAddr>,
    grpc_addr: Option<SocketAddr>,
}

impl RunningServer {
    pub(super) fn start(
        listeners: Listeners,
        dispatch: Arc<Dispatch>,
        stop_polling: mpsc::Sender<()>,
        poller: std::thread::JoinHandle<()>,
    ) -> Result<Self, StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("estimator-serving")
            .build()
            .map_err(|source| io_error("starting the tokio runtime", source))?;
        let (stop, stopped) = watch::channel(false);
        let mut server = RunningServer {
            runtime,
            tasks: Vec::new(),
            stop,
            stop_polling,
            poller: Some(poller),
            rest_addr: None,
            grpc_addr: None,
        };
        if let Some(addr) = listeners.rest {
            server.rest_addr = Some(server.serve_rest(
                addr,
                &dispatch,
                listeners.max_body_bytes,
                stopped.clone(),
            )?);
        }
        if let Some(addr) = listeners.grpc {
            server.grpc_addr = Some(server.serve_grpc(addr, &dispatch, stopped)?);
        }
        if listeners.handle_signals {
            let stop = server.stop.clone();
            server.runtime.spawn(async move {
                os_signal().await;
                tracing::info!("signal received: finishing in-flight requests, then exiting");
                let _ = stop.send(true);
            });
        }
        Ok(server)
    }

    fn bind(
        &self,
        addr: SocketAddr,
        what: &str,
    ) -> Result<(tokio::net::TcpListener, SocketAddr), StartError> {
        let listener = self
            .runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .map_err(|source| io_error(format!("binding the {what} port {addr}"), source))?;
        let bound = listener
            .local_addr()
            .map_err(|source| io_error(format!("reading the {what} address"), source))?;
        tracing::info!("{what} API listening on {bound}");
        Ok((listener, bound))
    }

    fn serve_rest(
        &mut self,
        addr: SocketAddr,
        dispatch: &Arc<Dispatch>,
        max_body_bytes: usize,
        stopped: watch::Receiver<bool>,
    ) -> Result<SocketAddr, StartError> {
        let (listener, bound) = self.bind(addr, "REST")?;
        let app = crate::rest::router(dispatch.clone(), max_body_bytes);
        let task = async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(until_stopped(stopped))
                .await
        };
        self.tasks.push(self.runtime.spawn(task));
        Ok(bound)
    }

    #[cfg(feature = "grpc")]
    fn serve_grpc(
        &mut self,
        addr: SocketAddr,
        dispatch: &Arc<Dispatch>,
        stopped: watch::Receiver<bool>,
    ) -> Result<SocketAddr, StartError> {
        let (listener, bound) = self.bind(addr, "gRPC")?;
        let routes = crate::grpc::routes(dispatch.clone());
        let incoming = tonic::transport::server::TcpIncoming::from(listener);
        let task = async move {
            tonic::transport::Server::builder()
                .add_routes(routes)
                .serve_with_incoming_shutdown(incoming, until_stopped(stopped))
                .await
                .map_err(std::io::Error::other)
        };
        self.tasks.push(self.runtime.spawn(task));
        Ok(bound)
    }

    #[cfg(not(feature = "grpc"))]
    fn serve_grpc(
        &mut self,
        _: SocketAddr,
        _: &Arc<Dispatch>,
        _: watch::Receiver<bool>,
    ) -> Result<SocketAddr, StartError> {
        Err(StartError::Config(
            "gRPC needs the `grpc` feature of estimator-serving".into(),
        ))
    }

    /// Where the REST API listens (`None` without REST).
    pub fn rest_addr(&self) -> Option<SocketAddr> {
        self.rest_addr
    }

    /// Where the gRPC API listens (`None` without gRPC).
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc_addr
    }

    /// Stops accepting, finishes in-flight requests and returns.
    pub fn shutdown(mut self) -> std::io::Result<()> {
        let _ = self.stop.send(true);
        self.wait_inner()
    }

    /// Serves until a signal (with `handle_signals`) or a fatal error.
    pub fn wait(mut self) -> std::io::Result<()> {
        self.wait_inner()
    }

    fn wait_inner(&mut self) -> std::io::Result<()> {
        let tasks: Vec<_> = self.tasks.drain(..).collect();
        let results: Vec<_> = tasks
            .into_iter()
            .map(|t| self.runtime.block_on(t))
            .collect();
        let _ = self.stop.send(true);
        let _ = self.stop_polling.send(());
        if let Some(poller) = self.poller.take() {
            let _ = poller.join();
        }
        for result in results {
            result.map_err(std::io::Error::other)??;
        }
        Ok(())
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        let _ = self.wait_inner();
    }
}

async fn until_stopped(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
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
