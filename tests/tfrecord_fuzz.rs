//! Fuzz: corrupted and truncated TFRecord files (plain, GZIP, ZLIB) of tf.Examples, and
//! mutated Example protos. Every case must end in records and batches, a typed error
//! (`DataError`, `ParseError`), or records counted by `ignore_errors`: no panic (a panic hook
//! counts them), no hang (each case is timed), and no silent short read (a damaged plain file
//! that yields no error and skips nothing must yield exactly the original records).
//!
//! `FUZZ_CASES` sets the number of cases of each kind (default 2,500; CI runs 10,000),
//! `FUZZ_SEED` the seed. In a test binary of its own: the panic hook is process-wide.

use estimator_runtime::data::example::{Example, Feature};
use estimator_runtime::data::*;
use estimator_runtime::feature_column::ColumnValues;
use prost::Message;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CASE_LIMIT: Duration = Duration::from_secs(20);

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn example(rng: &mut Rng) -> Example {
    let mut features = vec![(
        "island",
        Feature::bytes([["Biscoe", "Dream"][rng.below(2)]]),
    )];
    if rng.below(4) > 0 {
        features.push(("mass", Feature::floats([rng.below(6000) as f32])));
    }
    let ids = (0..rng.below(4)).map(|_| rng.below(100) as i64);
    features.push(("ids", Feature::int64s(ids.collect::<Vec<_>>())));
    Example::from_features(features)
}

fn spec() -> ParseSpec {
    ParseSpec::from([
        ("island".into(), FeatureSpec::fixed([], DType::String)),
        (
            "mass".into(),
            FeatureSpec::fixed([1], DType::Float32).with_default(ColumnValues::Float(vec![0.0])),
        ),
        ("ids".into(), FeatureSpec::var_len(DType::Int64)),
    ])
}

/// A TFRecord file's bytes (through the real writer) and its records.
fn tfrecord(
    rng: &mut Rng,
    dir: &std::path::Path,
    compression: Compression,
) -> (Vec<u8>, Vec<Vec<u8>>) {
    let records: Vec<Vec<u8>> = (0..1 + rng.below(6))
        .map(|_| example(rng).encode_to_vec())
        .collect();
    let path = dir.join("f");
    let mut writer = TfRecordWriter::create(&path, compression).expect("test setup");
    records
        .iter()
        .for_each(|r| writer.write(r).expect("test setup"));
    writer.finish().expect("test setup");
    (std::fs::read(&path).expect("test setup"), records)
}

/// Flips, overwrites, inserts, deletes or truncates.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(3) {
        if bytes.is_empty() {
            return;
        }
        let at = rng.below(bytes.len());
        match rng.below(5) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = rng.next() as u8,
            2 => bytes.insert(at, rng.next() as u8),
            3 => {
                bytes.remove(at);
            }
            _ => bytes.truncate(at),
        }
    }
}

#[derive(Default)]
struct Tally {
    records_ok: usize,
    corrupt: usize,
    io: usize,
    parse: usize,
    skipped: u64,
    intact: usize,
}

fn file_case(rng: &mut Rng, dir: &std::path::Path, tally: &mut Tally) {
    let compression = [Compression::None, Compression::Gzip, Compression::Zlib][rng.below(3)];
    let ignore = rng.below(2) == 0;
    let (mut bytes, original) = tfrecord(rng, dir, compression);
    let pristine = bytes.clone();
    mutate(rng, &mut bytes);
    let counter = Arc::new(AtomicU64::new(0));
    let reader =
        TfRecordReader::from_reader("fuzz", std::io::Cursor::new(bytes.clone()), compression)
            .ignore_errors(ignore)
            .count_skipped_into(Arc::clone(&counter));
    let mut read = Vec::new();
    let mut failed = false;
    for item in reader {
        match item {
            Ok(r) => read.push(r),
            Err(DataError::Corrupt { .. }) => {
                tally.corrupt += 1;
                failed = true;
            }
            Err(DataError::Io { .. }) => {
                tally.io += 1;
                failed = true;
            }
            Err(other) => panic!("unexpected error kind: {other}"),
        }
    }
    assert!(!(ignore && failed), "ignore_errors let an error through");
    let skipped = counter.load(Ordering::Relaxed);
    tally.skipped += skipped;
    tally.records_ok += read.len();
    if compression == Compression::None && !failed && skipped == 0 {
        // Only a cut exactly at a record boundary goes unnoticed (as in TF): what was read is
        // then exactly the records before the cut.
        let framed: usize = read.iter().map(|r| r.len() + 16).sum();
        let cut_at_boundary = pristine.starts_with(&bytes) && framed == bytes.len();
        assert!(
            read == original || (cut_at_boundary && original.starts_with(&read)),
            "silent short or wrong read: {} of {} records",
            read.len(),
            original.len()
        );
        tally.intact += 1;
    }
    if parse_example(&read, &spec()).is_err() {
        tally.parse += 1;
    }
}

fn proto_case(rng: &mut Rng, tally: &mut Tally) {
    let mut bytes = example(rng).encode_to_vec();
    mutate(rng, &mut bytes);
    match parse_example(&[bytes], &spec()) {
        Ok(batch) => assert_eq!(batch.len(), 1),
        Err(_) => tally.parse += 1,
    }
}

#[test]
fn corrupted_tfrecords_and_examples_are_typed_errors_never_panics() {
    let cases = env("FUZZ_CASES", 2_500) as usize;
    let seed = env("FUZZ_SEED", 0x7f4a_7c15);
    let panics = Arc::new(AtomicUsize::new(0));
    let hook_count = Arc::clone(&panics);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        hook_count.fetch_add(1, Ordering::SeqCst);
        default_hook(info);
    }));
    let dir = tempfile::tempdir().expect("test setup");
    let mut rng = Rng(seed | 1);
    let mut tally = Tally::default();
    for case in 0..cases {
        let start = Instant::now();
        file_case(&mut rng, dir.path(), &mut tally);
        proto_case(&mut rng, &mut tally);
        assert!(start.elapsed() < CASE_LIMIT, "case {case} hung");
    }
    let _ = std::io::stderr().flush();
    eprintln!(
        "{cases} TFRecord files + {cases} Example protos: {} records read, {} corrupt-record errors, {} stream errors, {} skipped by ignore_errors, {} parse errors, {} plain files read without error (intact, or cut at a record boundary)",
        tally.records_ok, tally.corrupt, tally.io, tally.skipped, tally.parse, tally.intact
    );
    assert_eq!(panics.load(Ordering::SeqCst), 0, "panics while reading");
    assert!(
        tally.corrupt > 0 && tally.skipped > 0 && tally.parse > 0,
        "the fuzz reached every path"
    );
}
