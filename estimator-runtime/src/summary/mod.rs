//! TensorBoard summaries: scalars written to a TF event file that TensorBoard reads.
//!
//! A [`SummaryWriter`] owns one `events.out.tfevents.*` file in a directory. Each call to
//! [`SummaryWriter::scalar`] appends one `tensorflow.Event` holding a TF1 `simple_value`, framed
//! as a TFRecord. Point TensorBoard at the directory (`tensorboard --logdir DIR`); write the
//! evaluation scalars of a run to `DIR/eval` so they appear as a second run.
//!
//! ```
//! use estimator_runtime::summary::SummaryWriter;
//!
//! let dir = tempfile::tempdir()?;
//! let mut writer = SummaryWriter::create(dir.path())?;
//! writer.scalar("loss", 0.25, 1)?;
//! writer.flush()?;
//! assert!(writer.path().starts_with(dir.path()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod flusher;
mod histogram;
mod proto;
mod read;
mod record;
mod recorded;
#[cfg(test)]
mod tests;

use crate::error::Error;
use flusher::{Flusher, SharedFile};
use prost::Message;
use proto::Event;
pub use read::{ScalarsByStep, read_scalars};
pub(crate) use recorded::{RecordedSummaries, recording};
pub use recorded::{histogram, scalar};
use std::fs::{self, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest an event stays in the buffer: TensorBoard shows a live run, and a killed
/// process loses at most this much (TF's `flush_secs` default is 120; we flush sooner).
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(30);

/// Event files opened by this process so far; part of each file name, so two writers created
/// in the same second never share a file.
static FILES_OPENED: AtomicU64 = AtomicU64::new(0);

/// Writes scalar summaries to a TensorBoard event file.
///
/// The file is `events.out.tfevents.<unix_secs>.<hostname>.<pid>.<counter>` in the directory
/// given to [`SummaryWriter::create`]. Events are buffered and written out by
/// [`SummaryWriter::flush`], by a background thread every [`FLUSH_INTERVAL`], and on drop
/// (ignoring errors, so flush explicitly to see them).
///
/// ```
/// use estimator_runtime::summary::SummaryWriter;
///
/// let dir = tempfile::tempdir()?;
/// let mut writer = SummaryWriter::create(&dir.path().join("eval"))?;
/// for step in 1..=3 {
///     writer.scalar("accuracy", 0.5 + 0.1 * step as f64, step)?;
/// }
/// writer.flush()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct SummaryWriter {
    path: PathBuf,
    file: SharedFile,
    _flusher: Flusher,
}

impl SummaryWriter {
    /// Creates `dir` (and its parents) and a new event file in it, and writes the file's first
    /// event (`file_version: "brain.Event:2"`).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the directory or the file cannot be created or written.
    ///
    /// ```
    /// use estimator_runtime::summary::SummaryWriter;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let writer = SummaryWriter::create(dir.path())?;
    /// let name = writer.path().file_name().and_then(|n| n.to_str());
    /// assert!(name.is_some_and(|n| n.starts_with("events.out.tfevents.")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn create(dir: &Path) -> Result<SummaryWriter, Error> {
        SummaryWriter::create_flushing_every(dir, FLUSH_INTERVAL)
    }

    /// [`SummaryWriter::create`], flushing every `interval`.
    fn create_flushing_every(dir: &Path, interval: Duration) -> Result<SummaryWriter, Error> {
        fs::create_dir_all(dir).map_err(|e| Error::io("creating summary directory", dir, e))?;
        let now = wall_time();
        let path = dir.join(event_file_name(now as u64));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io("creating event file", &path, e))?;
        let file = Arc::new(Mutex::new(BufWriter::new(file)));
        let flusher = Flusher::spawn(Arc::clone(&file), interval)
            .map_err(|e| Error::io("starting the event file's flush thread", &path, e))?;
        let mut writer = SummaryWriter {
            path,
            file,
            _flusher: flusher,
        };
        writer.write_event(&Event::file_version(now))?;
        Ok(writer)
    }

    /// Appends the scalar `value` under `tag` at global step `step`.
    ///
    /// TensorBoard stores scalars as `f32`, so `value` is rounded to the nearest `f32`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the event cannot be written.
    ///
    /// ```
    /// use estimator_runtime::summary::SummaryWriter;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut writer = SummaryWriter::create(dir.path())?;
    /// writer.scalar("loss", 1.5, 10)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scalar(&mut self, tag: &str, value: f64, step: u64) -> Result<(), Error> {
        // The proto's step is an int64; a step past i64::MAX is not a real training run.
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        self.write_event(&Event::scalar(wall_time(), step, tag, value as f32))
    }

    /// Appends a histogram of `values` under `tag` at global step `step`, in TF's default
    /// buckets (what `tf.summary.histogram` writes; TensorBoard's Histograms and Distributions
    /// tabs show it).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the event cannot be written.
    ///
    /// ```
    /// use estimator_runtime::summary::SummaryWriter;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut writer = SummaryWriter::create(dir.path())?;
    /// writer.histogram("weights", &[0.5, -0.25, 0.0], 10)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn histogram(&mut self, tag: &str, values: &[f64], step: u64) -> Result<(), Error> {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        let histo = histogram::histogram(values);
        self.write_event(&Event::histogram(wall_time(), step, tag, histo))
    }

    /// Writes TF's `SessionLog.START` event at global step `step`, and flushes. Write it when a
    /// run resumes from a checkpoint at `step`: TensorBoard then drops the events at or after
    /// `step` that the interrupted run wrote, instead of drawing the repeated steps twice.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the event cannot be written.
    ///
    /// ```
    /// use estimator_runtime::summary::SummaryWriter;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut writer = SummaryWriter::create(dir.path())?;
    /// writer.session_log_start(200)?;
    /// writer.scalar("loss", 0.3, 201)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn session_log_start(&mut self, step: u64) -> Result<(), Error> {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        self.write_event(&Event::session_start(wall_time(), step))?;
        self.flush()
    }

    /// Writes buffered events to the file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the write fails.
    ///
    /// ```
    /// use estimator_runtime::summary::SummaryWriter;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut writer = SummaryWriter::create(dir.path())?;
    /// writer.scalar("loss", 1.5, 10)?;
    /// writer.flush()?;
    /// assert!(std::fs::metadata(writer.path())?.len() > 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&mut self) -> Result<(), Error> {
        self.file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
            .map_err(|e| Error::io("flushing event file", &self.path, e))
    }

    /// The event file this writer appends to.
    ///
    /// ```
    /// use estimator_runtime::summary::SummaryWriter;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let writer = SummaryWriter::create(dir.path())?;
    /// assert_eq!(writer.path().parent(), Some(dir.path()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_event(&mut self, event: &Event) -> Result<(), Error> {
        let framed = record::encode_record(&event.encode_to_vec());
        self.file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_all(&framed)
            .map_err(|e| Error::io("writing event", &self.path, e))
    }

    /// [`SummaryWriter::create_flushing_every`], for the tests.
    #[cfg(test)]
    pub(crate) fn create_for_test(dir: &Path, interval: Duration) -> Result<SummaryWriter, Error> {
        SummaryWriter::create_flushing_every(dir, interval)
    }
}

impl Drop for SummaryWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Seconds since the Unix epoch, with sub-second precision (0 if the clock is before 1970).
fn wall_time() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// `events.out.tfevents.<unix_secs>.<hostname>.<pid>.<counter>`.
fn event_file_name(unix_secs: u64) -> String {
    let counter = FILES_OPENED.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    format!(
        "events.out.tfevents.{unix_secs}.{}.{pid}.{counter}",
        hostname()
    )
}

/// The host name from `/etc/hostname`, or `localhost` if it is missing or empty. Path
/// separators are replaced so the name is always a single file name component.
fn hostname() -> String {
    let name = fs::read_to_string("/etc/hostname").unwrap_or_default();
    let name = name.trim().replace(['/', '\\'], "_");
    if name.is_empty() {
        "localhost".to_owned()
    } else {
        name
    }
}
