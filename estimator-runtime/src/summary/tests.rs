//! Round trip: files written by [`SummaryWriter`] parse back with an independent reader.

use super::SummaryWriter;
use super::proto::{Event, SESSION_START, SessionLog, Summary, SummaryValue, What};
use prost::Message;
use std::path::Path;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Reads the TFRecords of `bytes`, checking both masked CRCs of each, written independently of
/// `record.rs` (mask from TF's `crc32c.h`).
fn read_records(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let masked = |b: &[u8]| crc32c::crc32c(b).rotate_right(15).wrapping_add(0xa282_ead8);
    let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let mut records = Vec::new();
    while !bytes.is_empty() {
        let (header, rest) = bytes.split_at(12);
        assert_eq!(u32_at(&header[8..]), masked(&header[..8]), "length crc");
        let mut len = [0u8; 8];
        len.copy_from_slice(&header[..8]);
        let (data, rest) = rest.split_at(u64::from_le_bytes(len) as usize);
        assert_eq!(u32_at(rest), masked(data), "data crc");
        records.push(data.to_vec());
        bytes = &rest[4..];
    }
    records
}

fn read_events(path: &Path) -> Result<Vec<Event>, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    let records = read_records(&bytes);
    let events = records.iter().map(|r| Event::decode(r.as_slice()));
    Ok(events.collect::<Result<_, _>>()?)
}

fn scalar_of(event: &Event) -> (i64, &str, f32) {
    match &event.what {
        Some(What::Summary(Summary { value })) => match value.as_slice() {
            [
                SummaryValue {
                    tag,
                    simple_value: Some(value),
                    histo: None,
                },
            ] => (event.step, tag, *value),
            other => panic!("expected one value, got {other:?}"),
        },
        other => panic!("expected a summary, got {other:?}"),
    }
}

#[test]
fn written_file_parses_back() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut writer = SummaryWriter::create(dir.path())?;
    writer.scalar("loss", 0.5, 1)?;
    writer.scalar("loss", 0.25, 2)?;
    writer.flush()?;
    let events = read_events(writer.path())?;
    assert_eq!(events.len(), 3);
    let version = Some(What::FileVersion("brain.Event:2".into()));
    assert_eq!(events[0].what, version);
    assert!(events[0].wall_time > 1.0e9);
    assert_eq!(scalar_of(&events[1]), (1, "loss", 0.5));
    assert_eq!(scalar_of(&events[2]), (2, "loss", 0.25));
    Ok(())
}

#[test]
fn drop_flushes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut writer = SummaryWriter::create(&dir.path().join("eval"))?;
    writer.scalar("accuracy", 0.75, 7)?;
    let path = writer.path().to_path_buf();
    drop(writer);
    let events = read_events(&path)?;
    assert_eq!(scalar_of(&events[1]), (7, "accuracy", 0.75));
    Ok(())
}

#[test]
fn writers_in_one_directory_get_distinct_files() -> TestResult {
    let dir = tempfile::tempdir()?;
    let a = SummaryWriter::create(dir.path())?;
    let b = SummaryWriter::create(dir.path())?;
    assert_ne!(a.path(), b.path());
    Ok(())
}

#[test]
fn create_under_a_file_is_an_io_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x")?;
    let result = SummaryWriter::create(&file.join("logs"));
    assert!(matches!(result, Err(crate::Error::Io { .. })), "{result:?}");
    Ok(())
}

#[test]
fn a_quiet_writer_s_events_reach_the_file_within_the_interval() -> TestResult {
    let dir = tempfile::tempdir()?;
    let interval = std::time::Duration::from_millis(50);
    let mut writer = SummaryWriter::create_for_test(dir.path(), interval)?;
    writer.scalar("loss", 0.5, 1)?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::fs::metadata(writer.path())?.len() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(interval);
    }
    let events = read_events(writer.path())?;
    assert_eq!(events.len(), 2, "on disk while the writer is open and idle");
    assert_eq!(scalar_of(&events[1]), (1, "loss", 0.5));
    Ok(())
}

#[test]
fn events_stay_buffered_until_the_interval() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut writer = SummaryWriter::create(dir.path())?;
    writer.scalar("loss", 0.5, 1)?;
    assert_eq!(
        std::fs::metadata(writer.path())?.len(),
        0,
        "not one write per event"
    );
    Ok(())
}

#[test]
fn the_default_flush_interval_is_at_most_30_seconds() {
    assert!(super::FLUSH_INTERVAL <= std::time::Duration::from_secs(30));
}

#[test]
fn session_log_start_is_written_and_flushed() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut writer = SummaryWriter::create(dir.path())?;
    writer.scalar("loss", 0.5, 100)?;
    writer.session_log_start(100)?;
    let events = read_events(writer.path())?;
    assert_eq!(events.len(), 3, "flushed by session_log_start");
    assert_eq!(events[2].step, 100);
    let start = Some(What::SessionLog(SessionLog {
        status: SESSION_START,
    }));
    assert_eq!(events[2].what, start);
    Ok(())
}
