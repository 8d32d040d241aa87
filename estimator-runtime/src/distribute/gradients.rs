//! Gradient averaging: burn's `GradientsParams` flattened into one buffer, in the model's
//! parameter order (the same on every replica), all-reduced in buckets, and rebuilt.

use super::Distribution;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{DType, Device, Shape, Tensor, TensorData};
use std::time::Instant;

/// The mean of every replica's `grads` for `model`'s float parameters.
///
/// The buffer starts with one presence count per parameter, then every gradient's values as
/// `f32`. A parameter with no gradient on a rank counts as zeros there; one with no gradient on
/// any rank stays absent, so the optimizer skips it as it would in one process.
pub(crate) fn all_reduce_mean<M: Module>(
    distribution: &Distribution,
    model: &M,
    grads: GradientsParams,
) -> GradientsParams {
    let started = Instant::now();
    let mut flat = Flatten {
        grads,
        slots: Vec::new(),
        values: Vec::new(),
    };
    model.visit(&mut flat);
    let Flatten { slots, values, .. } = flat;
    let mut buffer: Vec<f32> = slots
        .iter()
        .map(|s| f32::from(u8::from(s.present)))
        .collect();
    buffer.extend_from_slice(&values);
    drop(values);
    let calls = distribution.all_sum_f32(&mut buffer);
    let bytes = (buffer.len() * 4) as u64;
    let scale = 1.0 / distribution.num_replicas() as f32;
    let (counts, values) = buffer.split_at_mut(slots.len());
    values.iter_mut().for_each(|v| *v *= scale);
    let mut rebuild = Rebuild {
        grads: GradientsParams::new(),
        slots: slots.into_iter().zip(counts.iter()).collect(),
        values,
        next: 0,
        offset: 0,
    };
    model.visit(&mut rebuild);
    distribution.record(calls, bytes, started);
    rebuild.grads
}

/// One float parameter's place in the buffer.
struct Slot {
    present: bool,
    len: usize,
    shape: Shape,
    dtype: DType,
    device: Option<Device>,
}

struct Flatten {
    grads: GradientsParams,
    slots: Vec<Slot>,
    values: Vec<f32>,
}

impl ModuleVisitor for Flatten {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let shape = param.lazy_shape();
        let len = shape.num_elements();
        match self.grads.remove::<D>(param.id) {
            Some(grad) => {
                let device = grad.device();
                let data = grad.into_data();
                let dtype = data.dtype();
                let data = data.convert::<f32>();
                match data.as_slice::<f32>() {
                    Ok(v) if v.len() == len => self.values.extend_from_slice(v),
                    _ => self.values.resize(self.values.len() + len, 0.0),
                }
                self.slots.push(Slot {
                    present: true,
                    len,
                    shape,
                    dtype,
                    device: Some(device),
                });
            }
            None => {
                self.values.resize(self.values.len() + len, 0.0);
                self.slots.push(Slot {
                    present: false,
                    len,
                    shape,
                    dtype: DType::F32,
                    device: None,
                });
            }
        }
    }
}

struct Rebuild<'a> {
    grads: GradientsParams,
    slots: Vec<(Slot, &'a f32)>,
    values: &'a [f32],
    next: usize,
    offset: usize,
}

impl ModuleVisitor for Rebuild<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let Some((slot, count)) = self.slots.get(self.next) else {
            return;
        };
        self.next += 1;
        let range = self.offset..self.offset + slot.len;
        self.offset = range.end;
        if **count == 0.0 {
            return;
        }
        let device = slot
            .device
            .clone()
            .unwrap_or_else(|| param.val().device().inner());
        let data = TensorData::new(self.values[range].to_vec(), slot.shape.clone());
        let data = if slot.dtype == DType::F32 {
            data
        } else {
            data.convert_dtype(slot.dtype)
        };
        self.grads
            .register::<D>(param.id, Tensor::from_data(data, &device));
    }
}
