//! Model serialization: the one module that talks to burn's record and store APIs. Checkpoints
//! (burnpack bytes) and exports (a safetensors file) both go through here.

use crate::error::Error;
use burn::module::{Module, ModuleVisitor, Param};
use burn::store::{BurnpackStore, ModuleSnapshot, ModuleStore, SafetensorsStore};
use burn::tensor::{Bool, Bytes, Int, Tensor};
use std::path::Path;

/// The model's parameters as a record in bytes (burnpack), as burn made them (no copy).
pub(crate) fn model_bytes<M: Module>(model: &M) -> Result<Bytes, Error> {
    model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| Error::Config(format!("serialising the model: {e:?}")))
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
