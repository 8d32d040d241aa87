//! Tensor values, dtypes and shapes as the reader returns them.

/// A tensor's element type, named as numpy names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TfDtype {
    /// `DT_FLOAT`.
    Float32,
    /// `DT_DOUBLE`.
    Float64,
    /// `DT_INT32`.
    Int32,
    /// `DT_INT64`.
    Int64,
    /// Any other `tensorflow.DataType` (listed, not read).
    Other(i32),
}

impl TfDtype {
    /// From `tensorflow.DataType`'s number.
    pub fn from_proto(dtype: i32) -> Self {
        match dtype {
            1 => TfDtype::Float32,
            2 => TfDtype::Float64,
            3 => TfDtype::Int32,
            9 => TfDtype::Int64,
            other => TfDtype::Other(other),
        }
    }

    /// numpy's name (`float32`, `float64`, `int32`, `int64`; `object` for strings, `bool`, ...).
    pub fn name(&self) -> String {
        let known = match self {
            TfDtype::Float32 => "float32",
            TfDtype::Float64 => "float64",
            TfDtype::Int32 => "int32",
            TfDtype::Int64 => "int64",
            TfDtype::Other(4) => "uint8",
            TfDtype::Other(5) => "int16",
            TfDtype::Other(6) => "int8",
            TfDtype::Other(7) => "object",
            TfDtype::Other(10) => "bool",
            TfDtype::Other(19) => "float16",
            TfDtype::Other(14) => "bfloat16",
            TfDtype::Other(n) => return format!("DataType({n})"),
        };
        known.to_string()
    }

    /// Bytes per element, for the four types read.
    pub(crate) fn width(&self) -> Option<usize> {
        match self {
            TfDtype::Float32 | TfDtype::Int32 => Some(4),
            TfDtype::Float64 | TfDtype::Int64 => Some(8),
            TfDtype::Other(_) => None,
        }
    }
}

/// A tensor's values, flat and row-major.
#[derive(Clone, Debug, PartialEq)]
pub enum TfValues {
    /// `float32`.
    F32(Vec<f32>),
    /// `float64`.
    F64(Vec<f64>),
    /// `int32`.
    I32(Vec<i32>),
    /// `int64`.
    I64(Vec<i64>),
}

impl TfValues {
    /// Little-endian bytes (as TF writes them) of `dtype` into values.
    pub(crate) fn from_le_bytes(dtype: TfDtype, bytes: &[u8]) -> Option<Self> {
        fn each<const N: usize, T>(bytes: &[u8], f: fn([u8; N]) -> T) -> Vec<T> {
            bytes
                .chunks_exact(N)
                .map(|c| {
                    let mut a = [0u8; N];
                    a.copy_from_slice(c);
                    f(a)
                })
                .collect()
        }
        Some(match dtype {
            TfDtype::Float32 => TfValues::F32(each(bytes, f32::from_le_bytes)),
            TfDtype::Float64 => TfValues::F64(each(bytes, f64::from_le_bytes)),
            TfDtype::Int32 => TfValues::I32(each(bytes, i32::from_le_bytes)),
            TfDtype::Int64 => TfValues::I64(each(bytes, i64::from_le_bytes)),
            TfDtype::Other(_) => return None,
        })
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            TfValues::F32(v) => v.len(),
            TfValues::F64(v) => v.len(),
            TfValues::I32(v) => v.len(),
            TfValues::I64(v) => v.len(),
        }
    }

    /// No values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as `f32` (integers and doubles converted, as a model's parameters need).
    pub fn to_f32(&self) -> Vec<f32> {
        match self {
            TfValues::F32(v) => v.clone(),
            TfValues::F64(v) => v.iter().map(|&x| x as f32).collect(),
            TfValues::I32(v) => v.iter().map(|&x| x as f32).collect(),
            TfValues::I64(v) => v.iter().map(|&x| x as f32).collect(),
        }
    }

    /// The values as JSON numbers.
    pub fn to_json(&self) -> Vec<serde_json::Value> {
        match self {
            TfValues::F32(v) => v.iter().map(|&x| serde_json::json!(x)).collect(),
            TfValues::F64(v) => v.iter().map(|&x| serde_json::json!(x)).collect(),
            TfValues::I32(v) => v.iter().map(|&x| serde_json::json!(x)).collect(),
            TfValues::I64(v) => v.iter().map(|&x| serde_json::json!(x)).collect(),
        }
    }
}

/// One variable of a checkpoint, as `tf.train.list_variables` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TfVariable {
    /// The name (`dnn/hiddenlayer_0/kernel`).
    pub name: String,
    /// The element type.
    pub dtype: TfDtype,
    /// The whole shape (also for a partitioned variable).
    pub shape: Vec<usize>,
}

/// A tensor read from a checkpoint: whole, also when it was saved in slices.
#[derive(Clone, Debug, PartialEq)]
pub struct TfTensor {
    /// The name.
    pub name: String,
    /// The shape, outermost first.
    pub shape: Vec<usize>,
    /// The values, flat, row-major.
    pub values: TfValues,
}
