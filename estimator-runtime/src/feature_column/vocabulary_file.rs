//! `categorical_column_with_vocabulary_file`: a vocabulary read from a file, one entry per line
//! (TF's `TextFileIndex.WHOLE_LINE` keys, line numbers as ids).

use super::columns::CategoricalColumn;
use super::error::FeatureError;
use std::collections::HashSet;
use std::path::Path;

/// Ids from the vocabulary in `vocabulary_file` (TF `categorical_column_with_vocabulary_file`):
/// line `i` (without its line ending) has id `i`. `vocabulary_size` reads only the first lines
/// (a file with fewer is an error, as in TF). Unknown values go to `num_oov_buckets` hashed
/// buckets (TF's `Fingerprint64`) or to `default_value`; TF refuses both at once, and so does
/// this. The vocabulary is read now and saved with the column, so a saved model does not need
/// the file.
///
/// ```
/// use estimator_runtime::feature_column::*;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("islands.txt");
/// std::fs::write(&path, "Biscoe\nDream\nTorgersen\n").unwrap();
/// let c = categorical_column_with_vocabulary_file("island", &path, None, 2, None).unwrap();
/// assert_eq!(c.num_buckets(), 5);
/// ```
pub fn categorical_column_with_vocabulary_file(
    key: impl Into<String>,
    vocabulary_file: impl AsRef<Path>,
    vocabulary_size: Option<usize>,
    num_oov_buckets: usize,
    default_value: Option<usize>,
) -> Result<CategoricalColumn, FeatureError> {
    let key = key.into();
    let path = vocabulary_file.as_ref();
    let invalid = |reason: String| FeatureError::InvalidColumn {
        name: key.clone(),
        reason,
    };
    if num_oov_buckets > 0 && default_value.is_some() {
        return Err(invalid(
            "Can't specify both num_oov_buckets and default_value".into(),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        invalid(format!(
            "cannot read vocabulary file {}: {e}",
            path.display()
        ))
    })?;
    let mut vocabulary: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    if text.ends_with('\n') || text.is_empty() {
        vocabulary.pop();
    }
    if let Some(size) = vocabulary_size {
        if size > vocabulary.len() {
            return Err(invalid(format!(
                "vocabulary_size {size} but {} has {} lines",
                path.display(),
                vocabulary.len()
            )));
        }
        vocabulary.truncate(size);
    }
    let mut seen = HashSet::new();
    if let Some(dup) = vocabulary.iter().find(|v| !seen.insert(v.as_str())) {
        return Err(invalid(format!(
            "{} repeats the entry {dup:?}",
            path.display()
        )));
    }
    Ok(CategoricalColumn::VocabularyList {
        key,
        vocabulary,
        num_oov_buckets,
        default_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vocab.txt");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn lines_are_ids_and_size_limits_them() {
        let (_d, path) = file("a\r\nb\nc\n");
        let c = categorical_column_with_vocabulary_file("k", &path, Some(2), 0, Some(1)).unwrap();
        let CategoricalColumn::VocabularyList {
            vocabulary,
            default_value,
            ..
        } = c
        else {
            panic!("not a vocabulary column")
        };
        assert_eq!(vocabulary, ["a", "b"]);
        assert_eq!(default_value, Some(1));
    }

    #[test]
    fn tf_errors_are_errors() {
        let (_d, path) = file("a\nb\na\n");
        let dup = categorical_column_with_vocabulary_file("k", &path, None, 0, None);
        assert!(dup.unwrap_err().to_string().contains("repeats"));
        let (_d, path) = file("a\nb\n");
        assert!(categorical_column_with_vocabulary_file("k", &path, Some(3), 0, None).is_err());
        assert!(categorical_column_with_vocabulary_file("k", &path, None, 1, Some(0)).is_err());
        assert!(
            categorical_column_with_vocabulary_file("k", "/no/such/file", None, 0, None).is_err()
        );
    }
}
