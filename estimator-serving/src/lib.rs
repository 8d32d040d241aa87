//! A model server for `estimator-runtime` exports that speaks TensorFlow Serving's REST and
//! gRPC APIs, so TF Serving's clients, load balancers and dashboards work unchanged.
//!
//! A model is compiled Rust, so a custom model_fn gets a small binary of its own:
//!
//! ```no_run
//! use estimator_runtime::prelude::*;
//!
//! #[derive(Module, Debug)]
//! struct Linear {
//!     layer: nn::Linear,
//! }
//!
//! #[model_fn(modes(predict))]
//! fn regressor(model: &Linear, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
//!     EstimatorSpec::new(mode).predictions(model.layer.forward(features))
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     // --model_name=m --model_base_path=DIR [--rest_api_port=8501] [--port=8500] ...
//!     estimator_serving::main(regressor, |device| Linear {
//!         layer: nn::LinearConfig::new(4, 1).init(device),
//!     })
//! }
//! ```
//!
//! and premade-estimator exports get the ready `estimator-server` binary. Both take
//! `tensorflow_model_server`'s flags ([`ServerFlags`]). The pieces, in TF Serving's shape:
//! - [`ServedModel`] polls `--model_base_path` for integer version directories, loads the newest
//!   off the request path and swaps it in atomically (in-flight requests finish on the old one);
//! - [`ServingCore`] answers one [`InferenceRequest`] (`:predict`, `:classify`, `:regress`) and
//!   the status / metadata calls, as TF Serving's JSON;
//! - the REST front end (axum on tokio) maps `/v1/models/...` onto it, with errors as
//!   `{"error": "..."}` and TF Serving's HTTP status codes;
//! - the gRPC front end (tonic, feature `grpc`) serves `tensorflow.serving.PredictionService`
//!   and `ModelService` with TF Serving's package, message names and field numbers ([`proto`]);
//! - a [`Batcher`] (`--enable_batching`) merges concurrent requests into one forward pass on
//!   batch threads of its own and splits the outputs back;
//! - [`Metrics`] (Prometheus text at [`METRICS_PATH`] on the REST port) counts requests and
//!   their latency by model, signature, API and status, and the rows per batch.

mod batching;
mod core;
mod dispatch;
mod error;
mod flags;
#[cfg(feature = "grpc")]
mod grpc;
mod metadata;
mod metrics;
mod premade;
#[cfg(feature = "grpc")]
pub mod proto;
mod request;
mod response;
mod rest;
mod servable;
mod server;
mod versions;

pub use crate::core::{InferenceRequest, Prepared, ServingCore, Verb};
pub use batching::{Batcher, BatchingParameters, concat};
pub use error::{ServingError, StartError};
pub use flags::ServerFlags;
pub use metadata::tf_dtype;
pub use metrics::{METRICS_PATH, Metrics, RequestLabels};
pub use premade::{PremadeLabels, PremadeServable, load_premade, read_manifest};
pub use request::{DEFAULT_SIGNATURE, InputForm, RequestBody, parse_body, to_batch};
pub use response::{OutputTensor, OutputValues};
pub use rest::{Route, Target, parse_route};
pub use servable::{
    ExportedServable, MakeModel, RunResult, Servable, ServableModelFn, ServingInput,
};
pub use server::{DEFAULT_MAX_BODY_BYTES, RunningServer, ServerBuilder};
pub use versions::{Loader, ServedModel, VersionPolicy, VersionState};

use burn::tensor::Device;
use estimator_runtime::{ExportedModel, ModelFn, ParamsAttached};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// A [`Loader`] for a custom model_fn: each version is read into a fresh `make_model(device)`
/// on the default device. For a model_fn that takes `params`, use [`exported_loader_with_params`].
pub fn exported_loader<F, M>(model_fn: F, make_model: M) -> Loader
where
    F: ServableModelFn + ModelFn<ParamsOnNew = ParamsAttached> + Clone + Sync,
    M: MakeModel<F::Model>,
{
    load_with(model_fn, make_model, |exported| exported)
}

/// [`exported_loader`] for a model_fn that takes `params`: `params()` makes them per version.
pub fn exported_loader_with_params<F, M, P>(model_fn: F, make_model: M, params: P) -> Loader
where
    F: ServableModelFn + Clone + Sync,
    M: MakeModel<F::Model>,
    P: Fn() -> F::Params + Send + Sync + 'static,
{
    load_with(model_fn, make_model, move |exported| {
        exported.with_params(params())
    })
}

/// Loads each version with `attach` giving the loaded export its params (the params
/// typestate: `ExportedModel::load` gives `ParamsMissing` for a model_fn that takes them).
fn load_with<F, M, A>(model_fn: F, make_model: M, attach: A) -> Loader
where
    F: ServableModelFn + Clone + Sync,
    M: MakeModel<F::Model>,
    A: Fn(ExportedModel<F, F::ParamsOnNew>) -> ExportedModel<F> + Send + Sync + 'static,
{
    Arc::new(move |dir: &Path| {
        let device = Device::default();
        let exported = ExportedModel::load(dir, model_fn.clone(), make_model(&device))
            .map_err(|e| e.to_string())?;
        let exported = attach(exported);
        Ok(Arc::new(ExportedServable::new(exported, device)) as Arc<dyn Servable>)
    })
}

/// A whole server for a custom model_fn: parses `tensorflow_model_server`'s flags, serves
/// `--model_base_path` under `--model_name` until SIGTERM or SIGINT, and exits 0.
pub fn main<F, M>(model_fn: F, make_model: M) -> ExitCode
where
    F: ServableModelFn + ModelFn<ParamsOnNew = ParamsAttached> + Clone + Sync,
    M: MakeModel<F::Model>,
{
    serve_from_flags(exported_loader(model_fn, make_model))
}

/// Parses the flags (from the command line), logs to stderr, serves with `loader` until a
/// signal: what [`main`] and `estimator-server` run.
pub fn serve_from_flags(loader: Loader) -> ExitCode {
    use clap::Parser;
    init_logging();
    let flags = ServerFlags::parse();
    match run(&flags, loader) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(flags: &ServerFlags, loader: Loader) -> Result<(), StartError> {
    let mut builder = ServerBuilder::new()
        .grpc_port(flags.port)
        .poll_wait(Duration::from_secs(flags.file_system_poll_wait_seconds))
        .timeout(Duration::from_millis(flags.rest_api_timeout_in_ms))
        .handle_signals(true)
        .model(&flags.model_name, &flags.model_base_path, loader);
    builder = match flags.rest_api_port {
        0 => builder.without_rest(),
        port => builder.rest_port(port),
    };
    if let Some(params) = batching_parameters(flags)? {
        builder = builder.batching(params);
    }
    let server = builder.start()?;
    server.wait().map_err(|source| StartError::Io {
        context: "serving".into(),
        source,
    })
}

/// The batching parameters the flags ask for: TF's defaults, or the file's.
fn batching_parameters(flags: &ServerFlags) -> Result<Option<BatchingParameters>, StartError> {
    if !flags.enable_batching {
        return Ok(None);
    }
    let Some(path) = &flags.batching_parameters_file else {
        return Ok(Some(BatchingParameters::default()));
    };
    let text = std::fs::read_to_string(path).map_err(|source| StartError::Io {
        context: format!("reading {}", path.display()),
        source,
    })?;
    BatchingParameters::parse(&text).map(Some)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}
