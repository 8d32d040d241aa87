//! What an export must pass when it is loaded: finite weights of the dtypes the model was
//! built with, and signatures whose methods and outputs fit TF's export outputs. An export
//! that fails one is refused at load, with the reason, instead of predicting garbage (NaN
//! weights predict class 0 for every input) or panicking at the first predict (F64 weights
//! in an F32 model).

use super::{ExportManifest, SignatureDef};
use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Bool, DType, Int, Tensor};
use std::collections::BTreeSet;

/// How [`ExportedModel::load_with`](super::ExportedModel::load_with) checks an export.
///
/// ```
/// use estimator_runtime::ExportLoadOptions;
/// let options = ExportLoadOptions::default().allow_non_finite_weights(true);
/// assert!(options.allow_non_finite_weights);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportLoadOptions {
    /// Load weights holding NaN or ±inf (default `false`: a typed error naming the tensor).
    pub allow_non_finite_weights: bool,
}

impl ExportLoadOptions {
    /// Sets [`allow_non_finite_weights`](Self::allow_non_finite_weights).
    pub fn allow_non_finite_weights(mut self, allow: bool) -> Self {
        self.allow_non_finite_weights = allow;
        self
    }
}

/// Each parameter's path, dtype and count of non-finite values.
#[derive(Default)]
struct WeightScan {
    path: Vec<String>,
    params: Vec<(String, DType, usize)>,
}

impl WeightScan {
    fn of<M: Module>(model: &M) -> Vec<(String, DType, usize)> {
        let mut scan = WeightScan::default();
        model.visit(&mut scan);
        scan.params
    }

    fn push(&mut self, dtype: DType, non_finite: usize) {
        self.params.push((self.path.join("."), dtype, non_finite));
    }
}

impl ModuleVisitor for WeightScan {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let data = param.val().to_data();
        let non_finite = data.iter::<f64>().filter(|x: &f64| !x.is_finite()).count();
        self.push(data.dtype(), non_finite);
    }
    fn visit_int<const D: usize>(&mut self, param: &Param<Tensor<D, Int>>) {
        self.push(param.val().dtype(), 0);
    }
    fn visit_bool<const D: usize>(&mut self, param: &Param<Tensor<D, Bool>>) {
        self.push(param.val().dtype(), 0);
    }
}

/// The dtype of every parameter of a freshly built model, before the export is loaded into it.
pub(super) fn dtypes<M: Module>(model: &M) -> Vec<(String, DType)> {
    let mut scan = DtypeScan::default();
    model.visit(&mut scan);
    scan.params
}

/// Each parameter's path and dtype (no data read).
#[derive(Default)]
struct DtypeScan {
    path: Vec<String>,
    params: Vec<(String, DType)>,
}

impl ModuleVisitor for DtypeScan {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.params.push((self.path.join("."), param.val().dtype()));
    }
    fn visit_int<const D: usize>(&mut self, param: &Param<Tensor<D, Int>>) {
        self.params.push((self.path.join("."), param.val().dtype()));
    }
    fn visit_bool<const D: usize>(&mut self, param: &Param<Tensor<D, Bool>>) {
        self.params.push((self.path.join("."), param.val().dtype()));
    }
}

/// Checks the loaded `model` against the dtypes it was built with (`expected`) and, unless
/// allowed, for non-finite values; the reason for the first failure.
pub(super) fn check_weights<M: Module>(
    model: &M,
    expected: &[(String, DType)],
    options: &ExportLoadOptions,
) -> Result<(), String> {
    for ((path, dtype, non_finite), (_, built)) in WeightScan::of(model).iter().zip(expected) {
        if dtype != built {
            return Err(format!(
                "weight `{path}` is {dtype:?}, but the model takes {built:?} (export it from a model of this dtype, or build the model with {dtype:?})"
            ));
        }
        if *non_finite > 0 && !options.allow_non_finite_weights {
            return Err(format!(
                "weight `{path}` holds {non_finite} NaN or infinite values (the export is corrupt or was trained into divergence; load it anyway with `ExportLoadOptions::allow_non_finite_weights(true)`)"
            ));
        }
    }
    Ok(())
}

/// Checks that every signature is one TF's export outputs can give: a known method, outputs
/// that method has, no name twice; the reason for the first failure.
pub(super) fn check_signatures(manifest: &ExportManifest) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for signature in &manifest.signatures {
        if !names.insert(signature.name.as_str()) {
            return Err(format!("signature `{}` appears twice", signature.name));
        }
        check_outputs(signature)?;
    }
    if !names.contains(crate::DEFAULT_SERVING_SIGNATURE_DEF_KEY) {
        return Err(format!(
            "no `{}` signature",
            crate::DEFAULT_SERVING_SIGNATURE_DEF_KEY
        ));
    }
    Ok(())
}

fn check_outputs(signature: &SignatureDef) -> Result<(), String> {
    let allowed: Option<&[&str]> = match signature.method.as_str() {
        "classify" => Some(&["scores", "classes"]),
        "regress" => Some(&["value"]),
        "predict" => None,
        other => {
            return Err(format!(
                "signature `{}` has method `{}`, not classify, regress or predict",
                signature.name,
                crate::feature_column::short_value(other)
            ));
        }
    };
    let mut seen = BTreeSet::new();
    for output in &signature.outputs {
        let name = output.name.as_str();
        let unknown = allowed.is_some_and(|a| !a.contains(&name));
        if unknown || !seen.insert(name) || name.is_empty() {
            return Err(format!(
                "signature `{}` ({}) has an output `{}` that its method does not give, or twice",
                signature.name,
                signature.method,
                crate::feature_column::short_value(name)
            ));
        }
    }
    if signature.outputs.is_empty() {
        return Err(format!("signature `{}` has no outputs", signature.name));
    }
    Ok(())
}
