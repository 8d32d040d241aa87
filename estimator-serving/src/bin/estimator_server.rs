//! `estimator-server`: serves premade-estimator exports with no user code, as
//! `tensorflow_model_server` serves SavedModels.
//!
//! ```text
//! cargo run --release -p estimator-serving --bin estimator-server -- \
//!     --model_name=penguins --model_base_path=runs/penguins/wide_deep/export
//! ```

use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    estimator_serving::serve_from_flags(Arc::new(|dir: &std::path::Path| {
        estimator_serving::load_premade(dir, &burn::tensor::Device::default())
    }))
}
