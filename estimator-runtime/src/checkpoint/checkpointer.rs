//! `Checkpointer`: save, restore, warm start and retention for one model_dir. The Estimator
//! asks it for those and knows nothing of files, sections or records.

use super::{CheckpointData, CheckpointIndex, Retention, checkpoint_file_name};
use crate::error::Error;
use crate::record;
use crate::scaffold::WarmStart;
use burn::module::Module;
use burn::tensor::Bytes;
use std::path::{Path, PathBuf};

/// The section holding the model's shape fingerprint. Its on-disk name predates the name
/// "fingerprint" and is kept so that older checkpoints still load.
const FINGERPRINT_SECTION: &str = "model.signature";
/// The section holding the model record.
const MODEL_SECTION: &str = "model";
/// Optimizer sections start with this.
const OPTIMIZER_PREFIX: &str = "optimizer.";

/// What a checkpoint holds besides the model.
pub(crate) struct TrainingState {
    /// Optimizer steps taken when it was written.
    pub global_step: u64,
    /// Batches of the interrupted call's input already consumed (0: the call completed).
    pub input_position: u64,
    /// Each optimizer's kind and state, as sections.
    pub optimizer: Vec<(String, Vec<u8>)>,
}

/// What a save writes besides the model: [`TrainingState`] with the optimizer state as burn
/// serialised it, not copied.
pub(crate) struct SavedState {
    /// Optimizer steps taken.
    pub global_step: u64,
    /// Batches of the call's input already consumed (0: the call completed).
    pub input_position: u64,
    /// Each optimizer's kind and state, as sections.
    pub optimizer: Vec<(String, Bytes)>,
}

/// Saves, restores and warm-starts models in one model_dir, keeping the newest checkpoints.
pub(crate) struct Checkpointer {
    dir: PathBuf,
    retention: Retention,
}

impl Checkpointer {
    /// A checkpointer for `dir` (created, and checked to be writable), keeping `keep_max`.
    pub fn new(dir: PathBuf, keep_max: usize) -> Result<Self, Error> {
        super::prepare_dir(&dir)?;
        Ok(Checkpointer {
            dir,
            retention: Retention { keep_max },
        })
    }

    /// The model_dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The latest checkpoint, if any.
    pub fn latest(&self) -> Result<Option<PathBuf>, Error> {
        super::latest(&self.dir)
    }

    /// Writes a checkpoint of `model` and `state` atomically, then names it in the index and
    /// deletes what retention no longer keeps. The sections go to the file as burn serialised
    /// them, with no encoded copy of the whole checkpoint.
    pub fn save<M: Module>(&self, model: &M, state: SavedState) -> Result<PathBuf, Error> {
        let fingerprint = record::shape_fingerprint(model);
        let model_bytes = record::model_bytes(model)?;
        let mut sections: Vec<(&str, &[u8])> = vec![
            (FINGERPRINT_SECTION, fingerprint.as_bytes()),
            (MODEL_SECTION, &model_bytes),
        ];
        sections.extend(state.optimizer.iter().map(|(n, b)| (n.as_str(), &b[..])));
        let name = checkpoint_file_name(state.global_step);
        let path = self.dir.join(&name);
        super::write_atomic_stream(&path, |w| {
            super::format::write_checkpoint(w, state.global_step, state.input_position, &sections)
        })?;
        self.retain(name)?;
        tracing::info!(
            "Saving checkpoints for {} into {}.",
            state.global_step,
            path.display()
        );
        Ok(path)
    }

    /// Adds `name` to the index as the latest, and applies retention.
    fn retain(&self, name: String) -> Result<(), Error> {
        let mut index = CheckpointIndex::read(&self.dir)?.unwrap_or_default();
        index.all.retain(|n| *n != name);
        index.all.push(name);
        let (kept, deleted) = self.retention.apply(index.all);
        CheckpointIndex { all: kept }.write(&self.dir)?;
        for old in deleted {
            // A file that cannot be deleted only costs disk space; the index no longer names it.
            let _ = std::fs::remove_file(self.dir.join(old));
        }
        Ok(())
    }

    /// A copy of `model` with the weights of the checkpoint at `path`, and the training state.
    pub fn restore<M: Module>(&self, model: &M, path: &Path) -> Result<(M, TrainingState), Error> {
        let mut data = super::read(path)?;
        let model = load_into(model.clone(), &mut data, path)?;
        tracing::info!("Restoring parameters from {}", path.display());
        let optimizer = data
            .sections
            .into_iter()
            .filter(|(n, _)| n.starts_with(OPTIMIZER_PREFIX))
            .collect();
        let state = TrainingState {
            global_step: data.global_step,
            input_position: data.input_position,
            optimizer,
        };
        Ok((model, state))
    }

    /// A copy of `model` loaded from `path` (a checkpoint file or a model_dir), with that
    /// checkpoint's global step.
    pub fn load<M: Module>(model: &M, path: &Path) -> Result<(M, u64), Error> {
        let path = super::resolve(path)?;
        let mut data = super::read(&path)?;
        Ok((
            load_into(model.clone(), &mut data, &path)?,
            data.global_step,
        ))
    }

    /// A copy of `model` with the parameters `ws` selects taken from another run's checkpoint.
    /// The optimizer and global step start fresh, as in TF.
    pub fn warm_start<M: Module>(model: &M, ws: &WarmStart) -> Result<M, Error> {
        let patterns = ws.patterns()?;
        let path = super::resolve(&ws.from)?;
        let data = super::read(&path)?;
        let bytes = section(&data, MODEL_SECTION, &path)?;
        let (model, n) = record::warm_start(model.clone(), bytes, &patterns, &path)?;
        ws.check_matched(n, &path)?;
        tracing::info!("Warm-started {n} parameters from {}", path.display());
        Ok(model)
    }
}

/// Loads the model section of `data` into `model`; the section's bytes move into the record
/// (no copy) and are gone from `data` afterwards.
fn load_into<M: Module>(model: M, data: &mut CheckpointData, path: &Path) -> Result<M, Error> {
    let fingerprint =
        String::from_utf8_lossy(section(data, FINGERPRINT_SECTION, path)?).into_owned();
    section(data, MODEL_SECTION, path)?;
    let bytes = data
        .sections
        .iter_mut()
        .find(|(n, _)| n == MODEL_SECTION)
        .map(|(_, b)| std::mem::take(b))
        .unwrap_or_default();
    record::load_model(model, bytes, &fingerprint, path)
}

fn section<'a>(data: &'a CheckpointData, name: &str, path: &Path) -> Result<&'a [u8], Error> {
    data.section(name).ok_or_else(|| Error::CorruptCheckpoint {
        path: path.to_path_buf(),
        reason: format!("no {name} section"),
    })
}
