//! Serves what the `digits` example exports, over TensorFlow Serving's REST API.
//!
//! ```text
//! cargo run --release --example digits
//! cargo run --release --example serve_digits -- --model_name=digits --model_base_path=runs/digits/export/best --rest_api_port=8501
//! curl -s -d '{"instances": [[0, 0, 0.3125, ...64 pixels in [0, 1]...]]}' localhost:8501/v1/models/digits:predict
//! ```
//!
//! The flags are `tensorflow_model_server`'s (`--model_name`, `--model_base_path`,
//! `--rest_api_port`, `--file_system_poll_wait_seconds`, ...). A newer export under the base
//! path is loaded and swapped in while serving.

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common/digits_model.rs"]
mod digits_model;
use digits_model::{HParams, Mlp, classifier};

fn main() -> ExitCode {
    // The digits model_fn takes `params` (unused when predicting), so this is `main` with a
    // params maker; a model_fn without params is served by `estimator_serving::main(f, make)`.
    estimator_serving::serve_from_flags(estimator_serving::exported_loader_with_params(
        classifier,
        |device| Mlp::new(64, 64, 10, device),
        || HParams { learning_rate: 0.0 },
    ))
}
