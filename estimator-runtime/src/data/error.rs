//! Errors of input pipelines: a corrupt TFRecord, a bad `tf.Example`, a file that cannot be
//! read, a pipeline stage that failed.

use std::path::PathBuf;

/// What is wrong with one TFRecord record, at a byte offset of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptKind {
    /// The file ends inside a record's 12-byte header (length and its CRC).
    TruncatedHeader,
    /// The length's masked CRC32C does not match.
    LengthCrc,
    /// The file ends inside a record's data or its CRC.
    TruncatedData,
    /// The data's masked CRC32C does not match.
    DataCrc,
}

impl std::fmt::Display for CorruptKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CorruptKind::TruncatedHeader => "truncated record header",
            CorruptKind::LengthCrc => "corrupted record length (CRC32C mismatch)",
            CorruptKind::TruncatedData => "truncated record data",
            CorruptKind::DataCrc => "corrupted record data (CRC32C mismatch)",
        })
    }
}

/// An input pipeline failed: reading or writing a file, a corrupt record, a `tf.Example` that
/// does not match its parse spec, or a user stage's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A TFRecord record is corrupt (TF's `DataLossError`). `offset` is the record's first
    /// byte in the (decompressed) stream. Use `ignore_errors` to skip such records.
    #[error(
        "{}: {kind} at byte {offset} (of the decompressed stream for a compressed file); the file is damaged: re-create it, or set `ignore_errors` to skip bad records",
        path.display()
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The record's first byte.
        offset: u64,
        /// What is wrong.
        kind: CorruptKind,
    },
    /// A glob pattern is malformed, or matches no file (TF's `list_files` error).
    #[error("file pattern `{pattern}`: {reason}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// What is wrong.
        reason: String,
    },
    /// A record is not a valid `tf.Example` or does not match the parse spec.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A feature-column batch could not be built or combined.
    #[error(transparent)]
    Feature(#[from] crate::feature_column::FeatureError),
    /// A pipeline stage (a `map` function, say) failed.
    #[error("input pipeline: {0}")]
    Stage(String),
    /// A background thread of the pipeline (prefetch, parallel map) panicked.
    #[error("input pipeline: a {0} thread panicked")]
    ThreadPanicked(&'static str),
}

/// A `tf.Example` record that cannot be parsed by its spec; names the feature and the record's
/// index in the batch (TF's `InvalidArgumentError` from `parse_example`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The bytes are not a serialized `tf.Example` (or `SequenceExample`).
    #[error("record {record}: not a serialized tf.Example: {reason}")]
    NotAnExample {
        /// The record's index.
        record: usize,
        /// prost's decode error.
        reason: String,
    },
    /// A required (`FixedLen` without default) feature is absent.
    #[error(
        "record {record}: feature `{feature}` is required but missing (give its FixedLen spec a default to allow that)"
    )]
    Missing {
        /// The feature.
        feature: String,
        /// The record's index.
        record: usize,
    },
    /// A `FixedLen` feature holds a different number of values than its shape.
    #[error(
        "record {record}: feature `{feature}` has {found} values, its FixedLen shape needs {expected}"
    )]
    WrongLength {
        /// The feature.
        feature: String,
        /// The record's index.
        record: usize,
        /// Values the shape needs.
        expected: usize,
        /// Values found.
        found: usize,
    },
    /// A feature holds another kind of list than its spec's dtype.
    #[error("record {record}: feature `{feature}` is a {found}, its spec needs a {expected}")]
    WrongType {
        /// The feature.
        feature: String,
        /// The record's index.
        record: usize,
        /// The list the spec needs (`float_list`, `int64_list`, `bytes_list`).
        expected: &'static str,
        /// The list found.
        found: &'static str,
    },
    /// A bytes feature is not UTF-8 (a `FeatureBatch` holds strings).
    #[error("record {record}: feature `{feature}` holds bytes that are not UTF-8 text")]
    NotUtf8 {
        /// The feature.
        feature: String,
        /// The record's index.
        record: usize,
    },
    /// A spec that cannot be used: a default of the wrong size or dtype, a dtype the batch has
    /// no column for, two feature columns asking different things of one key.
    #[error("parse spec for `{feature}`: {reason}")]
    InvalidSpec {
        /// The feature.
        feature: String,
        /// What is wrong.
        reason: String,
    },
}

impl From<DataError> for crate::Error {
    fn from(e: DataError) -> Self {
        crate::Error::Input(e.to_string())
    }
}
