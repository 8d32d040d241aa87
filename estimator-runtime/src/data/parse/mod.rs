//! `parse_example`: serialized `tf.Example`s → a [`FeatureBatch`], by a [`ParseSpec`] (TF's
//! `tf.io.parse_example`).

mod spec;
#[cfg(test)]
mod tests;
mod wire;

pub use spec::{DType, FeatureSpec, ParseSpec, make_parse_example_spec};

use crate::data::error::ParseError;
use crate::data::example::{BytesList, Example, Feature, FloatList, Int64List, Kind};
use crate::feature_column::{ColumnValues, FeatureBatch};
use prost::Message;

/// Parses serialized `tf.Example`s into one batch holding a column per spec entry (TF's
/// `tf.io.parse_example`; features not in the spec are ignored, as TF does).
///
/// A record that is not an Example, a required feature that is missing, a `FixedLen` feature
/// with the wrong number of values, or a list of the wrong dtype is a [`ParseError`] naming
/// the feature and the record's index.
///
/// ```
/// use estimator_runtime::data::example::{Example, Feature};
/// use estimator_runtime::data::{DType, FeatureSpec, ParseSpec, parse_example};
/// use estimator_runtime::feature_column::ColumnValues;
/// use prost::Message;
/// let records = [
///     Example::from_features([("mass", Feature::floats([3700.0])), ("island", Feature::bytes(["Dream"]))]),
///     Example::from_features([("island", Feature::bytes(["Biscoe"]))]),
/// ].map(|e| e.encode_to_vec());
/// let spec = ParseSpec::from([
///     ("mass".to_string(), FeatureSpec::fixed([1], DType::Float32).with_default(ColumnValues::Float(vec![0.0]))),
///     ("island".to_string(), FeatureSpec::fixed([], DType::String)),
/// ]);
/// let batch = parse_example(&records, &spec).unwrap();
/// assert_eq!(batch.get("mass"), Some(&ColumnValues::Float(vec![3700.0, 0.0])));
/// assert_eq!(batch.get("island"), Some(&ColumnValues::Str(vec!["Dream".into(), "Biscoe".into()])));
/// ```
pub fn parse_example<R: AsRef<[u8]>>(
    records: &[R],
    spec: &ParseSpec,
) -> Result<FeatureBatch, ParseError> {
    parse_records(records, spec, true)
}

/// `parse_example`, with or without the fast path (the tests compare the two).
fn parse_records<R: AsRef<[u8]>>(
    records: &[R],
    spec: &ParseSpec,
    fast: bool,
) -> Result<FeatureBatch, ParseError> {
    let mut columns = spec
        .iter()
        .map(|(name, feature)| ColumnBuilder::new(name, feature, records.len()))
        .collect::<Result<Vec<_>, _>>()?;
    // The spec's names are sorted (a BTreeMap): a feature's slot is found by binary search.
    let names: Vec<&str> = spec.keys().map(String::as_str).collect();
    let mut slots: Vec<Slot<'_>> = vec![None; names.len()];
    for (record, bytes) in records.iter().enumerate() {
        if fast && scan_into_slots(bytes.as_ref(), &names, &mut slots) {
            for (column, slot) in columns.iter_mut().zip(&slots) {
                column.push_wire(slot.flatten(), record)?;
            }
        } else {
            push_decoded(&mut columns, bytes.as_ref(), record)?;
        }
    }
    Ok(columns
        .into_iter()
        .fold(FeatureBatch::new(records.len()), |batch, column| {
            batch.with(column.name, column.values)
        }))
}

/// What the fast path found of one spec feature in a record: `None` not seen, `Some(None)` a
/// feature without a list.
type Slot<'a> = Option<Option<wire::ListRef<'a>>>;

/// Fills `slots` (one per spec name) from a record by the fast path; `false` when the record
/// needs the full decoder.
fn scan_into_slots<'a>(record: &'a [u8], names: &[&str], slots: &mut [Slot<'a>]) -> bool {
    slots.fill(None);
    // Writers often keep keys sorted: try the slot after the last one first.
    let mut next = 0;
    let scanned = wire::scan_example(record, |key, list| {
        let at = match names.get(next) {
            Some(&name) if name == key => Ok(next),
            _ => names.binary_search(&key),
        };
        let Ok(at) = at else {
            return true;
        };
        next = at + 1;
        // A key seen twice: prost's last-wins merge, by the full decoder.
        slots[at].replace(list).is_none()
    });
    scanned.is_some()
}

/// One record through prost's full decoder.
fn push_decoded(
    columns: &mut [ColumnBuilder<'_>],
    bytes: &[u8],
    record: usize,
) -> Result<(), ParseError> {
    let example = Example::decode(bytes).map_err(|e| ParseError::NotAnExample {
        record,
        reason: e.to_string(),
    })?;
    let features = example.features.map(|f| f.feature).unwrap_or_default();
    for column in columns {
        column.push(features.get(column.name), record)?;
    }
    Ok(())
}

/// The values of one spec entry, built record by record.
struct ColumnBuilder<'a> {
    name: &'a str,
    dtype: DType,
    /// Values per example of a `FixedLen` feature; `None` for `VarLen`.
    fixed: Option<usize>,
    /// A `FixedLen` feature's default, as the list a record would hold.
    default: Option<Kind>,
    values: ColumnValues,
}

impl<'a> ColumnBuilder<'a> {
    fn new(name: &'a str, spec: &FeatureSpec, examples: usize) -> Result<Self, ParseError> {
        let invalid = |reason: String| ParseError::InvalidSpec {
            feature: name.to_string(),
            reason,
        };
        let (fixed, default) = match spec {
            FeatureSpec::FixedLen { shape, default, .. } => {
                let count = shape.iter().product::<usize>();
                let default = default
                    .as_ref()
                    .map(|d| default_list(d, spec.dtype(), count))
                    .transpose()
                    .map_err(invalid)?;
                (Some(count), default)
            }
            FeatureSpec::VarLen { .. } => (None, None),
        };
        let values = match (spec.dtype(), fixed) {
            (DType::Float32, Some(_)) => ColumnValues::Float(Vec::with_capacity(examples)),
            (DType::Float32, None) => {
                return Err(invalid(
                    "a VarLen float32 feature has no FeatureBatch column; use FixedLen".into(),
                ));
            }
            (DType::Int64, Some(1)) => ColumnValues::Int(Vec::with_capacity(examples)),
            (DType::Int64, _) => ColumnValues::IntList(Vec::with_capacity(examples)),
            (DType::String, Some(1)) => ColumnValues::Str(Vec::with_capacity(examples)),
            (DType::String, _) => ColumnValues::StrList(Vec::with_capacity(examples)),
        };
        Ok(ColumnBuilder {
            name,
            dtype: spec.dtype(),
            fixed,
            default,
            values,
        })
    }

    /// Appends one record's feature (`None`, or a feature without a list: absent).
    fn push(&mut self, feature: Option<&Feature>, record: usize) -> Result<(), ParseError> {
        let kind = match (feature.and_then(|f| f.kind.as_ref()), &self.default) {
            (Some(kind), _) => Some(kind),
            (None, Some(default)) => Some(default),
            (None, None) if self.fixed.is_some() => {
                return Err(ParseError::Missing {
                    feature: self.name.to_string(),
                    record,
                });
            }
            (None, None) => None,
        };
        let list = kind.map(|k| self.typed(k, record)).transpose()?;
        let found = list.as_ref().map_or(0, List::len);
        if let Some(expected) = self.fixed.filter(|&n| n != found) {
            return Err(ParseError::WrongLength {
                feature: self.name.to_string(),
                record,
                expected,
                found,
            });
        }
        append(
            self.name,
            &mut self.values,
            list.unwrap_or(List::Empty),
            record,
        )
    }

    /// Appends one record's list as the fast path found it (`None`: absent).
    fn push_wire(
        &mut self,
        list: Option<wire::ListRef<'_>>,
        record: usize,
    ) -> Result<(), ParseError> {
        let Some(list) = list else {
            return self.push(None, record);
        };
        self.check_wire(list, record)?;
        let text = |bytes: &[u8]| {
            std::str::from_utf8(bytes)
                .map(str::to_string)
                .map_err(|_| ParseError::NotUtf8 {
                    feature: self.name.to_string(),
                    record,
                })
        };
        match &mut self.values {
            ColumnValues::Float(out) => out.extend(list.floats()),
            ColumnValues::Int(out) => out.extend(list.ints()),
            ColumnValues::IntList(out) => out.push(list.ints().collect()),
            ColumnValues::Str(out) => {
                out.extend(list.bytes().map(text).collect::<Result<Vec<_>, _>>()?)
            }
            ColumnValues::StrList(out) => {
                out.push(list.bytes().map(text).collect::<Result<_, _>>()?)
            }
        }
        Ok(())
    }

    /// The checks `push` makes, on a list the fast path found: dtype, then length.
    fn check_wire(&self, list: wire::ListRef<'_>, record: usize) -> Result<(), ParseError> {
        let dtype = match list {
            wire::ListRef::Floats(_) => DType::Float32,
            wire::ListRef::Ints(..) => DType::Int64,
            wire::ListRef::Bytes(..) => DType::String,
        };
        if dtype != self.dtype {
            return Err(ParseError::WrongType {
                feature: self.name.to_string(),
                record,
                expected: self.dtype.list_name(),
                found: dtype.list_name(),
            });
        }
        match self.fixed.filter(|&n| n != list.len()) {
            Some(expected) => Err(ParseError::WrongLength {
                feature: self.name.to_string(),
                record,
                expected,
                found: list.len(),
            }),
            None => Ok(()),
        }
    }

    /// The list in `kind`, if it is of this feature's dtype.
    fn typed<'k>(&self, kind: &'k Kind, record: usize) -> Result<List<'k>, ParseError> {
        let list = match kind {
            Kind::FloatList(l) => List::Floats(&l.value),
            Kind::Int64List(l) => List::Ints(&l.value),
            Kind::BytesList(l) => List::Bytes(&l.value),
        };
        if list.dtype() == self.dtype {
            return Ok(list);
        }
        Err(ParseError::WrongType {
            feature: self.name.to_string(),
            record,
            expected: self.dtype.list_name(),
            found: list.dtype().list_name(),
        })
    }
}

/// Appends one record's list to the column.
fn append(
    name: &str,
    values: &mut ColumnValues,
    list: List<'_>,
    record: usize,
) -> Result<(), ParseError> {
    let text = |bytes: &Vec<u8>| {
        String::from_utf8(bytes.clone()).map_err(|_| ParseError::NotUtf8 {
            feature: name.to_string(),
            record,
        })
    };
    match (values, list) {
        (ColumnValues::Float(out), List::Floats(v)) => out.extend_from_slice(v),
        (ColumnValues::Int(out), List::Ints(v)) => out.extend_from_slice(v),
        (ColumnValues::IntList(out), List::Ints(v)) => out.push(v.to_vec()),
        (ColumnValues::IntList(out), List::Empty) => out.push(Vec::new()),
        (ColumnValues::Str(out), List::Bytes(v)) => {
            out.extend(v.iter().map(text).collect::<Result<Vec<_>, _>>()?)
        }
        (ColumnValues::StrList(out), List::Bytes(v)) => {
            out.push(v.iter().map(text).collect::<Result<_, _>>()?)
        }
        (ColumnValues::StrList(out), List::Empty) => out.push(Vec::new()),
        // A FixedLen feature of 0 values: nothing to add.
        _ => {}
    }
    Ok(())
}

/// One record's values of a feature, borrowed from the decoded Example.
enum List<'k> {
    Floats(&'k [f32]),
    Ints(&'k [i64]),
    Bytes(&'k [Vec<u8>]),
    Empty,
}

impl List<'_> {
    fn len(&self) -> usize {
        match self {
            List::Floats(v) => v.len(),
            List::Ints(v) => v.len(),
            List::Bytes(v) => v.len(),
            List::Empty => 0,
        }
    }

    fn dtype(&self) -> DType {
        match self {
            List::Floats(_) | List::Empty => DType::Float32,
            List::Ints(_) => DType::Int64,
            List::Bytes(_) => DType::String,
        }
    }
}

/// A `FixedLen` default as the list a record would hold: `count` values of `dtype` (one value
/// is repeated).
fn default_list(default: &ColumnValues, dtype: DType, count: usize) -> Result<Kind, String> {
    let widen = |n: usize| if n == 1 { count } else { 1 };
    let kind = match (default, dtype) {
        (ColumnValues::Float(v), DType::Float32) => Kind::FloatList(FloatList {
            value: v.repeat(widen(v.len())),
        }),
        (ColumnValues::Int(v), DType::Int64) => Kind::Int64List(Int64List {
            value: v.repeat(widen(v.len())),
        }),
        (ColumnValues::Str(v), DType::String) => Kind::BytesList(BytesList {
            value: (0..widen(v.len()))
                .flat_map(|_| v.iter().map(|s| s.as_bytes().to_vec()))
                .collect(),
        }),
        (other, _) => {
            return Err(format!(
                "the default holds {} values, the spec's dtype is {dtype:?}",
                other.dtype_name()
            ));
        }
    };
    let found = match &kind {
        Kind::FloatList(l) => l.value.len(),
        Kind::Int64List(l) => l.value.len(),
        Kind::BytesList(l) => l.value.len(),
    };
    if found != count {
        return Err(format!(
            "the default holds {found} values, the shape needs {count}"
        ));
    }
    Ok(kind)
}
