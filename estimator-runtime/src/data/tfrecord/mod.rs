//! TFRecord files (TF's `tf.io.TFRecordWriter` / `TFRecordDataset`): each record is framed as
//! a little-endian `u64` length, the masked CRC32C of those 8 bytes, the data, and the masked
//! CRC32C of the data. Files may be GZIP- or ZLIB-compressed as a whole (`TFRecordOptions`).
//!
//! ```
//! use estimator_runtime::data::{Compression, TfRecordReader, TfRecordWriter};
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("data.tfrecord.gz");
//! let mut writer = TfRecordWriter::create(&path, Compression::Gzip).unwrap();
//! writer.write(b"first").unwrap();
//! writer.write(b"second").unwrap();
//! writer.finish().unwrap();
//! let records: Vec<Vec<u8>> = TfRecordReader::open(&path, Compression::from_path(&path))
//!     .unwrap()
//!     .collect::<Result<_, _>>()
//!     .unwrap();
//! assert_eq!(records, [b"first".to_vec(), b"second".to_vec()]);
//! ```

mod reader;
mod writer;

pub use reader::TfRecordReader;
pub use writer::TfRecordWriter;

use std::path::Path;

/// How a whole TFRecord file is compressed (TF's `compression_type`: `""`, `"GZIP"`, `"ZLIB"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    /// Plain records.
    #[default]
    None,
    /// A gzip stream (RFC 1952).
    Gzip,
    /// A zlib stream (RFC 1950).
    Zlib,
}

impl Compression {
    /// GZIP for a `.gz` file name, otherwise none (TF never guesses; pass the type for ZLIB).
    pub fn from_path(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            _ => Compression::None,
        }
    }

    /// TF's name (`""`, `"GZIP"`, `"ZLIB"`), case-insensitive; `None` for anything else.
    pub fn from_tf_name(name: &str) -> Option<Compression> {
        match name.to_ascii_uppercase().as_str() {
            "" | "NONE" => Some(Compression::None),
            "GZIP" => Some(Compression::Gzip),
            "ZLIB" => Some(Compression::Zlib),
            _ => None,
        }
    }
}

/// TF's CRC mask: rotate right by 15 bits and add a constant (`crc32c::Mask`).
pub(crate) fn masked_crc(bytes: &[u8]) -> u32 {
    let crc = crc32c::crc32c(bytes);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

#[cfg(test)]
mod tests;
