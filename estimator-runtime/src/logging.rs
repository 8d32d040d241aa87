//! Opt-in logging in one line: TF's INFO lines on stderr.
//!
//! The library logs through `tracing` (`loss = 0.31, step = 200 (0.41 sec)`, checkpoint saves,
//! evaluation results) and never installs a subscriber itself: that is the program's choice.
//! TF prints those lines by default; [`init`] is the one call that does it here.
//!
//! ```
//! estimator_runtime::logging::init();
//! ```

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::{DefaultFields, Format};
use tracing_subscriber::fmt::{MakeWriter, SubscriberBuilder};

/// Installs [`builder`] on stderr as the global `tracing` subscriber, coloured only when
/// stderr is a terminal (a redirected log is plain text). Returns `false`, changing nothing,
/// when the program already installed a subscriber.
pub fn init() -> bool {
    builder(std::io::stderr, std::io::stderr().is_terminal())
        .try_init()
        .is_ok()
}

/// The subscriber [`init`] installs, writing to `writer`, with ANSI colour codes only if
/// `ansi`: INFO lines and above without the module path; `RUST_LOG` overrides the level
/// (`RUST_LOG=warn` quiets it, `RUST_LOG=debug` says more).
pub fn builder<W>(writer: W, ansi: bool) -> SubscriberBuilder<DefaultFields, Format, EnvFilter, W>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_target(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi)
}
