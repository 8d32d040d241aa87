//! Versions and hot swap, in TF Serving's shape: the poller is the *Source* (it lists the
//! integer directories under `model_base_path`), the [`Loader`] loads one version, and
//! [`ServedModel`] is the *Manager*: it picks the aspired versions by [`VersionPolicy`], loads
//! them off the request path and swaps its version table atomically. A request holds an
//! `Arc` of the version it runs on, so a swap never waits for it and it finishes on the old one.

use crate::error::ServingError;
use crate::servable::Servable;
use arc_swap::ArcSwap;
use estimator_runtime::export::existing_versions;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Loads one version directory (TF's *Loader*); the error says why it could not.
pub type Loader = Arc<dyn Fn(&Path) -> Result<Arc<dyn Servable>, String> + Send + Sync>;

/// Which versions to serve (TF Serving's `model_version_policy`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VersionPolicy {
    /// The newest version only (TF's default).
    #[default]
    Latest,
    /// Every version found.
    All,
    /// These versions.
    Specific(Vec<u64>),
}

impl VersionPolicy {
    /// The versions to load among those on disk.
    pub fn aspired(&self, on_disk: &[u64]) -> Vec<u64> {
        match self {
            VersionPolicy::Latest => on_disk.iter().max().copied().into_iter().collect(),
            VersionPolicy::All => on_disk.to_vec(),
            VersionPolicy::Specific(wanted) => on_disk
                .iter()
                .copied()
                .filter(|v| wanted.contains(v))
                .collect(),
        }
    }
}

/// Where one version stands.
#[derive(Clone)]
pub enum VersionState {
    /// Loaded and serving.
    Available(Arc<dyn Servable>),
    /// Failed to load; the message says why.
    Failed(String),
    /// Unloaded after a newer version took over.
    Ended,
}

/// One model: its versions, swapped in as they load.
pub struct ServedModel {
    name: String,
    base_path: PathBuf,
    policy: VersionPolicy,
    loader: Loader,
    table: ArcSwap<BTreeMap<u64, VersionState>>,
}

impl ServedModel {
    /// A model named `name` whose versions live under `base_path`; nothing loaded yet.
    pub fn new(
        name: impl Into<String>,
        base_path: impl Into<PathBuf>,
        policy: VersionPolicy,
        loader: Loader,
    ) -> Self {
        ServedModel {
            name: name.into(),
            base_path: base_path.into(),
            policy,
            loader,
            table: ArcSwap::from_pointee(BTreeMap::new()),
        }
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every version the model has seen, with its state.
    pub fn versions(&self) -> Arc<BTreeMap<u64, VersionState>> {
        self.table.load_full()
    }

    /// The version a request runs on: `version`, or the newest available one.
    pub fn servable(&self, version: Option<u64>) -> Result<(u64, Arc<dyn Servable>), ServingError> {
        let table = self.table.load();
        let available = |(v, s): (&u64, &VersionState)| match s {
            VersionState::Available(servable) => Some((*v, servable.clone())),
            _ => None,
        };
        match version {
            None => table.iter().rev().find_map(available).ok_or_else(|| {
                ServingError::Unavailable(format!(
                    "no version of model `{}` is loaded yet",
                    self.name
                ))
            }),
            Some(v) => table.get_key_value(&v).and_then(available).ok_or_else(|| {
                ServingError::NotFound(format!(
                    "model `{}` has no available version {v}",
                    self.name
                ))
            }),
        }
    }

    /// One poll: loads the aspired versions not tried yet, then swaps in the new table. Under
    /// `Latest`, an older version keeps serving until a newer one is available.
    pub fn poll(&self) {
        let on_disk = existing_versions(&self.base_path);
        let aspired = self.policy.aspired(&on_disk);
        let mut table: BTreeMap<u64, VersionState> = (**self.table.load()).clone();
        table.retain(|v, s| on_disk.contains(v) || matches!(s, VersionState::Available(_)));
        let untried: Vec<u64> = aspired
            .iter()
            .copied()
            .filter(|v| !table.contains_key(v))
            .collect();
        for version in untried {
            let state = self.load(version);
            table.insert(version, state);
        }
        self.retire(&mut table, &aspired);
        self.table.store(Arc::new(table));
    }

    fn load(&self, version: u64) -> VersionState {
        let dir = self.base_path.join(version.to_string());
        match (self.loader)(&dir) {
            Ok(servable) => {
                tracing::info!("model `{}`: version {version} is available", self.name);
                VersionState::Available(servable)
            }
            Err(why) => {
                tracing::error!(
                    "model `{}`: version {version} failed to load, the serving version stays: {why}",
                    self.name
                );
                VersionState::Failed(why)
            }
        }
    }

    /// Ends available versions no longer aspired, except the newest available one when no
    /// aspired version is available (a failed new version leaves the old one serving).
    fn retire(&self, table: &mut BTreeMap<u64, VersionState>, aspired: &[u64]) {
        let is_available = |s: &VersionState| matches!(s, VersionState::Available(_));
        let any_aspired_up = aspired
            .iter()
            .any(|v| table.get(v).is_some_and(is_available));
        let fallback = (!any_aspired_up)
            .then(|| {
                table
                    .iter()
                    .rev()
                    .find(|(_, s)| is_available(s))
                    .map(|(v, _)| *v)
            })
            .flatten();
        for (v, state) in table.iter_mut() {
            if is_available(state) && !aspired.contains(v) && Some(*v) != fallback {
                tracing::info!("model `{}`: version {v} unloaded", self.name);
                *state = VersionState::Ended;
            }
        }
    }
}

#[cfg(test)]
mod tests;
