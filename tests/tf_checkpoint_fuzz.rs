//! Fuzz of the TF checkpoint reader (issue 24): the TF-written fixture checkpoint
//! (`tests/fixtures/tf/reader`, float32/float64/int32/int64 and a partitioned variable) and a
//! Snappy-compressed rewrite of its index, corrupted many ways: bytes flipped (raw, and with the
//! block CRC recomputed so that the block and proto decoding is reached), truncated, extended,
//! overwritten with extreme varints, data shards truncated or flipped. Each case opens the
//! checkpoint and reads every listed tensor; each must end in `Ok` or a typed
//! `TfCheckpointError`: no panic (a panic hook counts them, also caught ones), no hang (a
//! watchdog bounds each case).
//!
//! `FUZZ_CASES` sets the number of cases (default 2,500; CI sets 10,000), `FUZZ_SEED` the seed.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns read fixtures

use estimator_runtime::tf_checkpoint::TfCheckpoint;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

const CASE_LIMIT: Duration = Duration::from_secs(20);
const INDEX: &str = "model.ckpt-7.index";
const DATA: &str = "model.ckpt-7.data-00000-of-00001";

/// xorshift64*.
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

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tf/reader")
}

fn varint(input: &mut &[u8]) -> u64 {
    let mut v = 0;
    for shift in (0..64).step_by(7) {
        let b = input[0];
        *input = &input[1..];
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            break;
        }
    }
    v
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn masked_crc(bytes: &[u8]) -> u32 {
    crc32c::crc32c(bytes)
        .rotate_right(15)
        .wrapping_add(0xa282_ead8)
}

/// `(offset, size)` of the index block and of every data block of a table.
fn blocks(table: &[u8]) -> Vec<(usize, usize)> {
    let mut footer = &table[table.len() - 48..];
    varint(&mut footer);
    varint(&mut footer);
    let index = (varint(&mut footer) as usize, varint(&mut footer) as usize);
    let block = &table[index.0..index.0 + index.1];
    let restarts = u32::from_le_bytes(block[block.len() - 4..].try_into().unwrap()) as usize;
    let mut entries = &block[..block.len() - 4 - 4 * restarts];
    let mut out = vec![index];
    while !entries.is_empty() {
        let (_, fresh, len) = (
            varint(&mut entries),
            varint(&mut entries),
            varint(&mut entries),
        );
        let mut value = &entries[fresh as usize..(fresh + len) as usize];
        out.push((varint(&mut value) as usize, varint(&mut value) as usize));
        entries = &entries[(fresh + len) as usize..];
    }
    out
}

fn fix_crc(table: &mut [u8], (offset, size): (usize, usize)) {
    let crc = masked_crc(&table[offset..=offset + size]);
    table[offset + size + 1..offset + size + 5].copy_from_slice(&crc.to_le_bytes());
}

/// The index with its (single) data block Snappy-compressed, as LevelDB writes one.
fn snappy_index(table: &[u8]) -> Vec<u8> {
    let all = blocks(table);
    assert_eq!(all.len(), 2, "the fixture index has one data block");
    let (offset, size) = all[1];
    let mut out = snap::raw::Encoder::new()
        .compress_vec(&table[offset..offset + size])
        .unwrap();
    out.push(1);
    out.extend_from_slice(&masked_crc(&out).to_le_bytes());
    let compressed_len = out.len() - 5;
    let index_at = out.len();
    let mut index = vec![0, 1, 0]; // shared 0, one key byte, value length patched below
    index.push(0xff);
    let mut handle = Vec::new();
    put_varint(&mut handle, 0);
    put_varint(&mut handle, compressed_len as u64);
    index[2] = handle.len() as u8;
    index.extend_from_slice(&handle);
    index.extend_from_slice(&0u32.to_le_bytes());
    index.extend_from_slice(&1u32.to_le_bytes());
    let index_len = index.len();
    out.extend_from_slice(&index);
    out.push(0);
    let crc = masked_crc(&out[index_at..]);
    out.extend_from_slice(&crc.to_le_bytes());
    let mut footer = Vec::new();
    put_varint(&mut footer, 0);
    put_varint(&mut footer, 0);
    put_varint(&mut footer, index_at as u64);
    put_varint(&mut footer, index_len as u64);
    footer.resize(40, 0);
    footer.extend_from_slice(&0xdb47_7524_8b80_fb57u64.to_le_bytes());
    out.extend_from_slice(&footer);
    out
}

/// Every tensor of the checkpoint at `prefix`, read; `Err` for a typed error.
fn read_all(prefix: &Path) -> Result<usize, String> {
    let ckpt = TfCheckpoint::open(prefix).map_err(|e| e.to_string())?;
    let mut first_error = None;
    for v in ckpt.list_variables() {
        if let Err(e) = ckpt.tensor(&v.name) {
            first_error.get_or_insert(e.to_string());
        }
    }
    first_error.map_or(Ok(ckpt.list_variables().len()), Err)
}

#[test]
fn a_snappy_compressed_index_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let index = std::fs::read(fixture().join(INDEX)).unwrap();
    std::fs::write(dir.path().join(INDEX), snappy_index(&index)).unwrap();
    std::fs::copy(fixture().join(DATA), dir.path().join(DATA)).unwrap();
    let plain = TfCheckpoint::open(fixture().join("model.ckpt-7")).unwrap();
    let snappy = TfCheckpoint::open(dir.path().join("model.ckpt-7")).unwrap();
    assert_eq!(plain.list_variables(), snappy.list_variables());
    for v in plain.list_variables() {
        assert_eq!(
            plain.tensor(&v.name).unwrap(),
            snappy.tensor(&v.name).unwrap()
        );
    }
}

/// One corrupted copy of the files.
fn mutate(rng: &mut Rng, indexes: &[Vec<u8>; 2], data: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut index = indexes[rng.below(2)].clone();
    let mut data = data.to_vec();
    let flip = |rng: &mut Rng, bytes: &mut Vec<u8>, range: std::ops::Range<usize>| {
        for _ in 0..1 + rng.below(4) {
            let at = range.start + rng.below(range.len());
            bytes[at] ^= 1 << rng.below(8);
        }
    };
    match rng.below(8) {
        0 => {
            let len = index.len();
            flip(rng, &mut index, 0..len)
        }
        1 | 2 => {
            let all = blocks(&index);
            let block = all[rng.below(all.len())];
            flip(rng, &mut index, block.0..block.0 + block.1.max(1));
            fix_crc(&mut index, block);
        }
        3 => {
            let all = blocks(&index);
            let block = all[rng.below(all.len())];
            let at = block.0 + rng.below(block.1.max(1));
            let extreme = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
            let n = (block.0 + block.1 - at).min(1 + rng.below(10));
            index[at..at + n].copy_from_slice(&extreme[..n]);
            fix_crc(&mut index, block);
        }
        4 => index.truncate(rng.below(index.len())),
        5 => index.extend((0..1 + rng.below(64)).map(|_| rng.next() as u8)),
        6 => data.truncate(rng.below(data.len())),
        _ => {
            let len = data.len();
            flip(rng, &mut data, 0..len)
        }
    }
    (index, data)
}

#[test]
fn corrupted_checkpoints_are_typed_errors_never_panics() {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2500);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    let panics = Arc::new(AtomicUsize::new(0));
    let counter = panics.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let plain = std::fs::read(fixture().join(INDEX)).unwrap();
    let indexes = [snappy_index(&plain), plain];
    let data = std::fs::read(fixture().join(DATA)).unwrap();
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = Rng(seed.max(1));
        let mut outcome = (0usize, 0usize);
        for case in 0..cases {
            let (index, data) = mutate(&mut rng, &indexes, &data);
            std::fs::write(dir.path().join(INDEX), index).unwrap();
            std::fs::write(dir.path().join(DATA), data).unwrap();
            let result = std::panic::catch_unwind(|| read_all(&dir.path().join("model.ckpt-7")));
            match result {
                Ok(Ok(_)) => outcome.0 += 1,
                Ok(Err(_)) => outcome.1 += 1,
                Err(_) => {}
            }
            tx.send(case).unwrap();
        }
        outcome
    });
    for case in 0..cases {
        if rx.recv_timeout(CASE_LIMIT).is_err() {
            panic!("case {case} of seed {seed} hung (or the worker died)");
        }
    }
    let (opened, errors) = worker.join().unwrap();
    let _ = std::panic::take_hook();
    eprintln!("{cases} corrupted checkpoints: {opened} read whole, {errors} typed errors");
    assert_eq!(panics.load(Ordering::SeqCst), 0, "panics in the reader");
    assert_eq!(opened + errors, cases);
    assert!(
        errors > cases / 2,
        "most corruptions must be detected: {errors} of {cases}"
    );
}
