//! The event files of an Estimator run, read back in pure Rust: TFRecord framing, the masked
//! CRC-32C of each length and each payload, and the decoded `tensorflow.Event` values. The
//! reader here is written from TF's specs alone (no code shared with the writer), so it runs
//! everywhere; `tests/tensorboard.rs` adds TensorBoard's own reader where Python has it.

mod common;

use common::*;
use estimator_runtime::prelude::*;
use estimator_runtime::summary::SummaryWriter;
use std::path::Path;

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.
fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// TF's mask (`tensorflow/core/lib/hash/crc32c.h`).
fn masked(bytes: &[u8]) -> u32 {
    let crc = crc32c(bytes);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// One decoded `tensorflow.Event`: its step and what it carries.
#[derive(Debug, PartialEq)]
enum Event {
    FileVersion(String),
    Scalar { step: i64, tag: String, value: f32 },
    SessionStart { step: i64 },
}

/// The payloads of the TFRecords in `bytes`, each CRC checked.
fn records(mut bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let header = bytes.get(..12).ok_or("truncated header")?;
        let len = u64::from_le_bytes(header[..8].try_into().map_err(|_| "len")?) as usize;
        let len_crc = u32::from_le_bytes(header[8..12].try_into().map_err(|_| "crc")?);
        if len_crc != masked(&header[..8]) {
            return Err(format!("length CRC mismatch at record {}", out.len()));
        }
        let data = bytes.get(12..12 + len).ok_or("truncated data")?;
        let crc = bytes.get(12 + len..16 + len).ok_or("truncated data CRC")?;
        if u32::from_le_bytes(crc.try_into().map_err(|_| "crc")?) != masked(data) {
            return Err(format!("data CRC mismatch at record {}", out.len()));
        }
        out.push(data);
        bytes = &bytes[16 + len..];
    }
    Ok(out)
}

/// Protobuf fields of one message: (field number, wire value).
enum Field<'a> {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(&'a [u8]),
}

fn varint(bytes: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first().ok_or("truncated varint")?;
        *bytes = rest;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint too long".into())
}

fn fields(mut bytes: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let key = varint(&mut bytes)?;
        let take = |bytes: &mut &'_ [u8], n: usize| -> Result<Vec<u8>, String> {
            let head = bytes.get(..n).ok_or("truncated field")?.to_vec();
            *bytes = &bytes[n..];
            Ok(head)
        };
        let field = match key & 7 {
            0 => Field::Varint(varint(&mut bytes)?),
            1 => Field::Fixed64(u64::from_le_bytes(
                take(&mut bytes, 8)?.try_into().map_err(|_| "f64")?,
            )),
            5 => Field::Fixed32(u32::from_le_bytes(
                take(&mut bytes, 4)?.try_into().map_err(|_| "f32")?,
            )),
            2 => {
                let n = varint(&mut bytes)? as usize;
                let data = bytes.get(..n).ok_or("truncated bytes")?;
                bytes = &bytes[n..];
                Field::Bytes(data)
            }
            t => return Err(format!("wire type {t}")),
        };
        out.push((key >> 3, field));
    }
    Ok(out)
}

/// `tensorflow.Event` (event.proto): wall_time 1, step 2, file_version 3, summary 5,
/// session_log 6; `Summary.value` 1 { tag 1, simple_value 2 }; `SessionLog.status` 1.
fn decode(record: &[u8]) -> Result<Event, String> {
    let mut step = 0i64;
    let mut what = None;
    for (number, field) in fields(record)? {
        match (number, field) {
            (1, Field::Fixed64(bits)) if f64::from_bits(bits) > 1.0e9 => {}
            (1, _) => return Err("wall_time is not a recent Unix time".into()),
            (2, Field::Varint(v)) => step = v as i64,
            (3, Field::Bytes(b)) => {
                what = Some(Event::FileVersion(String::from_utf8_lossy(b).into_owned()))
            }
            (5, Field::Bytes(summary)) => what = Some(decode_scalar(summary)?),
            (6, Field::Bytes(log)) => match fields(log)?.as_slice() {
                [(1, Field::Varint(1))] => what = Some(Event::SessionStart { step: 0 }),
                _ => return Err("a SessionLog other than START".into()),
            },
            (n, _) => return Err(format!("unexpected Event field {n}")),
        }
    }
    Ok(match what.ok_or("an Event with nothing in it")? {
        Event::Scalar { tag, value, .. } => Event::Scalar { step, tag, value },
        Event::SessionStart { .. } => Event::SessionStart { step },
        other => other,
    })
}

fn decode_scalar(summary: &[u8]) -> Result<Event, String> {
    let values = fields(summary)?;
    let [(1, Field::Bytes(value))] = values.as_slice() else {
        return Err("a Summary without exactly one value".into());
    };
    let (mut tag, mut simple) = (None, None);
    for (number, field) in fields(value)? {
        match (number, field) {
            (1, Field::Bytes(b)) => tag = Some(String::from_utf8_lossy(b).into_owned()),
            (2, Field::Fixed32(bits)) => simple = Some(f32::from_bits(bits)),
            (n, _) => return Err(format!("unexpected Summary.Value field {n}")),
        }
    }
    Ok(Event::Scalar {
        step: 0,
        tag: tag.ok_or("no tag")?,
        value: simple.ok_or("no simple_value")?,
    })
}

/// Every event of every event file directly in `dir`.
fn read_dir_events(dir: &Path) -> Result<Vec<Event>, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("events.out.tfevents."))
        })
        .collect();
    files.sort();
    let mut events = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).map_err(|e| e.to_string())?;
        for record in records(&bytes)? {
            events.push(decode(record)?);
        }
    }
    Ok(events)
}

fn scalars(events: &[Event], wanted: &str) -> Vec<(i64, f32)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Scalar { step, tag, value } if tag == wanted => Some((*step, *value)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_crc_matches_the_standard_check_value() {
    assert_eq!(crc32c(b"123456789"), 0xe306_9283);
    assert_eq!(masked(b""), 0xa282_ead8);
}

#[test]
fn a_writer_file_reads_back_exactly() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut writer = SummaryWriter::create(dir.path())?;
    writer.scalar("loss", 0.5, 1)?;
    writer.session_log_start(1)?;
    writer.scalar("loss", 0.25, 2)?;
    writer.flush()?;
    let events = read_dir_events(dir.path())?;
    let expected = [
        Event::FileVersion("brain.Event:2".into()),
        Event::Scalar {
            step: 1,
            tag: "loss".into(),
            value: 0.5,
        },
        Event::SessionStart { step: 1 },
        Event::Scalar {
            step: 2,
            tag: "loss".into(),
            value: 0.25,
        },
    ];
    assert_eq!(events, expected);
    Ok(())
}

#[test]
fn a_flipped_bit_is_caught_by_the_reader() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut writer = SummaryWriter::create(dir.path())?;
    writer.scalar("loss", 0.5, 1)?;
    writer.flush()?;
    let mut bytes = std::fs::read(writer.path())?;
    let last = bytes.len() - 6;
    bytes[last] ^= 1;
    assert!(records(&bytes).is_err(), "the data CRC must catch it");
    Ok(())
}

#[test]
fn an_estimator_run_writes_event_files_that_read_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = iris();
    let cfg = config(dir.path()).save_summary_steps(10);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), cfg).expect("estimator");
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(30))
        .expect("train");
    est.evaluate(vec![batch(&rows, &device())], EvalArgs::default())
        .expect("evaluate");
    let train = read_dir_events(dir.path()).expect("train events");
    assert_eq!(train[0], Event::FileVersion("brain.Event:2".into()));
    let loss = scalars(&train, "loss");
    let steps: Vec<i64> = loss.iter().map(|(s, _)| *s).collect();
    // TF's SummarySaverHook: the call's first step, then every 10 after it.
    assert_eq!(steps, [1, 11, 21], "{train:?}");
    assert!(
        loss.iter().all(|(_, v)| v.is_finite() && *v > 0.0),
        "{loss:?}"
    );
    assert_eq!(scalars(&train, "learning_rate").len(), 3, "{train:?}");
    let eval = read_dir_events(&dir.path().join("eval")).expect("eval events");
    let accuracy = scalars(&eval, "accuracy");
    assert_eq!(accuracy.len(), 1, "{eval:?}");
    assert_eq!(accuracy[0].0, 30);
    assert!((0.0..=1.0).contains(&accuracy[0].1));
}

/// The summary steps of two calls, 30 then 25 steps with `save_summary_steps` 10, are TF 2.15's
/// for the same calls (a `DNNClassifier` trained so writes `loss` at 1, 11, 21, 31, 41, 51, and
/// `global_step/sec` at 11, 21, 41, 51): each call starts its own schedule.
#[test]
fn every_call_writes_summaries_at_its_first_step_then_every_n_as_tf() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = config(dir.path())
        .save_summary_steps(10)
        .log_step_count_steps(10);
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), cfg).expect("estimator");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(30))
        .expect("first call");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(25))
        .expect("second call");
    let train = read_dir_events(dir.path()).expect("train events");
    let steps = |tag: &str| -> Vec<i64> { scalars(&train, tag).iter().map(|(s, _)| *s).collect() };
    assert_eq!(steps("loss"), [1, 11, 21, 31, 41, 51], "{train:?}");
    assert_eq!(steps("global_step/sec"), [11, 21, 41, 51], "{train:?}");
}
