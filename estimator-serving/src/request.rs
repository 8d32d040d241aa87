//! Request bodies: TF Serving's JSON (`instances` rows, `inputs` columns, `examples`) read
//! against the export's recorded input signature into one [`FeatureBatch`].

use crate::error::ServingError;
use estimator_runtime::TensorSpec;
use estimator_runtime::export::STRING_DTYPE;
use estimator_runtime::feature_column::{ColumnValues, FeatureBatch};
use serde_json::{Map, Value};

/// The signature a request names when it names none.
pub const DEFAULT_SIGNATURE: &str = "serving_default";

/// A parsed request body: which signature, and its examples in row or column form.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestBody {
    /// `signature_name`, or [`DEFAULT_SIGNATURE`].
    pub signature_name: String,
    /// The examples.
    pub form: InputForm,
}

/// The two ways TF Serving's REST API carries examples.
#[derive(Debug, Clone, PartialEq)]
pub enum InputForm {
    /// `instances` (or `examples`): one JSON value per example.
    Rows(Vec<Value>),
    /// `inputs`: one value per input, each holding every example.
    Columns(Value),
}

impl InputForm {
    /// Whether the answer is in row form (`predictions`) or column form (`outputs`).
    pub fn is_rows(&self) -> bool {
        matches!(self, InputForm::Rows(_))
    }
}

/// Parses a body; `row_key` is `instances` (`:predict`) or `examples` (`:classify`,
/// `:regress`). serde_json refuses nesting deeper than 128 levels.
pub fn parse_body(bytes: &[u8], row_key: &str) -> Result<RequestBody, ServingError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ServingError::invalid(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(mut object) = value else {
        return Err(ServingError::invalid("the body must be a JSON object"));
    };
    let signature_name = match object.remove("signature_name") {
        None => DEFAULT_SIGNATURE.to_string(),
        Some(Value::String(s)) => s,
        Some(_) => return Err(ServingError::invalid("`signature_name` must be a string")),
    };
    let form = match (object.remove(row_key), object.remove("inputs")) {
        (Some(_), Some(_)) => {
            return Err(ServingError::invalid(format!(
                "give `{row_key}` or `inputs`, not both"
            )));
        }
        (Some(Value::Array(rows)), None) => InputForm::Rows(rows),
        (Some(_), None) => {
            return Err(ServingError::invalid(format!("`{row_key}` must be a list")));
        }
        (None, Some(columns)) if row_key == "instances" => InputForm::Columns(columns),
        _ => {
            return Err(ServingError::invalid(format!(
                "the body has no `{row_key}`"
            )));
        }
    };
    Ok(RequestBody {
        signature_name,
        form,
    })
}

/// The examples of `form` as one batch, checked against `inputs` (the recorded signature).
pub fn to_batch(form: &InputForm, inputs: &[TensorSpec]) -> Result<FeatureBatch, ServingError> {
    if inputs.is_empty() {
        return Err(ServingError::invalid(
            "the export records no serving inputs; export it again with this version of estimator-runtime",
        ));
    }
    let columns = match form {
        InputForm::Rows(rows) => row_columns(rows, inputs)?,
        InputForm::Columns(value) => column_columns(value, inputs)?,
    };
    let examples = columns.first().map_or(0, |(_, values)| values.len());
    if examples == 0 {
        return Err(ServingError::invalid("the request has no examples"));
    }
    let mut batch = FeatureBatch::new(examples);
    for ((_, values), spec) in columns.into_iter().zip(inputs) {
        batch.insert(spec.name.clone(), column_values(&spec.name, spec, &values)?);
    }
    Ok(batch)
}

type RawColumn<'a> = (&'a str, Vec<&'a Value>);

/// Rows: each a bare value (one input) or an object keyed by input name.
fn row_columns<'a>(
    rows: &'a [Value],
    inputs: &'a [TensorSpec],
) -> Result<Vec<RawColumn<'a>>, ServingError> {
    let bare = inputs.len() == 1 && rows.iter().all(|r| !r.is_object());
    let mut columns: Vec<RawColumn> = inputs
        .iter()
        .map(|s| (s.name.as_str(), Vec::new()))
        .collect();
    for (i, row) in rows.iter().enumerate() {
        if bare {
            columns[0].1.push(row);
            continue;
        }
        let object = row.as_object().ok_or_else(|| {
            ServingError::invalid(format!(
                "instance {i} must be an object keyed by input name"
            ))
        })?;
        check_known(object, inputs)?;
        for (name, column) in columns.iter_mut() {
            let value = object.get(*name).ok_or_else(|| {
                ServingError::invalid(format!("instance {i} has no input `{name}`"))
            })?;
            column.push(value);
        }
    }
    Ok(columns)
}

/// Columns: a bare list (one input) or an object of lists keyed by input name.
fn column_columns<'a>(
    value: &'a Value,
    inputs: &'a [TensorSpec],
) -> Result<Vec<RawColumn<'a>>, ServingError> {
    let list = |name: &str, v: &'a Value| -> Result<Vec<&'a Value>, ServingError> {
        v.as_array().map(|a| a.iter().collect()).ok_or_else(|| {
            ServingError::invalid(format!("input `{name}` must be a list over the examples"))
        })
    };
    if inputs.len() == 1 && !value.is_object() {
        return Ok(vec![(
            inputs[0].name.as_str(),
            list(&inputs[0].name, value)?,
        )]);
    }
    let object = value
        .as_object()
        .ok_or_else(|| ServingError::invalid("`inputs` must be an object keyed by input name"))?;
    check_known(object, inputs)?;
    let columns = inputs
        .iter()
        .map(|spec| {
            let v = object.get(&spec.name).ok_or_else(|| {
                ServingError::invalid(format!("`inputs` has no input `{}`", spec.name))
            })?;
            Ok((spec.name.as_str(), list(&spec.name, v)?))
        })
        .collect::<Result<Vec<_>, ServingError>>()?;
    if columns.windows(2).any(|w| w[0].1.len() != w[1].1.len()) {
        return Err(ServingError::invalid(
            "every input must hold the same number of examples",
        ));
    }
    Ok(columns)
}

fn check_known(object: &Map<String, Value>, inputs: &[TensorSpec]) -> Result<(), ServingError> {
    match object
        .keys()
        .find(|k| !inputs.iter().any(|s| &s.name == *k))
    {
        Some(unknown) => Err(ServingError::invalid(format!(
            "unknown input `{unknown}` (the signature takes {:?})",
            inputs.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()
        ))),
        None => Ok(()),
    }
}

/// One input's examples as typed column values, by the spec's dtype and shape.
fn column_values(
    name: &str,
    spec: &TensorSpec,
    values: &[&Value],
) -> Result<ColumnValues, ServingError> {
    let listed = spec.shape.len() == 2 && spec.shape[1] == -1;
    match (spec.dtype.as_str(), listed) {
        (STRING_DTYPE, false) => collect(name, values, as_string).map(ColumnValues::Str),
        (STRING_DTYPE, true) => {
            collect(name, values, |v| list_of(v, as_string)).map(ColumnValues::StrList)
        }
        ("I64" | "I32", false) => collect(name, values, as_int).map(ColumnValues::Int),
        ("I64" | "I32", true) => {
            collect(name, values, |v| list_of(v, as_int)).map(ColumnValues::IntList)
        }
        ("F32" | "F64" | "F16" | "BF16", false) => {
            float_column(name, spec.shape.get(1..).unwrap_or_default(), values)
        }
        (dtype, _) => Err(ServingError::invalid(format!(
            "input `{name}` has dtype {dtype} with shape {:?}, which the REST API cannot fill",
            spec.shape
        ))),
    }
}

fn collect<T>(
    name: &str,
    values: &[&Value],
    read: impl Fn(&Value) -> Result<T, String>,
) -> Result<Vec<T>, ServingError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            read(v)
                .map_err(|why| ServingError::invalid(format!("input `{name}`, example {i}: {why}")))
        })
        .collect()
}

fn as_string(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("expected a string, got {}", kind(v)))
}

fn as_int(v: &Value) -> Result<i64, String> {
    v.as_i64()
        .ok_or_else(|| format!("expected an integer, got {}", kind(v)))
}

fn list_of<T>(v: &Value, read: impl Fn(&Value) -> Result<T, String>) -> Result<Vec<T>, String> {
    match v {
        Value::Array(items) => items.iter().map(read).collect(),
        scalar => read(scalar).map(|x| vec![x]),
    }
}

/// Floats of a fixed inner shape: every example a nested list of exactly `inner` numbers.
fn float_column(
    name: &str,
    inner: &[i64],
    values: &[&Value],
) -> Result<ColumnValues, ServingError> {
    if inner.iter().any(|d| *d < 0) {
        return Err(ServingError::invalid(format!(
            "input `{name}` has a variable inner dimension {inner:?}, which the REST API cannot fill"
        )));
    }
    let per_example: usize = inner.iter().map(|d| *d as usize).product();
    let mut flat = Vec::with_capacity(values.len() * per_example);
    for (i, v) in values.iter().enumerate() {
        flatten_floats(v, inner, &mut flat)
            .map_err(|why| ServingError::invalid(format!("input `{name}`, example {i}: {why}")))?;
    }
    Ok(ColumnValues::Float(flat))
}

fn flatten_floats(v: &Value, inner: &[i64], out: &mut Vec<f32>) -> Result<(), String> {
    let Some((&dim, rest)) = inner.split_first() else {
        let x = v
            .as_f64()
            .ok_or_else(|| format!("expected a number, got {}", kind(v)))?;
        out.push(x as f32);
        return Ok(());
    };
    let items = v
        .as_array()
        .ok_or_else(|| format!("expected a list of {dim}, got {}", kind(v)))?;
    if items.len() as i64 != dim {
        return Err(format!(
            "expected a list of {dim}, got {} values",
            items.len()
        ));
    }
    items
        .iter()
        .try_for_each(|item| flatten_floats(item, rest, out))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
