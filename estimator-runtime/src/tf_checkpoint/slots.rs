//! An optimizer's state from a TF checkpoint's slot variables, so that training continues on
//! TF's own trajectory ([`Estimator::continue_tf_run`](crate::Estimator::continue_tf_run)).
//!
//! TF 2.15 names slots in two ways in the name-based checkpoints estimators write:
//! - a canned estimator's Keras (legacy) optimizer: `training/<Optimizer>/<variable>/<slot>`,
//!   e.g. `training/Adagrad/dnn/logits/kernel/accumulator`;
//! - a `tf.compat.v1.train` optimizer (custom model_fns): `<variable>/<Optimizer>[_<n>]`,
//!   e.g. `dense/kernel/Adam` (m) and `dense/kernel/Adam_1` (v).
//!
//! The update counter (Keras's `iterations`, which TF's estimators tie to the global step) is
//! the checkpoint's `global_step`.

use super::warm::{read_source, renamed};
use super::{TfCheckpoint, TfSource, TfVarMap, TfWarmStart};
use crate::OptimizerConfig;
use crate::error::Error;
use crate::tf_optim::{TfAdagradConfig, TfAdamConfig, TfFtrlConfig, TfRmsPropConfig, TfSgdConfig};
use burn::module::{Module, ModuleVisitor, Param};
use burn::store::ModuleSnapshot;
use burn::store::burn_pack::{Scalar, Writer};
use burn::tensor::Tensor;
use std::collections::HashSet;

/// An optimizer of [`tf_optim`](crate::tf_optim) whose TF slot variable names are known.
pub trait TfSlotNames: OptimizerConfig {
    /// The Keras class name (`Adagrad`), which canned estimators put in `training/<name>/`.
    fn keras_name(&self) -> &'static str;
    /// Each state leaf and its Keras slot name (`accumulator`, `m`, `v`, `rms`, ...).
    fn keras_slots(&self) -> Vec<(&'static str, &'static str)>;
    /// Each state leaf and its `tf.compat.v1.train` slot name (`Adam`, `Adam_1`), or why this
    /// optimizer's v1 twin keeps other numbers.
    fn compat_v1_slots(&self) -> Result<Vec<(&'static str, &'static str)>, String>;
    /// The state's update counter, set to the global step (Adam's `iterations`).
    fn counter(&self) -> Option<&'static str> {
        None
    }
}

/// Where a TF checkpoint keeps an optimizer's slots, and our optimizer's kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TfSlots {
    kind: &'static str,
    /// Each state leaf and the TF name of its slot, `{var}` standing for the variable's name.
    templates: Vec<(&'static str, String)>,
    counter: Option<&'static str>,
}

impl TfSlots {
    /// The slots of a TF 2.15 canned estimator's optimizer (a Keras legacy optimizer):
    /// `training/<Optimizer>/<variable>/<slot>`.
    ///
    /// ```
    /// use estimator_runtime::tf_checkpoint::TfSlots;
    /// use estimator_runtime::tf_optim::TfAdagradConfig;
    /// let slots = TfSlots::canned_estimator(&TfAdagradConfig::new().with_legacy(true));
    /// assert_eq!(
    ///     slots.slot_names("dnn/logits/kernel"),
    ///     [("accumulator", "training/Adagrad/dnn/logits/kernel/accumulator".to_string())]
    /// );
    /// ```
    pub fn canned_estimator(optimizer: &impl TfSlotNames) -> Self {
        let name = optimizer.keras_name();
        let templates = optimizer.keras_slots().into_iter();
        TfSlots {
            kind: optimizer.kind(),
            templates: templates
                .map(|(leaf, slot)| (leaf, format!("training/{name}/{{var}}/{slot}")))
                .collect(),
            counter: optimizer.counter(),
        }
    }

    /// The slots of a `tf.compat.v1.train` optimizer (what custom model_fns use):
    /// `<variable>/<Optimizer>[_<n>]`. An optimizer whose v1 twin keeps other numbers in its
    /// slots (RMSProp, Momentum) is an [`Error::Config`].
    pub fn compat_v1(optimizer: &impl TfSlotNames) -> Result<Self, Error> {
        let slots = optimizer.compat_v1_slots().map_err(Error::Config)?;
        Ok(TfSlots {
            kind: optimizer.kind(),
            templates: slots
                .into_iter()
                .map(|(leaf, slot)| (leaf, format!("{{var}}/{slot}")))
                .collect(),
            counter: optimizer.counter(),
        })
    }

    /// The same slots one name segment deeper, between the variable and the slot:
    /// `<variable>/<segment>/<slot>`. TF 1's canned estimators (`tf.compat.v1.estimator.*`)
    /// name their `tf.compat.v1.train` slots so: `t_0` in the DNNs
    /// (`dnn/logits/kernel/t_0/Adagrad`), `part_0` in the linear models (a partitioned
    /// variable's first part: `linear/linear_model/x/weights/part_0/Ftrl`).
    ///
    /// ```
    /// use estimator_runtime::tf_checkpoint::TfSlots;
    /// use estimator_runtime::tf_optim::TfAdagradConfig;
    /// let slots = TfSlots::compat_v1(&TfAdagradConfig::new()).unwrap().within("t_0");
    /// assert_eq!(
    ///     slots.slot_names("dnn/logits/kernel"),
    ///     [("accumulator", "dnn/logits/kernel/t_0/Adagrad".to_string())]
    /// );
    /// ```
    pub fn within(mut self, segment: &str) -> Self {
        for (_, template) in &mut self.templates {
            *template = template.replacen("{var}/", &format!("{{var}}/{segment}/"), 1);
        }
        self
    }

    /// The TF names of `variable`'s slots, with the state leaf each fills.
    pub fn slot_names(&self, variable: &str) -> Vec<(&'static str, String)> {
        let name = |t: &String| t.replace("{var}", variable);
        self.templates.iter().map(|(l, t)| (*l, name(t))).collect()
    }

    /// The optimizer kind the state belongs to (a run's first optimizer must be this kind).
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// `source` with every variable replaced by its slot `leaf`'s variable.
    fn slot_source(&self, source: &TfSource, template: &str) -> TfSource {
        let mut slot = source.clone();
        for block in &mut slot.blocks {
            block.name = template.replace("{var}", &block.name);
        }
        slot
    }

    /// The optimizer state of `model`'s parameters (burn's optimizer record bytes, keyed by
    /// the parameters' ids) from the slots in `ckpt` (the checkpoint `settings` names), with
    /// the counter at `global_step`. A mapped parameter whose slots are missing is an error;
    /// an unmapped one starts fresh. Tensors the optimizer never updates have no state: a batch
    /// norm's running statistics (TF's non-trainable `moving_mean` and `moving_variance`, which
    /// have no slots either) and frozen parameters.
    pub(crate) fn optimizer_state<M: Module>(
        &self,
        model: &M,
        ckpt: &TfCheckpoint,
        settings: &TfWarmStart,
        map: &TfVarMap,
        global_step: u64,
    ) -> Result<Vec<u8>, Error> {
        let trainable = trainable_ids(model);
        let mut writer = StateWriter::default();
        for param in model.collect(None, None, false) {
            let Some(id) = param.param_id else { continue };
            if !trainable.contains(&id) {
                continue;
            }
            let mapped = map.get(&param.name);
            let source = mapped
                .cloned()
                .unwrap_or_else(|| TfSource::whole(&param.name));
            let source = renamed(source, &settings.var_name_to_prev_var_name, &mut Vec::new());
            let shape = param.shape.as_slice();
            for (leaf, template) in &self.templates {
                let slot = self.slot_source(&source, template);
                if !slot.blocks.iter().all(|b| ckpt.contains(&b.name)) {
                    if mapped.is_none() {
                        continue;
                    }
                    return Err(missing_slot(ckpt, &param.name, &slot));
                }
                let data = read_source(ckpt, &slot, &param.name, shape)?;
                writer.tensor(id, leaf, data, &param.name);
            }
            writer.parameter(id, shape.len(), self.counter, global_step);
        }
        writer.into_bytes()
    }
}

/// The ids of `model`'s parameters that train: those that require a gradient once the model is
/// on an autodiff device in training mode, as `train` puts it. Running statistics (burn's
/// `RunningState`) never do, nor do frozen parameters.
fn trainable_ids<M: Module>(model: &M) -> HashSet<u64> {
    struct Trainable(HashSet<u64>);
    impl ModuleVisitor for Trainable {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if param.val().is_require_grad() {
                self.0.insert(param.id.val());
            }
        }
    }
    let mut trainable = Trainable(HashSet::new());
    if let Some(device) = model.devices().into_iter().next() {
        let training = model.clone().fork(&device.autodiff()).train();
        training.visit(&mut trainable);
    }
    trainable.0
}

fn missing_slot(ckpt: &TfCheckpoint, param: &str, slot: &TfSource) -> Error {
    let names: Vec<&str> = slot.blocks.iter().map(|b| b.name.as_str()).collect();
    Error::Config(format!(
        "TF checkpoint {} has no slot variable {names:?} for parameter `{param}`: was it trained with this optimizer, named this way (TfSlots::canned_estimator or TfSlots::compat_v1)?",
        ckpt.prefix().display()
    ))
}

/// burn's optimizer record, written as `ModuleOptimizer::to_record` lays it out: tensors
/// `<id>.<leaf>` carrying the parameter id, scalars `<id>.__rank` (and the counter), and each
/// parameter's path as metadata.
#[derive(Default)]
struct StateWriter {
    tensors: Vec<burn::store::burn_pack::Tensor>,
    scalars: Vec<(String, Scalar)>,
    paths: Vec<(String, String)>,
}

impl StateWriter {
    fn tensor(&mut self, id: u64, leaf: &str, data: burn::tensor::TensorData, path: &str) {
        let name = format!("{id}.{leaf}");
        self.tensors
            .push(burn::store::bridge::from_data(data, name, Some(id)));
        self.paths.push((id.to_string(), path.to_string()));
    }

    fn parameter(&mut self, id: u64, rank: usize, counter: Option<&str>, step: u64) {
        self.scalars
            .push((format!("{id}.__rank"), Scalar::UInt(rank as u64)));
        if let Some(counter) = counter {
            self.scalars
                .push((format!("{id}.{counter}"), Scalar::UInt(step)));
        }
    }

    fn into_bytes(self) -> Result<Vec<u8>, Error> {
        let mut writer = Writer::new(self.tensors);
        for (key, value) in &self.scalars {
            writer = writer.with_scalar(key, *value);
        }
        for (key, value) in &self.paths {
            writer = writer.with_metadata(key, value);
        }
        let bytes = writer
            .into_bytes()
            .map_err(|e| Error::Config(format!("writing the optimizer state: {e:?}")))?;
        Ok(bytes.to_vec())
    }
}

impl TfSlotNames for TfAdagradConfig {
    fn keras_name(&self) -> &'static str {
        "Adagrad"
    }
    fn keras_slots(&self) -> Vec<(&'static str, &'static str)> {
        vec![("accumulator", "accumulator")]
    }
    fn compat_v1_slots(&self) -> Result<Vec<(&'static str, &'static str)>, String> {
        Ok(vec![("accumulator", "Adagrad")])
    }
}

impl TfSlotNames for TfAdamConfig {
    fn keras_name(&self) -> &'static str {
        "Adam"
    }
    fn keras_slots(&self) -> Vec<(&'static str, &'static str)> {
        vec![("m", "m"), ("v", "v")]
    }
    fn compat_v1_slots(&self) -> Result<Vec<(&'static str, &'static str)>, String> {
        Ok(vec![("m", "Adam"), ("v", "Adam_1")])
    }
    fn counter(&self) -> Option<&'static str> {
        Some("iterations")
    }
}

impl TfSlotNames for TfFtrlConfig {
    fn keras_name(&self) -> &'static str {
        "Ftrl"
    }
    fn keras_slots(&self) -> Vec<(&'static str, &'static str)> {
        vec![("accumulator", "accumulator"), ("linear", "linear")]
    }
    fn compat_v1_slots(&self) -> Result<Vec<(&'static str, &'static str)>, String> {
        Ok(vec![("accumulator", "Ftrl"), ("linear", "Ftrl_1")])
    }
}

impl TfSlotNames for TfRmsPropConfig {
    fn keras_name(&self) -> &'static str {
        "RMSprop"
    }
    fn keras_slots(&self) -> Vec<(&'static str, &'static str)> {
        let mut slots = vec![("mean_square", "rms")];
        if self.momentum > 0.0 {
            slots.push(("momentum", "momentum"));
        }
        if self.centered {
            slots.push(("mean_gradient", "mg"));
        }
        slots
    }
    fn compat_v1_slots(&self) -> Result<Vec<(&'static str, &'static str)>, String> {
        Err("tf.compat.v1.train.RMSPropOptimizer starts its mean square at 1 and always runs the momentum kernel; continue it with RMSProp's own numbers is not supported".into())
    }
}

impl TfSlotNames for TfSgdConfig {
    fn keras_name(&self) -> &'static str {
        "SGD"
    }
    fn keras_slots(&self) -> Vec<(&'static str, &'static str)> {
        match self.momentum > 0.0 {
            true => vec![("velocity", "momentum")],
            false => Vec::new(),
        }
    }
    fn compat_v1_slots(&self) -> Result<Vec<(&'static str, &'static str)>, String> {
        match self.momentum > 0.0 {
            true => Err("tf.compat.v1.train.MomentumOptimizer's accumulator is Keras's velocity divided by -lr; continuing it is not supported".into()),
            false => Ok(Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn each_naming_gives_tfs_slot_names() {
        let adam = TfSlots::canned_estimator(&TfAdamConfig::new().with_legacy(true));
        let names = adam.slot_names("dnn/logits/kernel");
        let want = [
            "training/Adam/dnn/logits/kernel/m",
            "training/Adam/dnn/logits/kernel/v",
        ];
        assert_eq!(
            names.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            want
        );
        assert_eq!((adam.kind(), adam.counter), ("tf_adam", Some("iterations")));
        let v1 = TfSlots::compat_v1(&TfFtrlConfig::new()).unwrap();
        let names = v1.slot_names("linear/w");
        let want = [
            ("accumulator", "linear/w/Ftrl"),
            ("linear", "linear/w/Ftrl_1"),
        ];
        assert_eq!(names, want.map(|(l, n)| (l, n.to_string())));
        let rms = TfRmsPropConfig::new()
            .with_momentum(0.9)
            .with_centered(true);
        let leaves: Vec<_> = rms
            .keras_slots()
            .into_iter()
            .map(|(_, slot)| slot)
            .collect();
        assert_eq!(leaves, ["rms", "momentum", "mg"]);
    }

    #[test]
    fn v1_optimizers_with_other_numbers_in_their_slots_are_refused() {
        let err = TfSlots::compat_v1(&TfRmsPropConfig::new()).unwrap_err();
        assert!(err.to_string().contains("RMSPropOptimizer"), "{err}");
        let momentum = TfSgdConfig::new().with_momentum(0.9);
        assert!(TfSlots::compat_v1(&momentum).is_err());
        assert!(TfSlots::compat_v1(&TfSgdConfig::new()).is_ok());
    }
}
