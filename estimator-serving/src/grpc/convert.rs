//! Between TF's protos and the core's JSON-shaped inputs and typed outputs: a `TensorProto` as
//! nested JSON lists (so one reader checks every front end's inputs), `tf.Example`s as rows,
//! and outputs as `TensorProto`s.

use crate::error::ServingError;
use crate::proto::tensorflow::feature::Kind;
use crate::proto::tensorflow::serving::{Input, input};
use crate::proto::tensorflow::{
    DataType, Example, TensorProto, TensorShapeProto, tensor_shape_proto,
};
use crate::response::{OutputTensor, OutputValues};
use serde_json::{Map, Value, json};

/// The most values one request tensor may expand to (a single value broadcast over a shape).
const MAX_VALUES: usize = 1 << 24;

/// `tensor` (one request input) as nested JSON lists of its shape.
pub(crate) fn tensor_to_json(name: &str, tensor: &TensorProto) -> Result<Value, ServingError> {
    let invalid = |why: String| ServingError::invalid(format!("input `{name}`: {why}"));
    let dims = dims(tensor).map_err(invalid)?;
    let count = dims
        .iter()
        .try_fold(1usize, |n, d| n.checked_mul(*d))
        .filter(|n| *n <= MAX_VALUES);
    let count = count.ok_or_else(|| invalid(format!("shape {dims:?} is too large")))?;
    let mut values = flat_values(tensor).map_err(invalid)?;
    if values.len() == 1 && count > 1 {
        values = vec![values[0].clone(); count];
    }
    if values.len() != count {
        return Err(invalid(format!(
            "{} values for shape {dims:?}",
            values.len()
        )));
    }
    Ok(nest(&values, &dims))
}

fn dims(tensor: &TensorProto) -> Result<Vec<usize>, String> {
    let shape = tensor.tensor_shape.as_ref().map_or(&[][..], |s| &s.dim[..]);
    shape
        .iter()
        .map(|d| usize::try_from(d.size).map_err(|_| format!("dimension {} is not a size", d.size)))
        .collect()
}

fn flat_values(tensor: &TensorProto) -> Result<Vec<Value>, String> {
    let content = &tensor.tensor_content;
    let dtype = DataType::try_from(tensor.dtype).unwrap_or(DataType::DtInvalid);
    let from_content = |width: usize, read: &dyn Fn(&[u8]) -> Value| -> Vec<Value> {
        content.chunks_exact(width).map(read).collect()
    };
    let le4 = |b: &[u8]| [b[0], b[1], b[2], b[3]];
    let le8 = |b: &[u8]| [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
    let values = match dtype {
        DataType::DtFloat if !content.is_empty() => {
            from_content(4, &|b| json!(f32::from_le_bytes(le4(b)) as f64))
        }
        DataType::DtFloat => tensor.float_val.iter().map(|x| json!(*x as f64)).collect(),
        DataType::DtDouble if !content.is_empty() => {
            from_content(8, &|b| json!(f64::from_le_bytes(le8(b))))
        }
        DataType::DtDouble => tensor.double_val.iter().map(|x| json!(x)).collect(),
        DataType::DtInt32 if !content.is_empty() => {
            from_content(4, &|b| json!(i32::from_le_bytes(le4(b))))
        }
        DataType::DtInt32 => tensor.int_val.iter().map(|x| json!(x)).collect(),
        DataType::DtInt64 if !content.is_empty() => {
            from_content(8, &|b| json!(i64::from_le_bytes(le8(b))))
        }
        DataType::DtInt64 => tensor.int64_val.iter().map(|x| json!(x)).collect(),
        DataType::DtBool => tensor.bool_val.iter().map(|x| json!(x)).collect(),
        DataType::DtString => tensor
            .string_val
            .iter()
            .map(|s| {
                String::from_utf8(s.clone())
                    .map(Value::String)
                    .map_err(|_| "a string is not UTF-8".to_string())
            })
            .collect::<Result<_, _>>()?,
        other => return Err(format!("dtype {} is not served", other.as_str_name())),
    };
    Ok(values)
}

fn nest(values: &[Value], dims: &[usize]) -> Value {
    let Some((&first, rest)) = dims.split_first() else {
        return values.first().cloned().unwrap_or(Value::Null);
    };
    let stride: usize = rest.iter().product();
    Value::Array(
        (0..first)
            .map(|i| nest(&values[i * stride..(i + 1) * stride], rest))
            .collect(),
    )
}

/// The examples of a Classify / Regress `input` as JSON rows by feature name (a context's
/// features added to every example, as TF does).
pub(crate) fn examples_to_rows(input: Option<&Input>) -> Result<Vec<Value>, ServingError> {
    let (examples, context) = match input.and_then(|i| i.kind.as_ref()) {
        Some(input::Kind::ExampleList(list)) => (&list.examples, None),
        Some(input::Kind::ExampleListWithContext(list)) => (&list.examples, list.context.as_ref()),
        None => return Err(ServingError::invalid("the request has no input examples")),
    };
    examples
        .iter()
        .map(|example| {
            let mut row = Map::new();
            for source in context.into_iter().chain([example]) {
                add_features(source, &mut row)?;
            }
            Ok(Value::Object(row))
        })
        .collect()
}

fn add_features(example: &Example, row: &mut Map<String, Value>) -> Result<(), ServingError> {
    let features = example.features.iter().flat_map(|f| f.feature.iter());
    for (name, feature) in features {
        let values: Vec<Value> = match &feature.kind {
            Some(Kind::FloatList(l)) => l.value.iter().map(|x| json!(*x as f64)).collect(),
            Some(Kind::Int64List(l)) => l.value.iter().map(|x| json!(x)).collect(),
            Some(Kind::BytesList(l)) => l
                .value
                .iter()
                .map(|s| String::from_utf8(s.clone()).map(Value::String))
                .collect::<Result<_, _>>()
                .map_err(|_| ServingError::invalid(format!("feature `{name}` is not UTF-8")))?,
            None => Vec::new(),
        };
        let value = match <[Value; 1]>::try_from(values) {
            Ok([one]) => one,
            Err(many) => Value::Array(many),
        };
        row.insert(name.clone(), value);
    }
    Ok(())
}

/// An output as a `TensorProto` (floats as `DT_FLOAT`, ints as `DT_INT64`).
pub(crate) fn output_to_tensor(output: &OutputTensor) -> TensorProto {
    let dim = output
        .dims
        .iter()
        .map(|d| tensor_shape_proto::Dim {
            size: *d as i64,
            name: String::new(),
        })
        .collect();
    let mut tensor = TensorProto {
        tensor_shape: Some(TensorShapeProto {
            dim,
            unknown_rank: false,
        }),
        ..Default::default()
    };
    match &output.values {
        OutputValues::Float(v) => {
            tensor.dtype = DataType::DtFloat as i32;
            tensor.float_val = v.iter().map(|x| *x as f32).collect();
        }
        OutputValues::Int(v) => {
            tensor.dtype = DataType::DtInt64 as i32;
            tensor.int64_val = v.clone();
        }
        OutputValues::Bool(v) => {
            tensor.dtype = DataType::DtBool as i32;
            tensor.bool_val = v.clone();
        }
    }
    tensor
}

/// TF's `DataType` for a recorded dtype name.
pub(crate) fn data_type(dtype: &str) -> DataType {
    DataType::from_str_name(crate::metadata::tf_dtype(dtype)).unwrap_or(DataType::DtInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(values: &[f32], dims: &[i64]) -> TensorProto {
        let dim = dims
            .iter()
            .map(|d| tensor_shape_proto::Dim {
                size: *d,
                name: String::new(),
            })
            .collect();
        TensorProto {
            dtype: DataType::DtFloat as i32,
            tensor_shape: Some(TensorShapeProto {
                dim,
                unknown_rank: false,
            }),
            float_val: values.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn a_tensor_nests_by_its_shape() {
        let t = floats(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
        assert_eq!(
            tensor_to_json("x", &t),
            Ok(json!([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
        );
        let content = TensorProto {
            float_val: Vec::new(),
            tensor_content: [1.5f32, -2.0]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect(),
            ..floats(&[], &[2])
        };
        assert_eq!(tensor_to_json("x", &content), Ok(json!([1.5, -2.0])));
        assert_eq!(
            tensor_to_json("x", &floats(&[7.0], &[2])),
            Ok(json!([7.0, 7.0]))
        );
    }

    #[test]
    fn bad_tensors_are_invalid_arguments() {
        for t in [
            floats(&[1.0, 2.0, 3.0], &[2, 2]),
            floats(&[1.0], &[-1]),
            floats(&[1.0], &[1 << 40, 1 << 40]),
        ] {
            assert!(
                matches!(tensor_to_json("x", &t), Err(ServingError::InvalidArgument(m)) if m.contains("`x`"))
            );
        }
    }
}
