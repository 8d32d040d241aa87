//! Logging for the examples: tracing's lines go to stderr, coloured only when stderr is a
//! terminal; results go to stdout (`println!`), so `2>run.log` keeps a clean log and a pipe
//! of stdout gets only the results.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{DefaultFields, Format};
use tracing_subscriber::fmt::{MakeWriter, SubscriberBuilder};

/// The examples' subscriber writing to `writer`, with ANSI colour codes only if `ansi`; the
/// filter comes from `RUST_LOG` (default `info`).
pub fn builder<W>(writer: W, ansi: bool) -> SubscriberBuilder<DefaultFields, Format, EnvFilter, W>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_target(false)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(writer)
        .with_ansi(ansi)
}

/// Installs [`builder`] on stderr, coloured only when stderr is a terminal.
#[allow(
    dead_code,
    reason = "used by the examples, not by the test that includes this file"
)]
pub fn init() {
    builder(std::io::stderr, std::io::stderr().is_terminal()).init();
}
