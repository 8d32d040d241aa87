//! The REST front end: TF Serving's `/v1/models/...` paths on axum, a thin layer over
//! the core (`Dispatch`). Forward passes run on tokio's blocking pool or the batch threads,
//! never on its workers.

use crate::core::{InferenceRequest, Verb};
use crate::dispatch::Dispatch;
use crate::error::ServingError;
use crate::metrics::METRICS_PATH;
use crate::request::parse_body;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// What a `/v1/models/{rest}` path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The model's name.
    pub model: String,
    /// `/versions/{v}`, if given.
    pub version: Option<u64>,
    /// What to do.
    pub target: Target,
}

/// The three kinds of REST call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `GET /v1/models/{name}[/versions/{v}]`.
    Status,
    /// `GET .../metadata`.
    Metadata,
    /// `POST ...:predict`, `:classify`, `:regress`.
    Infer(Verb),
}

/// Parses the part of the path after `/v1/models/`.
pub fn parse_route(rest: &str) -> Result<Route, ServingError> {
    let (path, verb) = match rest.rsplit_once(':') {
        Some((path, verb)) => (path, Some(verb)),
        None => (rest, None),
    };
    let segments: Vec<&str> = path.split('/').collect();
    let not_found = || ServingError::NotFound(format!("no such REST path: /v1/models/{rest}"));
    let (model, tail) = segments.split_first().ok_or_else(not_found)?;
    let (version, tail) = match tail {
        ["versions", v, tail @ ..] => {
            let v = v
                .parse()
                .map_err(|_| ServingError::invalid(format!("version `{v}` is not an integer")))?;
            (Some(v), tail)
        }
        ["labels", l, ..] => {
            return Err(ServingError::NotFound(format!(
                "no version label `{l}` is configured"
            )));
        }
        tail => (None, tail),
    };
    let target = match (tail, verb) {
        ([], None) => Target::Status,
        (["metadata"], None) => Target::Metadata,
        ([], Some("predict")) => Target::Infer(Verb::Predict),
        ([], Some("classify")) => Target::Infer(Verb::Classify),
        ([], Some("regress")) => Target::Infer(Verb::Regress),
        _ => return Err(not_found()),
    };
    if model.is_empty() {
        return Err(not_found());
    }
    Ok(Route {
        model: model.to_string(),
        version,
        target,
    })
}

/// The router: `/v1/models/*`, bodies up to `max_body_bytes`.
pub(crate) fn router(state: Arc<Dispatch>, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/v1/models/{*rest}", axum::routing::any(handle))
        .route(METRICS_PATH, axum::routing::get(metrics))
        .fallback(|| async {
            error_response(&ServingError::NotFound(
                "no such REST path; the API is under /v1/models/".into(),
            ))
        })
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

async fn metrics(State(state): State<Arc<Dispatch>>) -> Response {
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    (
        [(axum::http::header::CONTENT_TYPE, content_type)],
        state.metrics.encode(),
    )
        .into_response()
}

async fn handle(
    State(state): State<Arc<Dispatch>>,
    method: Method,
    Path(rest): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match answer(&state, &method, &rest, body).await {
        Ok(value) => (StatusCode::OK, axum::Json(value)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn answer(
    state: &Dispatch,
    method: &Method,
    rest: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, ServingError> {
    let route = parse_route(rest)?;
    match (route.target, method) {
        (Target::Status, &Method::GET) => state.core.status(&route.model, route.version),
        (Target::Metadata, &Method::GET) => state.core.metadata(&route.model, route.version),
        (Target::Infer(verb), &Method::POST) => infer(state, route, verb, body?).await,
        _ => Err(ServingError::invalid(format!(
            "{method} is not allowed on /v1/models/{rest}"
        ))),
    }
}

async fn infer(
    state: &Dispatch,
    route: Route,
    verb: Verb,
    body: Bytes,
) -> Result<Value, ServingError> {
    let body = parse_body(&body, verb.row_key())?;
    let request = InferenceRequest {
        model: route.model,
        version: route.version,
        verb,
        body,
    };
    let (prepared, outputs) = state.run(&request).await?;
    prepared.answer(&outputs)
}

impl From<BytesRejection> for ServingError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ServingError::PayloadTooLarge(rejection.body_text());
        }
        ServingError::invalid(rejection.body_text())
    }
}

fn error_response(error: &ServingError) -> Response {
    let status =
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(json!({ "error": error.to_string() }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_as_tf_serving_names_them() {
        let route = parse_route("digits/versions/3:predict").expect("route");
        assert_eq!(
            route,
            Route {
                model: "digits".into(),
                version: Some(3),
                target: Target::Infer(Verb::Predict)
            }
        );
        assert_eq!(parse_route("digits").map(|r| r.target), Ok(Target::Status));
        assert_eq!(
            parse_route("digits/metadata").map(|r| r.target),
            Ok(Target::Metadata)
        );
        assert_eq!(
            parse_route("d/versions/2/metadata").map(|r| (r.version, r.target)),
            Ok((Some(2), Target::Metadata))
        );
        assert_eq!(
            parse_route("d:regress").map(|r| r.target),
            Ok(Target::Infer(Verb::Regress))
        );
        assert!(matches!(
            parse_route("d:explode"),
            Err(ServingError::NotFound(_))
        ));
        assert!(matches!(
            parse_route("d/versions/x"),
            Err(ServingError::InvalidArgument(_))
        ));
        assert!(matches!(
            parse_route("d/labels/stable:predict"),
            Err(ServingError::NotFound(_))
        ));
        assert!(matches!(
            parse_route(":predict"),
            Err(ServingError::NotFound(_))
        ));
    }
}
