//! Writing TFRecord files.

use super::{Compression, masked_crc};
use crate::data::error::DataError;
use flate2::write::{GzEncoder, ZlibEncoder};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The compressed or plain byte sink under a writer.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
    Zlib(ZlibEncoder<BufWriter<File>>),
}

impl Sink {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w,
            Sink::Zlib(w) => w,
        }
    }

    fn finish(self) -> std::io::Result<BufWriter<File>> {
        match self {
            Sink::Plain(w) => Ok(w),
            Sink::Gzip(w) => w.finish(),
            Sink::Zlib(w) => w.finish(),
        }
    }
}

/// Writes records to a TFRecord file (TF's `tf.io.TFRecordWriter`). Call
/// [`finish`](Self::finish) to flush the file and end the compressed stream; a writer dropped
/// without it may leave the file incomplete.
pub struct TfRecordWriter {
    path: PathBuf,
    sink: Sink,
}

impl TfRecordWriter {
    /// Creates (or truncates) `path`.
    pub fn create(path: impl AsRef<Path>, compression: Compression) -> Result<Self, DataError> {
        let path = path.as_ref().to_path_buf();
        let file = File::create(&path).map_err(|source| DataError::Io {
            path: path.clone(),
            source,
        })?;
        let file = BufWriter::with_capacity(1 << 16, file);
        let level = flate2::Compression::default();
        let sink = match compression {
            Compression::None => Sink::Plain(file),
            Compression::Gzip => Sink::Gzip(GzEncoder::new(file, level)),
            Compression::Zlib => Sink::Zlib(ZlibEncoder::new(file, level)),
        };
        Ok(TfRecordWriter { path, sink })
    }

    /// Appends one record.
    pub fn write(&mut self, data: &[u8]) -> Result<(), DataError> {
        let length = (data.len() as u64).to_le_bytes();
        let out = self.sink.writer();
        out.write_all(&length)
            .and_then(|()| out.write_all(&masked_crc(&length).to_le_bytes()))
            .and_then(|()| out.write_all(data))
            .and_then(|()| out.write_all(&masked_crc(data).to_le_bytes()))
            .map_err(|source| self.io(source))
    }

    /// Ends the compressed stream and flushes the file to disk.
    pub fn finish(self) -> Result<(), DataError> {
        let path = self.path;
        let io = |source| DataError::Io {
            path: path.clone(),
            source,
        };
        let file = self.sink.finish().map_err(io)?;
        let file = file.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)
    }

    fn io(&self, source: std::io::Error) -> DataError {
        DataError::Io {
            path: self.path.clone(),
            source,
        }
    }
}
