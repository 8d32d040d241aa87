//! Model serialization: the one module that talks to burn's record and store APIs. Checkpoints
//! (burnpack bytes) and exports (a safetensors file) both go through here.

use crate::error::Error;
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::store::{BurnpackStore, ModuleSnapshot, ModuleStore, SafetensorsStore};
use burn::tensor::kind::Autodiff;
use burn::tensor::{Bool, Bytes, Int, Tensor, TensorData};
use std::path::Path;

/// The model's parameters as a record in bytes: the burnpack bytes `Module::into_record` and
/// `ModuleRecord::into_bytes` write (the same paths, ids, dtypes and order; a test compares
/// them), with each tensor's data read by [`host_data`], after [`sync_running_states`].
pub(crate) fn model_bytes<M: Module>(model: &M) -> Result<Bytes, Error> {
    sync_running_states(model);
    let mut collector = RecordCollector::default();
    model.visit(&mut collector);
    burn::store::burn_pack::Writer::new(collector.tensors)
        .into_bytes()
        .map_err(|e| Error::Config(format!("serialising the model: {e}")))
}

/// Folds every pending update of `model`'s running statistics (a batch norm's `running_mean`
/// and `running_var`) into the values a visit reads. burn's `RunningState` keeps a TRAIN
/// forward's update aside until the next forward (or `valid`), and a visit of the module
/// reads the value before it: a checkpoint written after step `n` would hold the statistics of
/// `n - 1` steps, and a run resumed from it would not match an uninterrupted one.
/// `Module::valid` syncs them (shared state: the clone it returns is dropped).
pub(crate) fn sync_running_states<M: Module>(model: &M) {
    drop(model.valid());
}

/// A tensor's values on the host, without burn-ndarray's slow copy. burn-ndarray's `into_data`
/// copies an array that something else still holds (a module's parameter, an optimizer's moment:
/// every tensor a checkpoint reads) element by element through a dynamic-rank iterator, at
/// about 100 MB/s; [`ndarray_copy`]'s one `memcpy` is taken by `into_data` without copying again.
/// The other backends copy at memory speed already.
pub(crate) fn host_data<const D: usize, K: Autodiff>(tensor: Tensor<D, K>) -> TensorData {
    ndarray_copy(&tensor).unwrap_or(tensor).into_data()
}

/// On ndarray, `tensor`'s values in a buffer of their own, without autodiff (`flip` over no
/// axis: one contiguous `memcpy` into a new array); `None` on the other backends.
fn ndarray_copy<const D: usize, K: Autodiff>(tensor: &Tensor<D, K>) -> Option<Tensor<D, K>> {
    on_ndarray(&tensor.device()).then(|| tensor.clone().inner().flip([0usize; 0]))
}

/// Whether `device` is burn-ndarray's (autodiff or not).
fn on_ndarray(device: &burn::tensor::Device) -> bool {
    #[cfg(feature = "ndarray")]
    if matches!(
        device.as_dispatch().clone().inner(),
        burn_dispatch::DispatchDevice::NdArray(_)
    ) {
        return true;
    }
    let _ = device;
    false
}

/// A clone of `model` whose float parameters have buffers of their own on ndarray (elsewhere a
/// plain clone, which shares them). A train call keeps the model it started from for a
/// recovery; a plain clone would leave the training model's arrays shared until its first
/// update, and burn-ndarray reads a shared array element by element (the first step of a 1.6 M
/// parameter model took 40 ms more). One `memcpy` per parameter here instead.
pub(crate) fn unshared_clone<M: Module>(model: &M) -> M {
    struct Unshare;
    impl ModuleMapper for Unshare {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            param.map(|t| {
                let Some(copy) = ndarray_copy(&t) else {
                    return t;
                };
                let copy = if t.is_autodiff() {
                    copy.autodiff()
                } else {
                    copy
                };
                if t.is_require_grad() {
                    copy.require_grad()
                } else {
                    copy
                }
            })
        }
    }
    model.clone().map(&mut Unshare)
}

/// The CPU devices compiled in (the default one, and ndarray's with that feature), each also
/// with autodiff when `autodiff`: what the tests of host-side copies run on.
#[cfg(test)]
pub(crate) fn cpu_devices(autodiff: bool) -> Vec<burn::tensor::Device> {
    #[allow(unused_mut)]
    let mut devices = vec![burn::tensor::Device::default()];
    #[cfg(feature = "ndarray")]
    {
        #[allow(deprecated)]
        devices.push(burn::tensor::Device::ndarray());
    }
    if autodiff {
        let tracked: Vec<_> = devices.iter().map(|d| d.clone().autodiff()).collect();
        devices.extend(tracked);
    }
    devices
}

/// Collects a module's parameters as burnpack tensors, as burn's `ModuleRecord` does: path
/// joined with `.`, the parameter's id, its `on_save` form.
#[derive(Default)]
struct RecordCollector {
    path: Vec<String>,
    tensors: Vec<burn::store::burn_pack::Tensor>,
}

impl RecordCollector {
    fn push(&mut self, id: ParamId, data: TensorData) {
        let (bytes, shape, dtype) = data.into_parts();
        let path = self.path.join(".");
        self.tensors.push(burn::store::burn_pack::Tensor::new(
            path,
            dtype,
            shape,
            Some(id.val()),
            bytes,
        ));
    }
}

impl ModuleVisitor for RecordCollector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.push(param.id, host_data(param.transform_for_save().val()));
    }
    fn visit_int<const D: usize>(&mut self, param: &Param<Tensor<D, Int>>) {
        self.push(param.id, host_data(param.transform_for_save().val()));
    }
    fn visit_bool<const D: usize>(&mut self, param: &Param<Tensor<D, Bool>>) {
        self.push(param.id, host_data(param.transform_for_save().val()));
    }
}

/// Loads parameters from record bytes, after checking that the shape fingerprint agrees.
pub(crate) fn load_model<M: Module>(
    model: M,
    bytes: Vec<u8>,
    fingerprint: &str,
    what: &Path,
) -> Result<M, Error> {
    let expected = shape_fingerprint(&model);
    if expected != fingerprint {
        return Err(corrupt(
            what,
            format!(
                "it holds a model of another shape\n  checkpoint: {fingerprint}\n  model:      {expected}"
            ),
        ));
    }
    let mut store = BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes)));
    let mut model = model;
    let applied = model.load_from(&mut store).map_err(|e| {
        corrupt(
            what,
            format!("the model record does not fit the model: {e}"),
        )
    })?;
    if !applied.errors.is_empty() || !applied.missing.is_empty() || !applied.unused.is_empty() {
        let missing: Vec<&str> = applied.missing.iter().map(|(p, _)| p.as_str()).collect();
        return Err(corrupt(
            what,
            format!(
                "the model record does not fit the model: missing {missing:?}, unused {:?}, errors {:?}",
                applied.unused, applied.errors
            ),
        ));
    }
    Ok(model)
}

/// Checks that the optimizer state `bytes` (a burn optimizer record) fits `model`: every state
/// tensor belongs to one of its parameters and has that parameter's shape, so that the first
/// update after a restore cannot panic.
pub(crate) fn check_optimizer_state<M: Module>(
    model: &M,
    bytes: &[u8],
    what: &Path,
) -> Result<(), Error> {
    let mut params = ParamShapes::default();
    model.visit(&mut params);
    let mut store = BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes.to_vec())));
    let tensors = store
        .get_all_tensors()
        .map_err(|e| corrupt(what, format!("optimizer state: {e}")))?;
    for (name, tensor) in tensors {
        let shape = tensor
            .param_id
            .and_then(|id| params.shapes.get(&id))
            .ok_or_else(|| {
                corrupt(
                    what,
                    format!("optimizer state `{name}` belongs to no parameter of the model"),
                )
            })?;
        if tensor.shape.as_slice() != shape.as_slice() {
            return Err(corrupt(
                what,
                format!(
                    "optimizer state `{name}` has shape {:?}, its parameter {:?}",
                    tensor.shape.as_slice(),
                    shape
                ),
            ));
        }
    }
    Ok(())
}

/// Initialises every parameter of `model` now. burn initialises parameters lazily, on first
/// use; a seeded build must draw their values while the seed still holds.
pub(crate) fn materialize<M: Module>(model: &M) {
    struct Materialize;
    impl ModuleVisitor for Materialize {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let _ = param.val();
        }
        fn visit_int<const D: usize>(&mut self, param: &Param<Tensor<D, Int>>) {
            let _ = param.val();
        }
        fn visit_bool<const D: usize>(&mut self, param: &Param<Tensor<D, Bool>>) {
            let _ = param.val();
        }
    }
    model.visit(&mut Materialize);
}

/// Every parameter's id and shape.
#[derive(Default)]
struct ParamShapes {
    shapes: std::collections::HashMap<u64, Vec<usize>>,
}

impl ModuleVisitor for ParamShapes {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let shape = param.lazy_shape();
        self.shapes
            .insert(param.id.val(), shape.as_slice().to_vec());
    }
}

/// Loads the parameters whose path matches one of the regular expressions `patterns` (checked
/// by `WarmStart::patterns`; all when empty) from record bytes, the checkpoint's tensor
/// `renames[path]` for each renamed `path`; returns the model and the paths applied.
pub(crate) fn warm_start<M: Module>(
    model: M,
    bytes: &[u8],
    patterns: &[String],
    renames: &std::collections::BTreeMap<String, String>,
    what: &Path,
) -> Result<(M, Vec<String>), Error> {
    let mut store =
        BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes.to_vec()))).allow_partial(true);
    for p in patterns {
        store = store.with_regex(p);
    }
    for (current, previous) in renames {
        // Exact names: escaped, so the pattern always compiles (burn-store panics otherwise).
        let from = format!("^{}$", regex::escape(previous));
        store = store.with_remap_pattern(from, current.replace('$', "$$"));
    }
    let mut model = model;
    let result = model
        .load_from(&mut store)
        .map_err(|e| corrupt(what, format!("warm start: {e:?}")))?;
    if !result.errors.is_empty() {
        return Err(corrupt(what, format!("warm start: {:?}", result.errors)));
    }
    Ok((model, result.applied))
}

/// Writes the model's weights to a safetensors file (an export's weights).
pub(crate) fn write_safetensors<M: Module>(model: &M, path: &Path) -> Result<(), String> {
    sync_running_states(model);
    let mut store = SafetensorsStore::from_file(path);
    model
        .save_into(&mut store)
        .map_err(|e| format!("writing weights: {e:?}"))
}

/// Reads weights from a safetensors file into `model`; every parameter must be found.
pub(crate) fn read_safetensors<M: Module>(model: M, bytes: Vec<u8>) -> Result<M, String> {
    let mut model = model;
    let mut store = SafetensorsStore::from_bytes(Some(bytes));
    let applied = model
        .load_from(&mut store)
        .map_err(|e| format!("reading weights: {e:?}"))?;
    if !applied.errors.is_empty() || !applied.missing.is_empty() || !applied.unused.is_empty() {
        let missing: Vec<&str> = applied.missing.iter().map(|(p, _)| p.as_str()).collect();
        return Err(format!(
            "weights do not fit the model (build the model the export was made from): missing {missing:?}, unused {:?}, errors {:?}",
            applied.unused, applied.errors
        ));
    }
    Ok(model)
}

fn corrupt(path: &Path, reason: String) -> Error {
    Error::CorruptCheckpoint {
        path: path.to_path_buf(),
        reason,
    }
}

/// Every parameter's path and shape, as one line: checkpoints of another shape are refused.
pub(crate) fn shape_fingerprint<M: Module>(model: &M) -> String {
    let mut v = ShapeFingerprint {
        path: Vec::new(),
        out: Vec::new(),
    };
    model.visit(&mut v);
    v.out.join(" ")
}

/// Collects `path[shape]` for every parameter of a module.
struct ShapeFingerprint {
    path: Vec<String>,
    out: Vec<String>,
}

impl ShapeFingerprint {
    fn push(&mut self, shape: burn::tensor::Shape) {
        self.out
            .push(format!("{}{:?}", self.path.join("."), shape.as_slice()));
    }
}

impl ModuleVisitor for ShapeFingerprint {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.push(param.lazy_shape());
    }
    fn visit_int<const D: usize>(&mut self, param: &Param<Tensor<D, Int>>) {
        self.push(param.lazy_shape());
    }
    fn visit_bool<const D: usize>(&mut self, param: &Param<Tensor<D, Bool>>) {
        self.push(param.lazy_shape());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use burn::nn::conv::{Conv2d, Conv2dConfig};
    use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
    use burn::tensor::Device;

    #[derive(Module, Debug)]
    struct Net {
        conv: Conv2d,
        norm: BatchNorm,
        layers: Vec<Linear>,
        last: Option<Linear>,
    }

    fn net(device: &Device) -> Net {
        Net {
            conv: Conv2dConfig::new([1, 4], [3, 3]).init(device),
            norm: BatchNormConfig::new(4).init(device),
            layers: vec![
                LinearConfig::new(36, 20).init(device),
                LinearConfig::new(20, 10).init(device),
            ],
            last: Some(LinearConfig::new(10, 3).with_bias(false).init(device)),
        }
    }

    /// `model_bytes` writes exactly the bytes burn's own record writes, on every device compiled
    /// in (autodiff ones too: a training model's), and they load back into the model.
    #[test]
    fn model_bytes_are_burns_record_bytes() {
        for device in cpu_devices(true) {
            let model = net(&device);
            let ours = model_bytes(&model).unwrap();
            let burns = model.clone().into_record().into_bytes().unwrap();
            assert_eq!(ours.len(), burns.len(), "{device:?}");
            assert!(ours[..] == burns[..], "{device:?}: the bytes differ");
            let fresh = net(&device);
            let fingerprint = shape_fingerprint(&model);
            let loaded = load_model(fresh, ours.to_vec(), &fingerprint, Path::new("t")).unwrap();
            let w = |m: &Net| m.layers[1].weight.val().into_data();
            assert_eq!(w(&loaded), w(&model));
        }
    }

    /// Every float parameter of a tensor's value, id, device kind and gradient flag.
    #[derive(Default)]
    struct Params(Vec<(ParamId, TensorData, bool, bool)>);
    impl ModuleVisitor for Params {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let t = param.val();
            let flags = (t.is_autodiff(), t.is_require_grad());
            self.0.push((param.id, t.into_data(), flags.0, flags.1));
        }
    }

    /// `unshared_clone` keeps every parameter's value, id, autodiff and gradient flag.
    #[test]
    fn unshared_clone_is_a_clone() {
        for device in cpu_devices(true) {
            let model = net(&device);
            let (mut a, mut b) = (Params::default(), Params::default());
            model.visit(&mut a);
            unshared_clone(&model).visit(&mut b);
            assert_eq!(a.0.len(), 11);
            assert!(a.0 == b.0, "{device:?}");
            assert_eq!(a.0[0].3, device.is_autodiff(), "{device:?}");
        }
    }

    /// `host_data` reads the values `into_data` reads, and leaves the tensor's holders alone.
    #[test]
    fn host_data_is_into_data() {
        for device in cpu_devices(false) {
            let t = Tensor::<3>::random([4, 5, 6], burn::tensor::Distribution::Default, &device);
            let held = t.clone();
            assert_eq!(host_data(t.clone()), t.into_data());
            let ints = Tensor::<1, Int>::arange(0..12, &device).reshape([3, 4]);
            let ints: Tensor<2, Int> = ints;
            assert_eq!(host_data(ints.clone()), ints.into_data());
            assert_eq!(host_data(held.clone()).shape().as_slice(), &[4, 5, 6]);
        }
    }
}
