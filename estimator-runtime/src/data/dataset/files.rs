//! Sources that read files: TFRecord files (a list or glob patterns, sharded by file when they
//! can be) and CSV text.

use super::Dataset;
use crate::data::error::DataError;
use crate::data::tfrecord::{Compression, TfRecordReader};
use crate::distribute::InputContext;
use crate::feature_column::{FeatureBatch, read_csv};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// A list of TFRecord files to read (TF's `Dataset.list_files(..)` + `TFRecordDataset`),
/// turned into a [`Dataset`] of raw records by [`records`](Self::records) or
/// [`interleave`](Self::interleave).
///
/// ```
/// use estimator_runtime::data::{Compression, TfRecordFiles, TfRecordWriter};
/// let dir = tempfile::tempdir().unwrap();
/// for f in 0..3 {
///     let mut w = TfRecordWriter::create(dir.path().join(format!("part-{f}.tfrecord")), Compression::None).unwrap();
///     for r in 0..2u8 { w.write(&[f, r]).unwrap(); }
///     w.finish().unwrap();
/// }
/// let pattern = dir.path().join("part-*.tfrecord");
/// let files = TfRecordFiles::glob(pattern.to_str().unwrap()).unwrap();
/// // Worker 1 of 2 reads file 1 only (sharded by file: 3 files ≥ 2 workers).
/// let mine = files.shard(2, 1).records();
/// let records: Vec<Vec<u8>> = mine.iter().collect::<Result<_, _>>().unwrap();
/// assert_eq!(records, [vec![1, 0], vec![1, 1]]);
/// ```
#[derive(Clone, Debug)]
pub struct TfRecordFiles {
    files: Vec<PathBuf>,
    compression: Option<Compression>,
    ignore_errors: bool,
    skipped: Arc<AtomicU64>,
    /// `(num_shards, index)`.
    shard: Option<(usize, usize)>,
}

impl TfRecordFiles {
    /// These files, in this order.
    pub fn new<P: Into<PathBuf>>(files: impl IntoIterator<Item = P>) -> TfRecordFiles {
        TfRecordFiles {
            files: files.into_iter().map(Into::into).collect(),
            compression: None,
            ignore_errors: false,
            skipped: Arc::new(AtomicU64::new(0)),
            shard: None,
        }
    }

    /// The files matching a glob `pattern` (`data/train-*.tfrecord`), sorted by name; no
    /// match is an error, as in TF's `list_files`.
    pub fn glob(pattern: &str) -> Result<TfRecordFiles, DataError> {
        Self::glob_all(&[pattern])
    }

    /// The files matching any of `patterns`, sorted by name, without duplicates.
    pub fn glob_all(patterns: &[&str]) -> Result<TfRecordFiles, DataError> {
        let mut files = Vec::new();
        for &pattern in patterns {
            let error = |reason: String| DataError::Pattern {
                pattern: pattern.to_string(),
                reason,
            };
            let paths = glob::glob(pattern).map_err(|e| error(e.to_string()))?;
            for path in paths {
                files.push(path.map_err(|e| error(e.to_string()))?);
            }
        }
        files.sort();
        files.dedup();
        if files.is_empty() {
            return Err(DataError::Pattern {
                pattern: patterns.join(", "),
                reason: "no file matches".into(),
            });
        }
        Ok(TfRecordFiles::new(files))
    }

    /// Reads every file with `compression` (default: GZIP for `.gz` names, else none).
    pub fn compression(mut self, compression: Compression) -> TfRecordFiles {
        self.compression = Some(compression);
        self
    }

    /// Skips corrupt records (see [`TfRecordReader::ignore_errors`]), counted in
    /// [`skipped`](Self::skipped).
    pub fn ignore_errors(mut self) -> TfRecordFiles {
        self.ignore_errors = true;
        self
    }

    /// The counter of records skipped by `ignore_errors`, over every iteration.
    pub fn skipped(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.skipped)
    }

    /// The files, in order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Shard `index` of `num_shards` (TF's auto-shard policy `AUTO`): by file when there are
    /// at least as many files as shards (`FILE`: each worker reads whole files), else by
    /// record (`DATA`: every worker reads every file and keeps every `num_shards`-th record).
    pub fn shard(mut self, num_shards: usize, index: usize) -> TfRecordFiles {
        self.shard = Some((num_shards.max(1), index));
        self
    }

    /// This replica's shard: `shard(num_replicas, replica_id)`.
    pub fn shard_for(self, ctx: InputContext) -> TfRecordFiles {
        self.shard(ctx.num_replicas, ctx.replica_id)
    }

    /// The records of each file in turn.
    pub fn records(self) -> Dataset<Vec<u8>> {
        self.interleave(1)
    }

    /// The records of `cycle_length` files at a time, one record from each in turn (TF's
    /// `files.interleave(TFRecordDataset, cycle_length)`).
    pub fn interleave(self, cycle_length: usize) -> Dataset<Vec<u8>> {
        let (num, index) = self.shard.unwrap_or((1, 0));
        let by_file = self.files.len() >= num;
        let files: Vec<PathBuf> = match by_file {
            true => self
                .files
                .iter()
                .skip(index)
                .step_by(num)
                .cloned()
                .collect(),
            false => self.files.clone(),
        };
        let reader = FileReader {
            compression: self.compression,
            ignore_errors: self.ignore_errors,
            skipped: self.skipped,
        };
        let records = Dataset::from_vec(files).interleave(cycle_length, 1, move |path| {
            let reader = reader.clone();
            Dataset::from_results_fn(move || reader.open(&path))
        });
        match by_file {
            true => records,
            false => records.shard(num, index),
        }
    }
}

/// How one file is opened.
#[derive(Clone)]
struct FileReader {
    compression: Option<Compression>,
    ignore_errors: bool,
    skipped: Arc<AtomicU64>,
}

impl FileReader {
    /// The file's records, or its open error as the only element.
    fn open(&self, path: &Path) -> Box<dyn Iterator<Item = Result<Vec<u8>, DataError>> + Send> {
        let compression = self
            .compression
            .unwrap_or_else(|| Compression::from_path(path));
        match TfRecordReader::open(path, compression) {
            Ok(reader) => Box::new(
                reader
                    .ignore_errors(self.ignore_errors)
                    .count_skipped_into(Arc::clone(&self.skipped)),
            ),
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }
}

impl Dataset<FeatureBatch> {
    /// The rows of CSV `text` (read by [`read_csv`], `numeric` columns as floats), one
    /// single-example [`FeatureBatch`] each; `batch(n, ..)` then
    /// `map(|rows| FeatureBatch::concat(&rows))` makes batches again.
    ///
    /// ```
    /// use estimator_runtime::data::Dataset;
    /// use estimator_runtime::feature_column::FeatureBatch;
    /// let rows = Dataset::from_csv("a,b\n1,x\n2,y\n3,z\n", &["a"]).unwrap();
    /// let batches: Vec<FeatureBatch> = rows.batch(2, false).map(|r| FeatureBatch::concat(&r))
    ///     .iter().collect::<Result<_, _>>().unwrap();
    /// assert_eq!(batches.iter().map(FeatureBatch::len).collect::<Vec<_>>(), [2, 1]);
    /// ```
    pub fn from_csv(text: &str, numeric: &[&str]) -> Result<Dataset<FeatureBatch>, DataError> {
        let table = read_csv(text, numeric)?;
        let rows = (0..table.len()).map(|i| table.select(&[i])).collect();
        Ok(Dataset::from_vec(rows))
    }
}
