use super::*;
use crate::data::error::{CorruptKind, DataError};

fn write(path: &Path, compression: Compression, records: &[&[u8]]) {
    let mut writer = TfRecordWriter::create(path, compression).unwrap();
    for r in records {
        writer.write(r).unwrap();
    }
    writer.finish().unwrap();
}

fn read(bytes: Vec<u8>, ignore: bool) -> (Vec<Result<Vec<u8>, DataError>>, u64) {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let reader = TfRecordReader::from_reader("mem", std::io::Cursor::new(bytes), Compression::None)
        .ignore_errors(ignore)
        .count_skipped_into(counter.clone());
    let out = reader.collect();
    (out, counter.load(std::sync::atomic::Ordering::Relaxed))
}

const RECORDS: [&[u8]; 3] = [b"alpha", b"", b"gamma gamma"];

fn plain() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.tfrecord");
    write(&path, Compression::None, &RECORDS);
    std::fs::read(path).unwrap()
}

#[test]
fn every_compression_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    for compression in [Compression::None, Compression::Gzip, Compression::Zlib] {
        let path = dir.path().join(format!("r-{compression:?}"));
        write(&path, compression, &RECORDS);
        let back: Vec<Vec<u8>> = TfRecordReader::open(&path, compression)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(back, RECORDS.map(<[u8]>::to_vec), "{compression:?}");
    }
}

#[test]
fn framing_is_tfs() {
    let bytes = plain();
    // 16 bytes of framing per record.
    assert_eq!(bytes.len(), 5 + 11 + 3 * 16);
    assert_eq!(&bytes[..8], &5u64.to_le_bytes());
    // TF's masked CRC32C of the 8 length bytes of an empty record (crc32c::Mask in TF).
    let empty_header = &bytes[21..33];
    assert_eq!(&empty_header[..8], &[0; 8]);
    let crc = crc32c::crc32c(&[0; 8]);
    // TF's formula as tensorflow/core/lib/hash/crc32c.h writes it, independent of `masked_crc`.
    #[allow(clippy::manual_rotate)]
    let masked = ((crc >> 15) | (crc << 17)).wrapping_add(0xa282ead8);
    assert_eq!(&empty_header[8..], &masked.to_le_bytes());
}

#[test]
fn a_flipped_data_byte_is_a_data_crc_error_at_the_records_offset() {
    let mut bytes = plain();
    bytes[37 + 12 + 3] ^= 0x40; // third record's data
    let (out, _) = read(bytes, false);
    assert_eq!(out.len(), 3);
    match &out[2] {
        Err(DataError::Corrupt { offset, kind, path }) => {
            assert_eq!((*offset, *kind), (37, CorruptKind::DataCrc));
            assert_eq!(path, Path::new("mem"));
        }
        other => panic!("expected a CRC error, got {other:?}"),
    }
    let message = out[2].as_ref().unwrap_err().to_string();
    assert!(
        message.contains("mem") && message.contains("byte 37"),
        "{message}"
    );
}

#[test]
fn a_flipped_length_byte_is_a_length_crc_error() {
    let mut bytes = plain();
    bytes[21] ^= 1; // second record's length
    let (out, _) = read(bytes, false);
    assert!(matches!(
        out[1],
        Err(DataError::Corrupt {
            offset: 21,
            kind: CorruptKind::LengthCrc,
            ..
        })
    ));
    assert_eq!(out.len(), 2, "reading stops after a corrupt record");
}

#[test]
fn every_truncation_is_an_error_never_a_short_read() {
    let bytes = plain();
    let ends = [0, 21, 37, bytes.len()];
    for cut in 0..bytes.len() {
        let (out, _) = read(bytes[..cut].to_vec(), false);
        let clean = ends.contains(&cut);
        let last = out.last();
        assert_eq!(
            clean,
            last.is_none_or(Result::is_ok),
            "cut at {cut}: {last:?}"
        );
        if let Some(Err(DataError::Corrupt { offset, kind, .. })) = last {
            assert!(
                ends.contains(&(*offset as usize)),
                "cut {cut}: offset {offset}"
            );
            assert!(matches!(
                kind,
                CorruptKind::TruncatedHeader | CorruptKind::TruncatedData
            ));
        }
    }
}

#[test]
fn ignore_errors_skips_a_bad_record_and_counts_it() {
    let mut bytes = plain();
    bytes[12] ^= 1; // first record's data
    let (out, skipped) = read(bytes, true);
    let good: Vec<Vec<u8>> = out.into_iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(good, [b"".to_vec(), b"gamma gamma".to_vec()]);
    assert_eq!(skipped, 1);
}

#[test]
fn ignore_errors_ends_a_file_at_a_bad_length() {
    let mut bytes = plain();
    bytes[0] ^= 1;
    let (out, skipped) = read(bytes, true);
    assert!(out.is_empty());
    assert_eq!(skipped, 1);
}

#[test]
fn a_corrupt_gzip_stream_is_an_io_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.tfrecord.gz");
    write(&path, Compression::Gzip, &RECORDS);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    let out: Vec<_> = TfRecordReader::open(&path, Compression::from_path(&path))
        .unwrap()
        .collect();
    let error = out.into_iter().find_map(Result::err).expect("an error");
    assert!(error.to_string().contains("r.tfrecord.gz"), "{error}");
}

#[test]
fn compression_names_are_tfs() {
    assert_eq!(Compression::from_tf_name("GZIP"), Some(Compression::Gzip));
    assert_eq!(Compression::from_tf_name("zlib"), Some(Compression::Zlib));
    assert_eq!(Compression::from_tf_name(""), Some(Compression::None));
    assert_eq!(Compression::from_tf_name("LZ4"), None);
    assert_eq!(
        Compression::from_path(Path::new("a.tfrecord.gz")),
        Compression::Gzip
    );
}
