//! Errors of feature columns: what a batch or a column definition got wrong.

/// A feature column could not encode a batch, or a column set cannot be used where it was given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FeatureError {
    /// The batch has a column no feature column reads (TF accepts it silently; we name it, so a
    /// typo in a key is found at once).
    #[error("unknown feature `{name}`: no feature column reads it (known: {known:?})")]
    UnknownColumn {
        /// The batch's column name.
        name: String,
        /// The names the feature columns read.
        known: Vec<String>,
    },
    /// A feature column's key is not in the batch.
    #[error("missing feature `{name}`: the batch has no column of that name (it has {present:?})")]
    MissingColumn {
        /// The key the feature column reads.
        name: String,
        /// The batch's column names.
        present: Vec<String>,
    },
    /// A column holds values of the wrong type (strings for a numeric column, say).
    #[error("feature `{name}` holds {found} values, but its feature column needs {expected}")]
    WrongDtype {
        /// The column's name.
        name: String,
        /// What the feature column needs.
        expected: &'static str,
        /// What the batch holds.
        found: &'static str,
    },
    /// A column has a different number of values than the batch has examples (times its shape).
    #[error("feature `{name}` has {found} values, expected {expected}")]
    WrongLength {
        /// The column's name.
        name: String,
        /// Examples × the column's shape.
        expected: usize,
        /// Values found.
        found: usize,
    },
    /// A categorical value outside its vocabulary (or identity range), with no OOV bucket nor
    /// default value to put it in.
    #[error(
        "feature `{name}`: value `{value}` is out of vocabulary and the column has no OOV bucket (set `num_oov_buckets` or `default_value`)"
    )]
    OutOfVocabulary {
        /// The column's name.
        name: String,
        /// The value.
        value: String,
    },
    /// A label outside the head's `label_vocabulary` or class range.
    #[error("label `{value}` is not one of the head's classes ({classes})")]
    UnknownLabel {
        /// The label.
        value: String,
        /// The classes the head knows.
        classes: String,
    },
    /// A feature column that this model cannot consume (TF's "Items of feature_columns must be a
    /// DenseColumn" for a bare categorical column given to a DNN, say).
    #[error("feature column `{name}` cannot be used by {model}: {reason}")]
    UnsupportedColumn {
        /// The column's name.
        name: String,
        /// The model part that was given it (`dnn`, `linear`).
        model: &'static str,
        /// What to do instead.
        reason: &'static str,
    },
    /// Two feature columns share a name.
    #[error("feature column name `{name}` is used twice")]
    DuplicateColumn {
        /// The name.
        name: String,
    },
    /// A column definition that makes no sense (no buckets, unsorted boundaries, ...).
    #[error("feature column `{name}`: {reason}")]
    InvalidColumn {
        /// The column's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A CSV that [`read_csv`](super::read_csv) refuses: a duplicated header name, a row
    /// whose field count differs from the header's, a number overflowing `f32`, no rows, a
    /// header over the column limit.
    #[error("CSV line {line}: {reason}")]
    Csv {
        /// The 1-based line of the input.
        line: usize,
        /// What is wrong (an offending value quoted by its first characters only).
        reason: String,
    },
    /// Reading or writing saved column definitions failed.
    #[error("feature columns file `{path}`: {reason}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}
