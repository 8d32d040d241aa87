//! Running statistics (a batch norm's `running_mean` and `running_var`) across replicas.
//!
//! Each replica updates its running statistics from its own share of the batch, so they drift
//! apart while the weights stay identical. A checkpoint holds the chief's, and a restarted job
//! gives them to every rank: the resumed run would not match an uninterrupted one, in which the
//! other ranks kept their own. So at every checkpoint all replicas take the mean of theirs (as
//! TF's `MirroredStrategy` reads a batch norm's `ON_READ` moving averages, by `MEAN`), and the
//! checkpoint holds what every rank continues from.

use super::Distribution;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::tensor::{DType, Shape, Tensor, TensorData};
use std::collections::HashMap;

/// Makes every replica's tensors that do not train (running statistics, on the training model
/// where the parameters require gradients) the mean over the replicas. The sum runs in `f64`, so
/// tensors already equal on every rank (a frozen parameter) keep their values exactly. A
/// collective call: every rank makes it at the same point.
pub(crate) fn average_running_states<M: Module>(distribution: &Distribution, model: &M) {
    crate::record::sync_running_states(model);
    let mut collect = Collect::default();
    model.visit(&mut collect);
    let Collect {
        tensors,
        mut values,
    } = collect;
    // Every rank has the same model, so the same tensors in the same order (checked at start).
    distribution.all_sum_f64(&mut values);
    let scale = distribution.num_replicas() as f64;
    let mut assign = Assign {
        tensors: HashMap::new(),
    };
    let mut offset = 0;
    for (id, shape, dtype) in tensors {
        let len = shape.num_elements();
        let mean: Vec<f32> = values[offset..offset + len]
            .iter()
            .map(|&v| (v / scale) as f32)
            .collect();
        offset += len;
        let data = TensorData::new(mean, shape).convert_dtype(dtype);
        assign.tensors.insert(id, data);
    }
    // `RunningState::map` writes the new value into the state it shares with `model`; the
    // mapped clone is dropped.
    drop(model.clone().map(&mut assign));
}

/// The tensors that do not require a gradient, with their values in `f64`.
#[derive(Default)]
struct Collect {
    tensors: Vec<(ParamId, Shape, DType)>,
    values: Vec<f64>,
}

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        if tensor.is_require_grad() {
            return;
        }
        let data = crate::record::host_data(tensor);
        self.tensors
            .push((param.id, data.shape().clone(), data.dtype()));
        self.values.extend(data.iter::<f64>());
    }
}

/// Replaces the value of each tensor in `tensors`, by id.
struct Assign {
    tensors: HashMap<ParamId, TensorData>,
}

impl ModuleMapper for Assign {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let Some(data) = self.tensors.remove(&param.id) else {
            return param;
        };
        let device = param.val().device();
        let id = param.id;
        Param::initialized(id, Tensor::from_data(data, &device))
    }
}
