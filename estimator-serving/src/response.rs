//! Answers: a signature's output tensors as TF Serving's JSON (`predictions`, `outputs`,
//! `:classify` and `:regress` `result`s).

use crate::error::ServingError;
use burn::tensor::{DType, TensorData};
use serde_json::{Map, Value, json};

/// One output tensor, read back from the model: `[examples, ...]` values.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputTensor {
    /// The output's name.
    pub name: String,
    /// Its shape; the first dimension is the examples.
    pub dims: Vec<usize>,
    /// Its values, row-major.
    pub values: OutputValues,
}

/// The values of an output, widened so that JSON carries them exactly (an `f32` is written as
/// the `f64` of the same value, which reads back to the same bits).
#[derive(Debug, Clone, PartialEq)]
pub enum OutputValues {
    /// Floats.
    Float(Vec<f64>),
    /// Integers.
    Int(Vec<i64>),
    /// Booleans.
    Bool(Vec<bool>),
}

impl OutputTensor {
    /// Reads a model output.
    pub fn from_data(name: &str, data: &TensorData) -> Result<Self, ServingError> {
        let read_err = |e: burn::tensor::DataError| {
            ServingError::Internal(format!("reading output `{name}`: {e:?}"))
        };
        let values = match data.dtype() {
            DType::Bool(_) => OutputValues::Bool(data.try_to_vec_as::<bool>().map_err(read_err)?),
            d if d.is_float() => {
                OutputValues::Float(data.try_to_vec_as::<f64>().map_err(read_err)?)
            }
            _ => OutputValues::Int(data.try_to_vec_as::<i64>().map_err(read_err)?),
        };
        Ok(OutputTensor {
            name: name.to_string(),
            dims: data.shape().as_slice().to_vec(),
            values,
        })
    }

    /// How many examples it holds (its first dimension; 1 for a scalar).
    pub fn examples(&self) -> usize {
        self.dims.first().copied().unwrap_or(1)
    }

    /// Values per example.
    fn per_example(&self) -> usize {
        self.dims.iter().skip(1).product()
    }

    /// Example `i` as a JSON value: a number, or nested lists of the inner shape.
    pub fn example(&self, i: usize) -> Value {
        let n = self.per_example();
        nested(&self.values, i * n, &self.dims[1.min(self.dims.len())..])
    }

    /// The whole tensor as nested JSON lists.
    pub fn whole(&self) -> Value {
        Value::Array((0..self.examples()).map(|i| self.example(i)).collect())
    }

    /// Float view of example `i`'s values (scores, regression values).
    pub fn example_floats(&self, i: usize) -> Vec<f64> {
        let n = self.per_example();
        let range = i * n..(i + 1) * n;
        match &self.values {
            OutputValues::Float(v) => v.get(range).map(<[f64]>::to_vec),
            OutputValues::Int(v) => v.get(range).map(|s| s.iter().map(|x| *x as f64).collect()),
            OutputValues::Bool(v) => v
                .get(range)
                .map(|s| s.iter().map(|x| f64::from(u8::from(*x))).collect()),
        }
        .unwrap_or_default()
    }

    /// The values of examples `range`, as a tensor of its own (to split a batch).
    pub fn rows(&self, range: std::ops::Range<usize>) -> OutputTensor {
        let n = self.per_example();
        let (start, end) = (range.start * n, range.end * n);
        let values = match &self.values {
            OutputValues::Float(v) => {
                OutputValues::Float(v.get(start..end).unwrap_or_default().to_vec())
            }
            OutputValues::Int(v) => {
                OutputValues::Int(v.get(start..end).unwrap_or_default().to_vec())
            }
            OutputValues::Bool(v) => {
                OutputValues::Bool(v.get(start..end).unwrap_or_default().to_vec())
            }
        };
        let mut dims = self.dims.clone();
        if let Some(first) = dims.first_mut() {
            *first = range.len();
        }
        OutputTensor {
            name: self.name.clone(),
            dims,
            values,
        }
    }
}

fn nested(values: &OutputValues, offset: usize, dims: &[usize]) -> Value {
    let Some((&dim, rest)) = dims.split_first() else {
        return scalar(values, offset);
    };
    let stride: usize = rest.iter().product();
    Value::Array(
        (0..dim)
            .map(|j| nested(values, offset + j * stride, rest))
            .collect(),
    )
}

fn scalar(values: &OutputValues, at: usize) -> Value {
    match values {
        OutputValues::Float(v) => v.get(at).map_or(Value::Null, |x| json!(x)),
        OutputValues::Int(v) => v.get(at).map_or(Value::Null, |x| json!(x)),
        OutputValues::Bool(v) => v.get(at).map_or(Value::Null, |x| json!(x)),
    }
}

/// `:predict`'s answer: `{"predictions": [...]}` per row (each example's value when there is
/// one output, else an object by output name), or `{"outputs": ...}` in column form.
pub fn predict_answer(outputs: &[OutputTensor], rows: bool) -> Value {
    if rows {
        let examples = outputs.first().map_or(0, OutputTensor::examples);
        let predictions: Vec<Value> = (0..examples)
            .map(|i| match outputs {
                [single] => single.example(i),
                many => Value::Object(
                    many.iter()
                        .map(|o| (o.name.clone(), o.example(i)))
                        .collect(),
                ),
            })
            .collect();
        return json!({ "predictions": predictions });
    }
    let outputs = match outputs {
        [single] => single.whole(),
        many => Value::Object(
            many.iter()
                .map(|o| (o.name.clone(), o.whole()))
                .collect::<Map<_, _>>(),
        ),
    };
    json!({ "outputs": outputs })
}

/// `:classify`'s answer: per example, `[label, score]` for every class.
pub fn classify_answer(outputs: &[OutputTensor], labels: &[String]) -> Result<Value, ServingError> {
    let scores = find(outputs, "scores")?;
    let result: Vec<Value> = (0..scores.examples())
        .map(|i| {
            let pairs = scores.example_floats(i).into_iter().enumerate();
            Value::Array(
                pairs
                    .map(|(c, s)| json!([class_label(labels, c), s]))
                    .collect(),
            )
        })
        .collect();
    Ok(json!({ "result": result }))
}

/// The label of class `c`: the vocabulary's string, else the id as a string (TF's heads).
pub(crate) fn class_label(labels: &[String], c: usize) -> String {
    labels.get(c).cloned().unwrap_or_else(|| c.to_string())
}

/// `:regress`'s answer: one value per example.
pub fn regress_answer(outputs: &[OutputTensor]) -> Result<Value, ServingError> {
    let value = find(outputs, "value")?;
    let result: Vec<Value> = (0..value.examples())
        .map(|i| {
            value
                .example_floats(i)
                .first()
                .map_or(Value::Null, |x| json!(x))
        })
        .collect();
    Ok(json!({ "result": result }))
}

fn find<'a>(outputs: &'a [OutputTensor], name: &str) -> Result<&'a OutputTensor, ServingError> {
    outputs
        .iter()
        .find(|o| o.name == name)
        .ok_or_else(|| ServingError::invalid(format!("the signature has no `{name}` output")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores() -> OutputTensor {
        OutputTensor {
            name: "scores".into(),
            dims: vec![2, 2],
            values: OutputValues::Float(vec![0.25, 0.75, 1.0, 0.0]),
        }
    }

    #[test]
    fn one_output_predictions_are_the_values_per_example() {
        let answer = predict_answer(&[scores()], true);
        assert_eq!(answer, json!({"predictions": [[0.25, 0.75], [1.0, 0.0]]}));
        let columns = predict_answer(&[scores()], false);
        assert_eq!(columns, json!({"outputs": [[0.25, 0.75], [1.0, 0.0]]}));
    }

    #[test]
    fn several_outputs_are_keyed_by_name() {
        let classes = OutputTensor {
            name: "classes".into(),
            dims: vec![2],
            values: OutputValues::Int(vec![1, 0]),
        };
        let answer = predict_answer(&[classes, scores()], true);
        assert_eq!(
            answer,
            json!({"predictions": [{"classes": 1, "scores": [0.25, 0.75]}, {"classes": 0, "scores": [1.0, 0.0]}]})
        );
    }

    #[test]
    fn classify_pairs_labels_with_scores() {
        let ids = classify_answer(&[scores()], &[]).expect("classify");
        assert_eq!(
            ids,
            json!({"result": [[["0", 0.25], ["1", 0.75]], [["0", 1.0], ["1", 0.0]]]})
        );
        let named = classify_answer(&[scores()], &["no".into(), "yes".into()]).expect("classify");
        assert_eq!(named["result"][0][1], json!(["yes", 0.75]));
    }

    #[test]
    fn a_batch_splits_into_rows() {
        let second = scores().rows(1..2);
        assert_eq!(second.dims, vec![1, 2]);
        assert_eq!(second.values, OutputValues::Float(vec![1.0, 0.0]));
    }
}
