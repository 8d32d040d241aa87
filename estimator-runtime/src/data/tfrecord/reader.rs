//! Reading TFRecord files, checking every CRC and never trusting a length before its CRC.

use super::{Compression, masked_crc};
use crate::data::error::{CorruptKind, DataError};
use flate2::read::{MultiGzDecoder, ZlibDecoder};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Reads the records of one TFRecord file, in order: an iterator of `Result<Vec<u8>, _>`.
///
/// A corrupt record is a [`DataError::Corrupt`] naming the file and the record's byte offset,
/// after which the iterator ends. With [`ignore_errors`](Self::ignore_errors) (TF's
/// `dataset.ignore_errors()`), a record whose data fails its CRC is skipped and reading goes on;
/// a bad length, a truncated record or an unreadable (compressed) stream ends the file, since no
/// later record boundary can be trusted. Either way the skip is counted ([`skipped`](Self::skipped)).
pub struct TfRecordReader {
    path: PathBuf,
    source: Box<dyn Read + Send>,
    offset: u64,
    done: bool,
    ignore_errors: bool,
    skipped: Arc<AtomicU64>,
}

impl TfRecordReader {
    /// Opens `path`, decompressing as `compression` says.
    pub fn open(path: impl AsRef<Path>, compression: Compression) -> Result<Self, DataError> {
        let path = path.as_ref().to_path_buf();
        let file = File::open(&path).map_err(|source| DataError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Self::from_reader(path, file, compression))
    }

    /// Reads records from any byte source; `path` names it in errors.
    pub fn from_reader(
        path: impl Into<PathBuf>,
        source: impl Read + Send + 'static,
        compression: Compression,
    ) -> Self {
        let buffered = BufReader::with_capacity(1 << 16, source);
        let source: Box<dyn Read + Send> = match compression {
            Compression::None => Box::new(buffered),
            Compression::Gzip => Box::new(BufReader::new(MultiGzDecoder::new(buffered))),
            Compression::Zlib => Box::new(BufReader::new(ZlibDecoder::new(buffered))),
        };
        TfRecordReader {
            path: path.into(),
            source,
            offset: 0,
            done: false,
            ignore_errors: false,
            skipped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Skips corrupt records and counts them instead of failing.
    pub fn ignore_errors(mut self, ignore: bool) -> Self {
        self.ignore_errors = ignore;
        self
    }

    /// Counts skipped records into `counter` (shared by the readers of a dataset).
    pub fn count_skipped_into(mut self, counter: Arc<AtomicU64>) -> Self {
        self.skipped = counter;
        self
    }

    /// Records skipped so far by `ignore_errors` (for a shared counter: by every reader).
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// The next record, `Ok(None)` at a clean end of file.
    fn read_record(&mut self) -> Result<Option<Vec<u8>>, RecordFault> {
        let mut header = [0u8; 12];
        match read_full(&mut self.source, &mut header)? {
            0 => return Ok(None),
            12 => {}
            _ => return Err(RecordFault::Corrupt(CorruptKind::TruncatedHeader)),
        }
        let (length, length_crc) = header.split_at(8);
        if masked_crc(length) != u32_le(length_crc) {
            return Err(RecordFault::Corrupt(CorruptKind::LengthCrc));
        }
        let length = u64::from_le_bytes(length.try_into().unwrap_or([0; 8]));
        // Grows only as the stream really holds bytes: a lying length cannot allocate.
        let mut data = Vec::new();
        (&mut self.source).take(length).read_to_end(&mut data)?;
        let mut crc = [0u8; 4];
        if (data.len() as u64) < length || read_full(&mut self.source, &mut crc)? < 4 {
            return Err(RecordFault::Corrupt(CorruptKind::TruncatedData));
        }
        self.offset += 16 + length;
        if masked_crc(&data) != u32_le(&crc) {
            return Err(RecordFault::BadData);
        }
        Ok(Some(data))
    }

    /// Turns a fault into the error (or, with `ignore_errors`, a count) it is.
    fn fault(&mut self, start: u64, fault: RecordFault) -> Option<Result<Vec<u8>, DataError>> {
        let resumable = matches!(fault, RecordFault::BadData);
        self.done = !resumable || !self.ignore_errors;
        if self.ignore_errors {
            self.skipped.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let path = self.path.clone();
        Some(Err(match fault {
            RecordFault::Io(source) => DataError::Io { path, source },
            RecordFault::BadData => DataError::Corrupt {
                path,
                offset: start,
                kind: CorruptKind::DataCrc,
            },
            RecordFault::Corrupt(kind) => DataError::Corrupt {
                path,
                offset: start,
                kind,
            },
        }))
    }
}

impl Iterator for TfRecordReader {
    type Item = Result<Vec<u8>, DataError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let start = self.offset;
            match self.read_record() {
                Ok(Some(record)) => return Some(Ok(record)),
                Ok(None) => self.done = true,
                Err(fault) => {
                    if let Some(error) = self.fault(start, fault) {
                        return Some(error);
                    }
                }
            }
        }
        None
    }
}

/// Why a record could not be read.
enum RecordFault {
    Io(std::io::Error),
    Corrupt(CorruptKind),
    /// The data's CRC failed; the next record starts right after it.
    BadData,
}

impl From<std::io::Error> for RecordFault {
    fn from(e: std::io::Error) -> Self {
        RecordFault::Io(e)
    }
}

fn u32_le(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes.try_into().unwrap_or([0; 4]))
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
fn read_full(source: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
