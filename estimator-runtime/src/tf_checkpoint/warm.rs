//! Warm start from a TF checkpoint: each parameter of a burn module taken from one or more TF
//! variables (stacked along the first axis, optionally transposed), with TF's
//! `vars_to_warm_start` selection and `var_name_to_prev_var_name` renames. The premade
//! estimators supply the map from TF's names (`dnn/hiddenlayer_0/kernel`, ...) to their
//! parameters ([`crate::premade::Premade::new_warm_started_from_tf`]); a hand-written model
//! gives its own.

use super::{TfCheckpoint, TfCheckpointError};
use crate::error::Error;
use burn::module::Module;
use burn::store::ModuleSnapshot;
use burn::tensor::TensorData;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

/// Rows of one TF variable (all of them when `rows` is `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TfBlock {
    /// The TF variable's name.
    pub name: String,
    /// Its rows (first dimension) taken, in order.
    pub rows: Option<Range<usize>>,
}

/// Where one parameter's value comes from: blocks stacked along the first axis, then
/// transposed if the layouts differ (TF `[in, out]` against a `[out, in]` parameter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TfSource {
    /// The blocks, in the parameter's row order.
    pub blocks: Vec<TfBlock>,
    /// Transpose the stacked 2-D value.
    pub transpose: bool,
}

impl TfSource {
    /// The whole TF variable `name`, as it is.
    pub fn whole(name: impl Into<String>) -> Self {
        TfSource {
            blocks: vec![TfBlock {
                name: name.into(),
                rows: None,
            }],
            transpose: false,
        }
    }

    /// Transposed.
    pub fn transposed(mut self) -> Self {
        self.transpose = true;
        self
    }
}

/// The map from a module's parameter paths (`hidden.0.weight`) to TF variables.
///
/// ```
/// use estimator_runtime::tf_checkpoint::{TfSource, TfVarMap};
/// let map = TfVarMap::new()
///     .with("hidden.0.weight", TfSource::whole("dense/kernel"))
///     .with("hidden.0.bias", TfSource::whole("dense/bias"));
/// assert_eq!(map.get("hidden.0.bias"), Some(&TfSource::whole("dense/bias")));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TfVarMap {
    entries: BTreeMap<String, TfSource>,
}

impl TfVarMap {
    /// An empty map: every parameter is looked for under its own path.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maps `param` to `source`.
    pub fn with(mut self, param: impl Into<String>, source: TfSource) -> Self {
        self.entries.insert(param.into(), source);
        self
    }

    /// The source of `param`, if mapped.
    pub fn get(&self, param: &str) -> Option<&TfSource> {
        self.entries.get(param)
    }

    /// Every parameter path mapped.
    pub fn params(&self) -> impl Iterator<Item = &String> {
        self.entries.keys()
    }

    /// The same map with each parameter path under `prefix.` (a module nested in another).
    pub fn nested(self, prefix: &str) -> Self {
        let entries = self
            .entries
            .into_iter()
            .map(|(k, v)| (format!("{prefix}.{k}"), v))
            .collect();
        TfVarMap { entries }
    }

    /// Both maps' entries.
    pub fn merged(mut self, other: TfVarMap) -> Self {
        self.entries.extend(other.entries);
        self
    }
}

/// TF's `tf.estimator.WarmStartSettings` for a TF checkpoint.
///
/// ```
/// use estimator_runtime::tf_checkpoint::TfWarmStart;
/// let ws = TfWarmStart::new("/tmp/tf_model_dir")
///     .vars_to_warm_start(["dnn/hiddenlayer_.*"])
///     .var_name_to_prev_var_name([("dnn/logits/kernel", "dnn/old_logits/kernel")]);
/// assert_eq!(ws.vars_to_warm_start, ["dnn/hiddenlayer_.*"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TfWarmStart {
    /// A TF model_dir (its latest checkpoint) or a checkpoint prefix.
    pub from: PathBuf,
    /// Regular expressions matched at the start of a TF variable name or a parameter path
    /// (`re.match`); empty: every mapped parameter.
    pub vars_to_warm_start: Vec<String>,
    /// TF variable names the map expects → the names they have in the checkpoint.
    pub var_name_to_prev_var_name: BTreeMap<String, String>,
}

impl TfWarmStart {
    /// Every mapped parameter from the checkpoint at `from`.
    pub fn new(from: impl Into<PathBuf>) -> Self {
        TfWarmStart {
            from: from.into(),
            vars_to_warm_start: Vec::new(),
            var_name_to_prev_var_name: BTreeMap::new(),
        }
    }

    /// Only these (regular expressions, TF semantics).
    pub fn vars_to_warm_start<S: Into<String>>(
        mut self,
        patterns: impl IntoIterator<Item = S>,
    ) -> Self {
        self.vars_to_warm_start = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// Renames: the TF name the map expects → its name in the checkpoint.
    pub fn var_name_to_prev_var_name<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.var_name_to_prev_var_name = renames(pairs);
        self
    }
}

/// Rename pairs (`var_name_to_prev_var_name`) as owned strings.
pub(crate) fn renames<K: Into<String>, V: Into<String>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// `model` with the parameters that `map` and `settings` select taken from the TF checkpoint;
/// returns the parameter paths set. A parameter not in `map` is looked for under its own path
/// and left as it is when the checkpoint lacks it; a mapped one must be found. A shape that
/// differs is an [`Error::Shape`] naming both variables.
pub fn warm_start_from_tf<M: Module>(
    model: M,
    settings: &TfWarmStart,
    map: &TfVarMap,
) -> Result<(M, Vec<String>), Error> {
    let patterns = compile(&settings.vars_to_warm_start)?;
    let ckpt = TfCheckpoint::open(&settings.from)?;
    let mut tensors = Vec::new();
    let mut used_renames = Vec::new();
    let params = model.collect(None, None, false);
    if let Some(missing) = map.params().find(|p| !params.iter().any(|t| &t.name == *p)) {
        return Err(Error::Config(format!(
            "the TF variable map names parameter `{missing}`, which the model lacks (its parameters: {:?})",
            params.iter().map(|t| t.name.as_str()).collect::<Vec<_>>()
        )));
    }
    for param in params {
        let path = param.name.clone();
        let mapped = map.get(&path);
        let source = mapped
            .cloned()
            .unwrap_or_else(|| TfSource::whole(path.clone()));
        let selected = patterns.is_empty()
            || patterns
                .iter()
                .any(|p| p.is_match(&path) || source.blocks.iter().any(|b| p.is_match(&b.name)));
        if !selected {
            continue;
        }
        let source = renamed(
            source,
            &settings.var_name_to_prev_var_name,
            &mut used_renames,
        );
        if mapped.is_none() && !source.blocks.iter().all(|b| ckpt.contains(&b.name)) {
            continue;
        }
        let data = read_source(&ckpt, &source, &path, param.shape.as_slice())?;
        tensors.push(burn::store::bridge::from_data(data, path, None));
    }
    check_renames(&settings.var_name_to_prev_var_name, &used_renames)?;
    if tensors.is_empty() {
        return Err(Error::Config(format!(
            "warm start from TF checkpoint {} selected no variable (vars_to_warm_start {:?})",
            ckpt.prefix().display(),
            settings.vars_to_warm_start
        )));
    }
    apply(model, tensors, &ckpt)
}

fn compile(patterns: &[String]) -> Result<Vec<regex::Regex>, Error> {
    patterns
        .iter()
        .map(|p| {
            regex::Regex::new(&format!("^(?:{p})")).map_err(|e| {
                Error::Config(format!(
                    "vars_to_warm_start entry {p:?} is not a valid regular expression: {e}"
                ))
            })
        })
        .collect()
}

pub(super) fn renamed(
    mut source: TfSource,
    renames: &BTreeMap<String, String>,
    used: &mut Vec<String>,
) -> TfSource {
    for block in &mut source.blocks {
        if let Some(prev) = renames.get(&block.name) {
            used.push(block.name.clone());
            block.name = prev.clone();
        }
    }
    source
}

fn check_renames(renames: &BTreeMap<String, String>, used: &[String]) -> Result<(), Error> {
    let unused: Vec<&String> = renames.keys().filter(|k| !used.contains(k)).collect();
    if unused.is_empty() {
        return Ok(());
    }
    Err(Error::Config(format!(
        "You provided the following variables in var_name_to_prev_var_name that were not used: {unused:?}. Perhaps you misspelled them? (they must be TF names the warm start reads)"
    )))
}

/// The stacked (and transposed) value of `source`, checked against the parameter's shape.
pub(super) fn read_source(
    ckpt: &TfCheckpoint,
    source: &TfSource,
    param: &str,
    shape: &[usize],
) -> Result<TensorData, Error> {
    let names: Vec<&str> = source.blocks.iter().map(|b| b.name.as_str()).collect();
    let mismatch = |got: &[usize]| {
        Error::Shape(format!(
            "parameter `{param}` has shape {shape:?} but TF variable(s) {names:?} give {got:?} (check the feature columns and hidden units, or map it with var_name_to_prev_var_name)"
        ))
    };
    let mut rows = 0usize;
    let mut tail: Option<Vec<usize>> = None;
    let mut values = Vec::new();
    for block in &source.blocks {
        let t = ckpt.tensor(&block.name)?;
        let (first, rest) = t.shape.split_first().map_or((1, &[][..]), |(f, r)| (*f, r));
        let row_len: usize = rest.iter().product();
        let range = block.rows.clone().unwrap_or(0..first);
        if range.end > first || tail.as_ref().is_some_and(|r| r.as_slice() != rest) {
            return Err(mismatch(&t.shape));
        }
        tail = Some(rest.to_vec());
        values.extend_from_slice(&t.values.to_f32()[range.start * row_len..range.end * row_len]);
        rows += range.len();
    }
    let mut stacked: Vec<usize> = std::iter::once(rows)
        .chain(tail.unwrap_or_default())
        .collect();
    if source.blocks.len() == 1 && source.blocks[0].rows.is_none() {
        stacked = ckpt
            .list_variables()
            .iter()
            .find(|v| v.name == source.blocks[0].name)
            .map_or(stacked, |v| v.shape.clone());
    }
    if source.transpose {
        let [r, c] = stacked[..] else {
            return Err(mismatch(&stacked));
        };
        values = (0..c)
            .flat_map(|j| (0..r).map(move |i| (i, j)))
            .map(|(i, j)| values[i * c + j])
            .collect();
        stacked = vec![c, r];
    }
    if stacked != shape {
        return Err(mismatch(&stacked));
    }
    Ok(TensorData::new(values, stacked))
}

fn apply<M: Module>(
    mut model: M,
    tensors: Vec<burn::store::burn_pack::Tensor>,
    ckpt: &TfCheckpoint,
) -> Result<(M, Vec<String>), Error> {
    let result = model.apply(tensors, None, None, false);
    if !result.errors.is_empty() {
        return Err(Error::CorruptCheckpoint {
            path: ckpt.prefix().to_path_buf(),
            reason: format!("warm start from TF: {:?}", result.errors),
        });
    }
    tracing::info!(
        "Warm-started {} parameters from TF checkpoint {}",
        result.applied.len(),
        ckpt.prefix().display()
    );
    Ok((model, result.applied))
}

impl From<TfCheckpointError> for Error {
    fn from(e: TfCheckpointError) -> Self {
        Error::TfCheckpoint(Box::new(e))
    }
}
