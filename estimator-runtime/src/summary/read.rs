//! Reading scalars back from event files, as TF's `early_stopping.read_eval_metrics` and
//! `BestExporter` do: `train_and_evaluate` rebuilds its evaluation history from `eval/` after a
//! restart, so early stopping and the best exporter decide as an uninterrupted run would.

use super::proto::{Event, What};
use super::record::masked_crc32c;
use crate::error::Error;
use prost::Message;
use std::collections::BTreeMap;
use std::path::Path;

/// The largest event file read back; an eval directory's files hold a few scalars per
/// evaluation, so a bigger one is not ours (`Error::FileTooLarge`).
const MAX_EVENT_FILE: u64 = 256 << 20;

/// Scalars by global step, then by tag.
pub type ScalarsByStep = BTreeMap<u64, BTreeMap<String, f64>>;

/// Every scalar in the `events.out.tfevents.*` files of `dir` (none if `dir` does not exist).
/// Files are read in name order (their names start with the creation time), so a step
/// evaluated again in a later file takes the later values. A torn record at a file's end (a
/// write cut by a kill) ends that file, as in TF's reader.
///
/// ```
/// use estimator_runtime::summary::{SummaryWriter, read_scalars};
///
/// let dir = tempfile::tempdir()?;
/// let mut writer = SummaryWriter::create(dir.path())?;
/// writer.scalar("accuracy", 0.75, 100)?;
/// writer.flush()?;
/// assert_eq!(read_scalars(dir.path())?[&100]["accuracy"], 0.75);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_scalars(dir: &Path) -> Result<ScalarsByStep, Error> {
    let mut out = ScalarsByStep::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io_error(dir, e)),
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_event_file(p))
        .collect();
    files.sort();
    for file in files {
        read_file(&file, &mut out)?;
    }
    Ok(out)
}

/// A file named like an event file.
fn is_event_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("events.out.tfevents."))
}

/// Reads one event file (never blocking on a FIFO, never past the cap: `regular_file`).
fn read_file(path: &Path, out: &mut ScalarsByStep) -> Result<(), Error> {
    let bytes = crate::regular_file::read_capped(path, "reading eval event files", MAX_EVENT_FILE)?;
    let mut rest = bytes.as_slice();
    while let Some((data, tail)) = next_record(rest) {
        rest = tail;
        let Ok(event) = Event::decode(data) else {
            continue;
        };
        let (Ok(step), Some(What::Summary(summary))) = (u64::try_from(event.step), event.what)
        else {
            continue;
        };
        let scalars = out.entry(step).or_default();
        for value in summary.value {
            if let Some(scalar) = value.simple_value {
                scalars.insert(value.tag, f64::from(scalar));
            }
        }
    }
    Ok(())
}

/// The first record of `bytes` and what follows it, or `None` at the end or at a torn or
/// corrupt record.
fn next_record(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (header, rest) = bytes.split_at_checked(12)?;
    let (length, crc) = header.split_at(8);
    let length_crc = u32::from_le_bytes(crc.try_into().ok()?);
    if masked_crc32c(length) != length_crc {
        return None;
    }
    let length = usize::try_from(u64::from_le_bytes(length.try_into().ok()?)).ok()?;
    let (data, rest) = rest.split_at_checked(length)?;
    let (crc, rest) = rest.split_at_checked(4)?;
    (masked_crc32c(data) == u32::from_le_bytes(crc.try_into().ok()?)).then_some((data, rest))
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::io("reading event files", path, e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::SummaryWriter;

    #[test]
    fn reads_back_what_the_writer_wrote_and_stops_at_a_torn_tail() -> Result<(), Error> {
        let dir = tempfile::tempdir().map_err(|e| io_error(Path::new("tmp"), e))?;
        let mut writer = SummaryWriter::create(dir.path())?;
        writer.scalar("loss", 0.5, 100)?;
        writer.scalar("accuracy", 0.25, 100)?;
        writer.scalar("loss", 0.125, 200)?;
        writer.flush()?;
        let path = writer.path().to_path_buf();
        drop(writer);
        let read = read_scalars(dir.path())?;
        assert_eq!(read.len(), 2);
        assert_eq!(read[&100]["loss"], 0.5);
        assert_eq!(read[&100]["accuracy"], 0.25);
        assert_eq!(read[&200]["loss"], 0.125);
        // Cut the last record in half: the step it held is gone, the others stay.
        let bytes = std::fs::read(&path).map_err(|e| io_error(&path, e))?;
        std::fs::write(&path, &bytes[..bytes.len() - 10]).map_err(|e| io_error(&path, e))?;
        let read = read_scalars(dir.path())?;
        assert_eq!(read.keys().copied().collect::<Vec<_>>(), vec![100]);
        Ok(())
    }

    #[test]
    fn a_missing_directory_has_no_scalars() -> Result<(), Error> {
        assert!(read_scalars(Path::new("/nonexistent/eval"))?.is_empty());
        Ok(())
    }
}
