//! A thread that flushes an event file's buffer at a fixed interval, so that events written
//! just before a quiet spell (a slow step, a long evaluation) still reach the disk: TensorBoard
//! shows a live run, and a killed process loses at most one interval of events.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The buffered event file, shared by the writer and its flusher.
pub(crate) type SharedFile = Arc<Mutex<BufWriter<File>>>;

/// The flush thread of one event file; dropping it stops and joins the thread.
#[derive(Debug)]
pub(crate) struct Flusher {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Starts flushing `file` every `interval`.
    pub(crate) fn spawn(file: SharedFile, interval: Duration) -> std::io::Result<Flusher> {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let signal = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("event-file-flush".into())
            .spawn(move || flush_until_stopped(&file, &signal, interval))?;
        Ok(Flusher {
            stop,
            thread: Some(thread),
        })
    }
}

fn flush_until_stopped(file: &SharedFile, signal: &(Mutex<bool>, Condvar), interval: Duration) {
    let (lock, wake) = signal;
    let mut stopped = lock.lock().unwrap_or_else(PoisonError::into_inner);
    while !*stopped {
        let (guard, _) = wake
            .wait_timeout(stopped, interval)
            .unwrap_or_else(PoisonError::into_inner);
        stopped = guard;
        if !*stopped {
            // A failed flush keeps the events buffered; the writer's next write or flush
            // retries it and reports the error.
            let _ = file.lock().unwrap_or_else(PoisonError::into_inner).flush();
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        let (lock, wake) = &*self.stop;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
