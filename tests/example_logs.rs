//! `estimator_runtime::logging`, which the examples use: no ANSI colour codes when the output
//! is not a terminal, so a redirected log is plain text.

mod common;

use estimator_runtime::logging;

use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing_subscriber::util::SubscriberInitExt;

/// A writer into a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut inner = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        inner.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What `run` logs through the library's opt-in subscriber.
fn logs_of(ansi: bool, run: impl FnOnce()) -> String {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = logging::builder(move || writer.clone(), ansi).finish();
    {
        let _guard = subscriber.set_default();
        run();
    }
    let bytes = buffer.0.lock().map(|b| b.clone()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// What one INFO line looks like through the library's opt-in subscriber.
fn logged(ansi: bool) -> String {
    logs_of(ansi, || {
        tracing::info!("loss = 0.31, step = 200 (0.41 sec)")
    })
}

#[test]
fn logs_to_a_non_terminal_carry_no_ansi_codes() {
    let plain = logged(false);
    assert!(
        plain.contains("loss = 0.31, step = 200 (0.41 sec)"),
        "{plain:?}"
    );
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    // The same line on a terminal is coloured, so the check above can fail.
    assert!(logged(true).contains('\u{1b}'));
}

#[test]
fn an_export_says_what_it_wrote_not_savedmodel() {
    use common::*;
    use estimator_runtime::prelude::*;
    let dir = tempfile::tempdir().expect("temp dir");
    let est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))
        .expect("estimator");
    let (features, _) = batch(&iris()[..2], &device());
    let mut exported = None;
    let log = logs_of(false, || {
        exported = Some(est.export(dir.path().join("export"), features));
    });
    let path = exported.and_then(Result::ok).expect("export");
    assert!(!log.contains("SavedModel written to"), "{log}");
    let line = log
        .lines()
        .find(|l| l.contains("Exported the model"))
        .unwrap_or_default();
    assert!(
        line.contains("model.safetensors") && line.contains(&path.display().to_string()),
        "{log}"
    );
}
