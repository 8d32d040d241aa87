//! `ServingError`: what a request can fail with, as TF Serving's status codes.

/// A failed request, by TF Serving's status code; the message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServingError {
    /// Bad input or an unknown signature (TF's INVALID_ARGUMENT, HTTP 400).
    #[error("{0}")]
    InvalidArgument(String),
    /// An unknown model or version (NOT_FOUND, HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// No version loaded yet (UNAVAILABLE, HTTP 503).
    #[error("{0}")]
    Unavailable(String),
    /// The batching queue is full (RESOURCE_EXHAUSTED, HTTP 503).
    #[error("{0}")]
    ResourceExhausted(String),
    /// The body is over the server's limit (HTTP 413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The request took longer than `--rest_api_timeout_in_ms` (DEADLINE_EXCEEDED, HTTP 408).
    #[error("{0}")]
    DeadlineExceeded(String),
    /// A fault of the server, not of the request (INTERNAL, HTTP 500).
    #[error("{0}")]
    Internal(String),
}

impl ServingError {
    /// The HTTP status TF Serving's REST API answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            ServingError::InvalidArgument(_) => 400,
            ServingError::NotFound(_) => 404,
            ServingError::Unavailable(_) | ServingError::ResourceExhausted(_) => 503,
            ServingError::PayloadTooLarge(_) => 413,
            ServingError::DeadlineExceeded(_) => 408,
            ServingError::Internal(_) => 500,
        }
    }

    /// A bad-input error.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ServingError::InvalidArgument(message.into())
    }
}

/// A server that could not start (bad flags, a port in use, an unreadable batching file).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A flag or builder setting is wrong.
    #[error("{0}")]
    Config(String),
    /// Binding or serving failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}
