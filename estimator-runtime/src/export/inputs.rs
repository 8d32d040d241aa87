//! The serving input signature an export records (TF's `serving_input_receiver_fn` inputs):
//! one dense tensor named [`DENSE_INPUT_NAME`], or one input per raw feature name.

use super::TensorSpec;
use crate::feature_column::{ColumnValues, FeatureBatch};
use burn::tensor::{Int, Tensor};
use std::any::Any;

/// The name of the single input of a model whose features are one dense tensor (TF's
/// `build_raw_serving_input_receiver_fn` names it `input`).
pub const DENSE_INPUT_NAME: &str = "input";

/// The dtype name an input of strings records (numbers use burn's names: `F32`, `I64`, ...).
pub const STRING_DTYPE: &str = "String";

/// The inputs of an example batch of features: `[input]` when the features are one float or
/// int tensor of rank 1 to 4, else none (the export then records no input signature).
pub(crate) fn dense_input_specs(features: &dyn Any) -> Vec<TensorSpec> {
    let dims = float_dims(features).or_else(|| int_dims(features));
    dims.map(|(dims, dtype)| {
        vec![TensorSpec {
            name: DENSE_INPUT_NAME.to_string(),
            dtype,
            shape: batch_shape(&dims),
        }]
    })
    .unwrap_or_default()
}

fn float_dims(features: &dyn Any) -> Option<(Vec<usize>, String)> {
    let described = |dims: Vec<usize>, dtype: burn::tensor::DType| (dims, format!("{dtype:?}"));
    if let Some(t) = features.downcast_ref::<Tensor<1>>() {
        return Some(described(t.dims().to_vec(), t.dtype()));
    }
    if let Some(t) = features.downcast_ref::<Tensor<2>>() {
        return Some(described(t.dims().to_vec(), t.dtype()));
    }
    if let Some(t) = features.downcast_ref::<Tensor<3>>() {
        return Some(described(t.dims().to_vec(), t.dtype()));
    }
    let t = features.downcast_ref::<Tensor<4>>()?;
    Some(described(t.dims().to_vec(), t.dtype()))
}

fn int_dims(features: &dyn Any) -> Option<(Vec<usize>, String)> {
    let described = |dims: Vec<usize>, dtype: burn::tensor::DType| (dims, format!("{dtype:?}"));
    if let Some(t) = features.downcast_ref::<Tensor<1, Int>>() {
        return Some(described(t.dims().to_vec(), t.dtype()));
    }
    let t = features.downcast_ref::<Tensor<2, Int>>()?;
    Some(described(t.dims().to_vec(), t.dtype()))
}

/// Checks a batch of dense `features` against the input an export recorded: its dtype and
/// every dimension but the batch's. Features that are not one tensor, and exports that record
/// no dense input, pass (the model_fn's own checks, or the caught panic, remain).
pub(crate) fn check_dense_input(
    recorded: &[TensorSpec],
    features: &dyn Any,
) -> Result<(), crate::Error> {
    let [spec] = recorded else { return Ok(()) };
    let dims = float_dims(features).or_else(|| int_dims(features));
    let (Some((dims, dtype)), true) = (dims, spec.name == DENSE_INPUT_NAME) else {
        return Ok(());
    };
    let given = batch_shape(&dims);
    if given.len() == spec.shape.len() && given[1..] == spec.shape[1..] && dtype == spec.dtype {
        return Ok(());
    }
    Err(crate::Error::Shape(format!(
        "input `{}` expects shape {:?} of {}, given a batch of shape {dims:?} of {dtype} (-1 is the batch dimension)",
        spec.name, spec.shape, spec.dtype
    )))
}

/// `dims` with the batch dimension (the first) as `-1`.
fn batch_shape(dims: &[usize]) -> Vec<i64> {
    dims.iter()
        .enumerate()
        .map(|(i, d)| if i == 0 { -1 } else { *d as i64 })
        .collect()
}

/// One input per raw feature of `batch` (a premade's serving batch), in name order: numbers
/// per example as `[-1]` (or `[-1, n]` for `n` floats each), lists as `[-1, -1]`.
pub(crate) fn feature_input_specs(batch: &FeatureBatch) -> Vec<TensorSpec> {
    batch
        .names()
        .filter_map(|name| {
            let values = batch.get(name)?;
            let (dtype, shape) = column_signature(values, batch.len());
            Some(TensorSpec {
                name: name.to_string(),
                dtype: dtype.to_string(),
                shape,
            })
        })
        .collect()
}

fn column_signature(values: &ColumnValues, examples: usize) -> (&'static str, Vec<i64>) {
    match values {
        ColumnValues::Float(v) if examples > 0 && v.len() > examples => {
            ("F32", vec![-1, (v.len() / examples) as i64])
        }
        ColumnValues::Float(_) => ("F32", vec![-1]),
        ColumnValues::Int(_) => ("I64", vec![-1]),
        ColumnValues::Str(_) => (STRING_DTYPE, vec![-1]),
        ColumnValues::StrList(_) => (STRING_DTYPE, vec![-1, -1]),
        ColumnValues::IntList(_) => ("I64", vec![-1, -1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    #[test]
    fn a_batch_of_another_width_or_dtype_is_refused_naming_the_input() {
        let device = burn::tensor::Device::default();
        let recorded = dense_input_specs(&Tensor::<2>::zeros([3, 4], &device));
        let right = Tensor::<2>::zeros([7, 4], &device);
        assert!(check_dense_input(&recorded, &right).is_ok());
        let wide = Tensor::<2>::zeros([2, 5], &device);
        let err = check_dense_input(&recorded, &wide).expect_err("width 5 for 4");
        let text = err.to_string();
        assert!(
            text.contains("input `input` expects shape [-1, 4]") && text.contains("[2, 5]"),
            "{text}"
        );
        let ints = Tensor::<2, Int>::zeros([2, 4], &device);
        assert!(
            check_dense_input(&recorded, &ints).is_err(),
            "an int batch for a float input"
        );
    }

    #[test]
    fn a_dense_float_batch_is_one_input_named_input() {
        let x = Tensor::<2>::zeros([4, 64], &Device::default());
        let specs = dense_input_specs(&x);
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].name, "input");
        assert_eq!(specs[0].dtype, "F32");
        assert_eq!(specs[0].shape, vec![-1, 64]);
    }

    #[test]
    fn features_that_are_not_one_tensor_record_no_input() {
        let pair = (1u8, 2u8);
        assert!(dense_input_specs(&pair).is_empty());
    }

    #[test]
    fn feature_batches_record_one_input_per_feature() {
        let batch = FeatureBatch::new(2)
            .with("age", ColumnValues::Float(vec![1.0, 2.0]))
            .with("xy", ColumnValues::Float(vec![1.0, 2.0, 3.0, 4.0]))
            .with("city", ColumnValues::Str(vec!["a".into(), "b".into()]));
        let specs = feature_input_specs(&batch);
        let got: Vec<(&str, &str, Vec<i64>)> = specs
            .iter()
            .map(|s| (s.name.as_str(), s.dtype.as_str(), s.shape.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("age", "F32", vec![-1]),
                ("city", "String", vec![-1]),
                ("xy", "F32", vec![-1, 2]),
            ]
        );
    }
}
