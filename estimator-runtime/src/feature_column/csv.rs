//! A minimal CSV reader into a [`FeatureBatch`] (a header line, comma-separated, no quoted
//! commas), enough for small tables shipped with a program.

use super::batch::{ColumnValues, FeatureBatch};
use super::error::FeatureError;

/// Reads CSV `text` (header first). Columns named in `numeric` become `Float` (empty or `NA`
/// values become NaN; anything else unparsable is [`FeatureError::WrongDtype`]); the others
/// become `Str` (`NA` becomes the empty string, a missing value).
///
/// ```
/// use estimator_runtime::feature_column::{read_csv, ColumnValues};
/// let batch = read_csv("species,mass\nAdelie,3750\nGentoo,NA\n", &["mass"]).unwrap();
/// assert_eq!(batch.len(), 2);
/// assert_eq!(batch.get("species"), Some(&ColumnValues::Str(vec!["Adelie".into(), "Gentoo".into()])));
/// ```
pub fn read_csv(text: &str, numeric: &[&str]) -> Result<FeatureBatch, FeatureError> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .map(|h| h.split(',').map(|s| unquote(s).to_string()).collect())
        .unwrap_or_default();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').map(unquote).collect()).collect();
    let mut batch = FeatureBatch::new(rows.len());
    for (j, name) in header.iter().enumerate() {
        let cells = rows.iter().map(|r| r.get(j).copied().unwrap_or(""));
        let values = if numeric.contains(&name.as_str()) {
            ColumnValues::Float(
                cells
                    .map(|c| parse_number(name, c))
                    .collect::<Result<_, _>>()?,
            )
        } else {
            ColumnValues::Str(
                cells
                    .map(|c| {
                        if c == "NA" {
                            String::new()
                        } else {
                            c.to_string()
                        }
                    })
                    .collect(),
            )
        };
        batch.insert(name.clone(), values);
    }
    Ok(batch)
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

fn parse_number(name: &str, cell: &str) -> Result<f32, FeatureError> {
    if cell.is_empty() || cell == "NA" {
        return Ok(f32::NAN);
    }
    cell.parse().map_err(|_| FeatureError::WrongDtype {
        name: name.to_string(),
        expected: "float",
        found: "string",
    })
}
