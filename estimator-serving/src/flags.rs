//! `tensorflow_model_server`'s flags, with its names and defaults.

use std::path::PathBuf;

/// The flags of `tensorflow_model_server` this server takes (`--port`, `--rest_api_port`, ...).
#[derive(clap::Parser, Debug, Clone, PartialEq)]
#[command(
    about = "Serves estimator exports over TensorFlow Serving's REST API",
    rename_all = "snake_case"
)]
pub struct ServerFlags {
    /// The gRPC port (TF Serving's `--port`).
    #[arg(long, default_value_t = 8500)]
    pub port: u16,
    /// The REST port; 0 turns REST off.
    #[arg(long, default_value_t = 8501)]
    pub rest_api_port: u16,
    /// The name clients call the model by.
    #[arg(long, default_value = "default")]
    pub model_name: String,
    /// The directory holding the model's integer version directories.
    #[arg(long)]
    pub model_base_path: PathBuf,
    /// Batch requests together (see `--batching_parameters_file`).
    #[arg(long, default_value_t = false, num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub enable_batching: bool,
    /// The batching parameters, in TF's text format.
    #[arg(long)]
    pub batching_parameters_file: Option<PathBuf>,
    /// Seconds between polls of `--model_base_path` for new versions.
    #[arg(long, default_value_t = 1)]
    pub file_system_poll_wait_seconds: u64,
    /// The REST timeout in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    pub rest_api_timeout_in_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn defaults_are_tf_servings() {
        let flags = ServerFlags::try_parse_from(["s", "--model_base_path=/m"]).expect("parse");
        assert_eq!(flags.port, 8500);
        assert_eq!(flags.rest_api_port, 8501);
        assert_eq!(flags.file_system_poll_wait_seconds, 1);
        assert!(!flags.enable_batching);
        let on = ServerFlags::try_parse_from(["s", "--model_base_path=/m", "--enable_batching"])
            .expect("parse");
        assert!(on.enable_batching);
        let off =
            ServerFlags::try_parse_from(["s", "--model_base_path=/m", "--enable_batching=false"])
                .expect("parse");
        assert!(!off.enable_batching);
    }
}
