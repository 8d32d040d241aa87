//! `Predictions`: named output tensors of any rank and kind.

use burn::tensor::{Tensor, TensorData, kind::Basic};
use std::fmt;
use std::sync::Arc;

/// A tensor of any rank and kind, behind one type.
///
/// Built with `AnyTensor::from(tensor)`; the data stays on its device until it is read.
#[derive(Clone)]
pub struct AnyTensor(Arc<dyn ErasedTensor>);

trait ErasedTensor: Send + Sync {
    fn dims(&self) -> Vec<usize>;
    fn to_data(&self) -> TensorData;
    /// The data, without copying the tensor first when this is its last handle.
    fn into_data(self: Arc<Self>) -> TensorData;
}

impl<const D: usize, K: Basic + 'static> ErasedTensor for Tensor<D, K>
where
    Tensor<D, K>: Send + Sync,
{
    fn dims(&self) -> Vec<usize> {
        Tensor::dims(self).to_vec()
    }

    fn to_data(&self) -> TensorData {
        Tensor::to_data(self)
    }

    fn into_data(self: Arc<Self>) -> TensorData {
        match Arc::try_unwrap(self) {
            Ok(tensor) => Tensor::into_data(tensor),
            Err(shared) => Tensor::to_data(&*shared),
        }
    }
}

impl AnyTensor {
    /// The tensor's shape.
    pub fn dims(&self) -> Vec<usize> {
        self.0.dims()
    }

    /// Copies the tensor to the host.
    pub fn to_data(&self) -> TensorData {
        self.0.to_data()
    }

    /// Moves the tensor to the host (no copy of the tensor when this is its last handle).
    pub(crate) fn into_data(self) -> TensorData {
        self.0.into_data()
    }
}

impl<const D: usize, K: Basic + 'static> From<Tensor<D, K>> for AnyTensor
where
    Tensor<D, K>: Send + Sync,
{
    fn from(tensor: Tensor<D, K>) -> Self {
        AnyTensor(Arc::new(tensor))
    }
}

impl fmt::Debug for AnyTensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AnyTensor{:?}", self.dims())
    }
}

/// The name a bare tensor gets in [`Predictions::from`].
pub const SINGLE_OUTPUT: &str = "output";

/// The model's predictions: named tensors whose first dimension is the batch.
///
/// ```
/// use estimator_runtime::prelude::*;
/// let device = Device::default();
/// let probs = Tensor::<2>::from_data([[0.1f32, 0.9], [0.8, 0.2]], &device);
/// let classes = probs.clone().argmax(1).flatten::<1>(0, 1);
/// let p = Predictions::new().with("probabilities", probs).with("class", classes);
/// assert_eq!(p.names().collect::<Vec<_>>(), ["probabilities", "class"]);
/// assert_eq!(p.get("class").map(|t| t.dims()), Some(vec![2]));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Predictions {
    entries: Vec<(String, AnyTensor)>,
    single: bool,
}

impl Predictions {
    /// The named tensors, in order.
    pub(crate) fn into_entries(self) -> Vec<(String, AnyTensor)> {
        self.entries
    }

    /// No predictions yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the output `name`.
    pub fn with(mut self, name: impl Into<String>, tensor: impl Into<AnyTensor>) -> Self {
        let name = name.into();
        let tensor = tensor.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = tensor,
            None => self.entries.push((name, tensor)),
        }
        self.single = false;
        self
    }

    /// The output `name`, if present.
    pub fn get(&self, name: &str) -> Option<&AnyTensor> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// The output names, in insertion order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// Every `(name, tensor)` pair, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AnyTensor)> {
        self.entries.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// How many outputs there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no output.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether this was built from a bare tensor (TF allows `predictions=tensor`).
    pub fn is_single(&self) -> bool {
        self.single
    }
}

impl<T: Into<AnyTensor>> From<T> for Predictions {
    /// A single unnamed output, stored under [`SINGLE_OUTPUT`].
    fn from(tensor: T) -> Self {
        Predictions {
            entries: vec![(SINGLE_OUTPUT.to_string(), tensor.into())],
            single: true,
        }
    }
}
