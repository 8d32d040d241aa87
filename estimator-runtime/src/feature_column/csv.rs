//! A minimal, strict CSV reader into a [`FeatureBatch`] (a header line, comma-separated, no
//! quoted commas), enough for small tables shipped with a program.
//!
//! Strict by default: a duplicated header name, a row whose field count differs from the
//! header's, a number that overflows `f32`, and an input with no rows are errors naming the
//! line. Memory follows the data: each cell is parsed straight into its column, and a header
//! over [`CsvOptions::max_columns`] is refused before any row is read.

use super::batch::{ColumnValues, FeatureBatch};
use super::error::FeatureError;
use std::collections::HashMap;

/// The most header columns [`read_csv`] accepts by default.
pub const DEFAULT_MAX_CSV_COLUMNS: usize = 10_000;

/// The most characters of an offending value quoted in an error message.
const QUOTED_CHARS: usize = 40;

/// How [`read_csv_with`] reads a CSV.
///
/// ```
/// use estimator_runtime::feature_column::{read_csv_with, CsvOptions};
/// let options = CsvOptions::default().lenient(true);
/// let batch = read_csv_with("a,b\n1\n2,3,4\n", &["a", "b"], &options).unwrap();
/// assert_eq!(batch.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CsvOptions {
    /// Accept rows with fewer fields than the header (the rest become missing values) or more
    /// (the extra ones are dropped); default `false`: such a row is an error naming its line.
    pub lenient: bool,
    /// The most header columns accepted (default [`DEFAULT_MAX_CSV_COLUMNS`]).
    pub max_columns: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            lenient: false,
            max_columns: DEFAULT_MAX_CSV_COLUMNS,
        }
    }
}

impl CsvOptions {
    /// Sets [`lenient`](Self::lenient).
    pub fn lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    /// Sets [`max_columns`](Self::max_columns).
    pub fn max_columns(mut self, max_columns: usize) -> Self {
        self.max_columns = max_columns;
        self
    }
}

/// Reads CSV `text` (header first) with the default, strict [`CsvOptions`]. Columns named in
/// `numeric` become `Float` (empty or `NA` values become NaN; anything else unparsable is
/// [`FeatureError::WrongDtype`]); the others become `Str` (`NA` becomes the empty string, a
/// missing value). Blank lines are skipped.
///
/// ```
/// use estimator_runtime::feature_column::{read_csv, ColumnValues};
/// let batch = read_csv("species,mass\nAdelie,3750\nGentoo,NA\n", &["mass"]).unwrap();
/// assert_eq!(batch.len(), 2);
/// assert_eq!(batch.get("species"), Some(&ColumnValues::Str(vec!["Adelie".into(), "Gentoo".into()])));
/// assert!(read_csv("a,a\n1,2\n", &[]).is_err(), "a duplicated header name");
/// assert!(read_csv("a,b\n1\n", &[]).is_err(), "a row with too few fields");
/// assert!(read_csv("a\n1e40\n", &["a"]).is_err(), "an overflow to inf");
/// assert!(read_csv("a,b\n", &[]).is_err(), "no rows");
/// ```
pub fn read_csv(text: &str, numeric: &[&str]) -> Result<FeatureBatch, FeatureError> {
    read_csv_with(text, numeric, &CsvOptions::default())
}

/// [`read_csv`] with `options` (a lenient field count, another column limit).
pub fn read_csv_with(
    text: &str,
    numeric: &[&str],
    options: &CsvOptions,
) -> Result<FeatureBatch, FeatureError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(csv_error(
            1,
            "the input is empty (a header and at least one row are needed)",
        ));
    };
    let names = header_names(header_line, header, options.max_columns)?;
    let mut columns: Vec<Column> = names
        .iter()
        .map(|n| Column::new(n, numeric.contains(&n.as_str())))
        .collect();
    let mut rows = 0;
    for (line, row) in lines {
        read_row(line, row, &mut columns, options.lenient)?;
        rows += 1;
    }
    if rows == 0 {
        return Err(csv_error(header_line, "the input has a header but no rows"));
    }
    let mut batch = FeatureBatch::new(rows);
    for column in columns {
        batch.insert(column.name, column.values);
    }
    Ok(batch)
}

/// A column being read: its name and its values so far.
struct Column {
    name: String,
    values: ColumnValues,
}

impl Column {
    fn new(name: &str, numeric: bool) -> Column {
        let values = if numeric {
            ColumnValues::Float(Vec::new())
        } else {
            ColumnValues::Str(Vec::new())
        };
        Column {
            name: name.to_string(),
            values,
        }
    }

    /// Appends `cell` (of line `line`).
    fn push(&mut self, line: usize, cell: &str) -> Result<(), FeatureError> {
        match &mut self.values {
            ColumnValues::Float(v) => v.push(parse_number(line, &self.name, cell)?),
            ColumnValues::Str(v) => v.push(if cell == "NA" { "" } else { cell }.to_string()),
            _ => {}
        }
        Ok(())
    }
}

/// The header's names: at most `max_columns`, none twice.
fn header_names(
    line: usize,
    header: &str,
    max_columns: usize,
) -> Result<Vec<String>, FeatureError> {
    let mut names = Vec::new();
    let mut seen = HashMap::new();
    for (j, name) in header.split(',').map(unquote).enumerate() {
        if j >= max_columns {
            return Err(csv_error(
                line,
                &format!(
                    "the header has over {max_columns} columns (raise `CsvOptions::max_columns` if that is right)"
                ),
            ));
        }
        if let Some(first) = seen.insert(name, j) {
            return Err(csv_error(
                line,
                &format!(
                    "the header names column {} twice (columns {} and {}); rename one",
                    quote(name),
                    first + 1,
                    j + 1
                ),
            ));
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// Parses one row into `columns`: its field count must be the header's unless `lenient`.
fn read_row(
    line: usize,
    row: &str,
    columns: &mut [Column],
    lenient: bool,
) -> Result<(), FeatureError> {
    let mut fields = row.split(',').map(unquote);
    for column in columns.iter_mut() {
        match fields.next() {
            Some(cell) => column.push(line, cell)?,
            None if lenient => column.push(line, "")?,
            None => return Err(field_count(line, row, columns.len())),
        }
    }
    if !lenient && fields.next().is_some() {
        return Err(field_count(line, row, columns.len()));
    }
    Ok(())
}

fn field_count(line: usize, row: &str, expected: usize) -> FeatureError {
    let found = row.split(',').count();
    csv_error(
        line,
        &format!(
            "{found} fields, but the header has {expected} (fix the row, or read with `CsvOptions::default().lenient(true)`)"
        ),
    )
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

fn parse_number(line: usize, name: &str, cell: &str) -> Result<f32, FeatureError> {
    if cell.is_empty() || cell == "NA" {
        return Ok(f32::NAN);
    }
    let value: f32 = cell.parse().map_err(|_| FeatureError::WrongDtype {
        name: name.to_string(),
        expected: "float",
        found: "string",
    })?;
    let spelled_infinite = cell.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if value.is_infinite() && !matches!(spelled_infinite.as_str(), "inf" | "infinity") {
        return Err(csv_error(
            line,
            &format!(
                "column {}: {} overflows f32 (it would become {value})",
                quote(name),
                quote(cell)
            ),
        ));
    }
    Ok(value)
}

fn csv_error(line: usize, reason: &str) -> FeatureError {
    FeatureError::Csv {
        line,
        reason: reason.to_string(),
    }
}

/// `value` in backticks, cut by [`short`].
fn quote(value: &str) -> String {
    format!("`{}`", short(value))
}

/// `value`, or its first [`QUOTED_CHARS`] characters and its length when longer, so that a
/// huge cell never fills an error message.
pub(crate) fn short(value: &str) -> String {
    match value.char_indices().nth(QUOTED_CHARS) {
        Some((end, _)) => format!("{}… ({} bytes)", &value[..end], value.len()),
        None => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_value_is_quoted_by_its_first_characters() {
        let cell = "9".repeat(5_000_000);
        let err = read_csv(&format!("a\n{cell}\n"), &["a"]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.len() < 200, "{} bytes", msg.len());
        assert!(
            msg.contains("5000000 bytes") && msg.contains("line 2"),
            "{msg}"
        );
    }

    #[test]
    fn strict_errors_name_the_line() {
        let cases = [
            ("a,b,a\n1,2,3\n", 1, "twice"),
            ("a,b\n1,2\n\n3\n", 4, "1 fields, but the header has 2"),
            ("a,b\n1,2,3\n", 2, "3 fields"),
            ("a,b\n1,2\n-1e39,2\n", 3, "column `a`"),
            ("a,b\n", 1, "no rows"),
            ("", 1, "empty"),
            ("\n\n", 1, "empty"),
        ];
        for (text, line, needle) in cases {
            let err = read_csv(text, &["a"]).unwrap_err();
            let msg = err.to_string();
            assert!(
                matches!(err, FeatureError::Csv { line: l, .. } if l == line)
                    && msg.contains(needle),
                "{text:?}: {msg}"
            );
        }
    }

    #[test]
    fn lenient_fills_missing_fields_and_drops_extra_ones() {
        let options = CsvOptions::default().lenient(true);
        let batch = read_csv_with("a,b\n1\n2,x,9\n", &["a"], &options).expect("lenient");
        assert_eq!(
            batch.get("b"),
            Some(&ColumnValues::Str(vec![String::new(), "x".into()]))
        );
        assert!(
            matches!(batch.get("a"), Some(ColumnValues::Float(v)) if v.len() == 2 && v[0] == 1.0)
        );
    }

    #[test]
    fn a_header_over_the_limit_is_refused_before_any_row() {
        let header: Vec<String> = (0..11).map(|i| format!("c{i}")).collect();
        let text = format!("{}\n1\n", header.join(","));
        let err = read_csv_with(&text, &[], &CsvOptions::default().max_columns(10)).unwrap_err();
        assert!(err.to_string().contains("over 10 columns"), "{err}");
    }

    #[test]
    fn a_spelled_out_infinity_is_kept_and_nan_markers_are_missing() {
        let batch = read_csv("a\ninf\n-Infinity\nNA\n\"\"\n", &["a"]).expect("read");
        let Some(ColumnValues::Float(v)) = batch.get("a") else {
            panic!("a float column");
        };
        assert_eq!(v[..2], [f32::INFINITY, f32::NEG_INFINITY]);
        assert!(v[2].is_nan() && v[3].is_nan());
    }
}
