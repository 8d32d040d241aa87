//! The gRPC messages and services, generated from `proto/` (TF Serving's `apis` names and
//! field numbers). A client of this crate's own (as the tests use) is here too:
//! `proto::tensorflow::serving::prediction_service_client::PredictionServiceClient`.
#![allow(missing_docs, clippy::all, clippy::pedantic)]

/// Package `tensorflow`: tensors, shapes, examples, signatures.
pub mod tensorflow {
    tonic::include_proto!("tensorflow");

    /// Package `tensorflow.error`: status codes.
    pub mod error {
        tonic::include_proto!("tensorflow.error");
    }

    /// Package `tensorflow.serving`: requests, responses and the two services.
    pub mod serving {
        tonic::include_proto!("tensorflow.serving");
    }
}
