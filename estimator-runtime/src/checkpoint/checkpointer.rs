//! `Checkpointer`: save, restore, warm start and retention for one model_dir. The Estimator
//! asks it for those and knows nothing of files, sections or records.

use super::{CheckpointData, CheckpointIndex, Retention, checkpoint_file_name};
use crate::error::Error;
use crate::record;
use crate::scaffold::WarmStart;
use burn::module::Module;
use burn::tensor::Bytes;
use std::collections::BTreeMap;
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
    /// Each optimizer's kind and state, as sections (and any other section to write, such as
    /// a distributed run's input positions).
    pub optimizer: Vec<(String, Bytes)>,
}

/// Saves, restores and warm-starts models in one model_dir, keeping the newest checkpoints.
pub(crate) struct Checkpointer {
    dir: PathBuf,
    retention: Retention,
    /// Whether a restore falls back to the newest intact checkpoint when the latest is
    /// corrupt (`RunConfig::error_on_corrupt_checkpoint` turns it off).
    fall_back: bool,
}

impl Checkpointer {
    /// A checkpointer for `dir` (created, and checked to be writable), keeping `keep_max`.
    ///
    /// An existing model_dir that cannot be written (a read-only mount, no permission) is
    /// accepted with a warning, for predict-only use; a train call then fails when it locks.
    pub fn new(dir: PathBuf, keep_max: usize) -> Result<Self, Error> {
        match super::prepare_dir(&dir) {
            Err(Error::Io { source, .. }) if dir.is_dir() && is_read_only(&source) => {
                tracing::warn!(
                    "model_dir {} cannot be written ({source}); predict works, train and evaluate (its event files) will fail",
                    dir.display()
                );
            }
            other => other?,
        }
        Ok(Checkpointer::unprepared(dir, keep_max))
    }

    /// Sets whether a restore falls back to the newest intact checkpoint (with a warning) when
    /// the latest is corrupt, instead of failing.
    pub fn falling_back(mut self, fall_back: bool) -> Self {
        self.fall_back = fall_back;
        self
    }

    /// A checkpointer for `dir` that has not touched it yet: a distributed run's non-chief
    /// replicas never write to model_dir. [`prepare`](Self::prepare) creates and checks it.
    pub fn unprepared(dir: PathBuf, keep_max: usize) -> Self {
        Checkpointer {
            dir,
            retention: Retention { keep_max },
            fall_back: true,
        }
    }

    /// Creates model_dir and checks that it is writable.
    pub fn prepare(&self) -> Result<(), Error> {
        super::prepare_dir(&self.dir)
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
        // An unreadable index is rebuilt from the files on disk, so that retention keeps
        // managing them.
        let (mut all, _) = super::recovery::index_or_disk(&self.dir)?;
        all.retain(|n| *n != name);
        all.push(name);
        let (kept, deleted) = self.retention.apply(all);
        CheckpointIndex { all: kept }.write(&self.dir)?;
        for old in deleted {
            // A file that cannot be deleted only costs disk space; the index no longer names it.
            let _ = std::fs::remove_file(self.dir.join(old));
        }
        Ok(())
    }

    /// A copy of `model` with the weights of checkpoint `data` (broadcast by a distributed
    /// run's chief, say; `path` names it in messages), and the training state.
    pub fn restore_from<M: Module>(
        &self,
        model: &M,
        data: CheckpointData,
        path: &Path,
    ) -> Result<(M, TrainingState), Error> {
        restore_from(model, data, path)
    }

    /// The latest checkpoint that still exists, restored into a copy of `model`: when the
    /// index's latest was deleted after the index was read (retention by a trainer while a
    /// reader looks), the next one in the index is used; a corrupt one is skipped with a
    /// warning unless [`falling_back`](Self::falling_back) is off. `None` when there is no
    /// checkpoint; [`Error::NoIntactCheckpoint`] when there are some but none is intact.
    pub fn restore_latest<M: Module>(
        &self,
        model: &M,
    ) -> Result<Option<(M, TrainingState, PathBuf)>, Error> {
        let Some((path, data)) = read_latest(&self.dir, model, self.fall_back)? else {
            return Ok(None);
        };
        let (model, state) = restore_from(model, data, &path)?;
        Ok(Some((model, state, path)))
    }

    /// The newest intact checkpoint's data, checked for `model` and its name's step, as
    /// [`restore_latest`](Self::restore_latest) reads it (a distributed run's chief broadcasts
    /// it).
    pub fn read_latest<M: Module>(
        &self,
        model: &M,
    ) -> Result<Option<(PathBuf, CheckpointData)>, Error> {
        read_latest(&self.dir, model, self.fall_back)
    }

    /// A copy of `model` loaded from `path` (a checkpoint file or a model_dir), with that
    /// checkpoint's global step. For a model_dir whose latest checkpoint was deleted under the
    /// reader, the next one in the index is used (and a corrupt one skipped when `fall_back`).
    pub fn load<M: Module>(model: &M, path: &Path, fall_back: bool) -> Result<(M, u64), Error> {
        let (path, mut data) = if path.is_dir() {
            read_latest(path, model, fall_back)?
                .ok_or_else(|| Error::NoCheckpoint(path.to_path_buf()))?
        } else {
            let path = super::resolve(path)?;
            let data = read_named(model, &path)?;
            (path, data)
        };
        check_steps(&data, &path)?;
        let step = data.global_step;
        Ok((load_into(model.clone(), &mut data, &path)?, step))
    }

    /// A copy of `model` with the parameters `ws` selects taken from another run's checkpoint.
    /// The optimizer and global step start fresh, as in TF.
    /// `renames` maps parameter paths of `model` to their paths in the checkpoint (TF's
    /// `var_name_to_prev_var_name`).
    pub fn warm_start<M: Module>(
        model: &M,
        ws: &WarmStart,
        renames: &BTreeMap<String, String>,
    ) -> Result<M, Error> {
        let patterns = ws.patterns()?;
        let path = super::resolve(&ws.from)?;
        let data = super::read(&path)?;
        let bytes = section(&data, MODEL_SECTION, &path)?;
        let (model, applied) = record::warm_start(model.clone(), bytes, &patterns, renames, &path)?;
        let n = applied.len();
        ws.check_matched(n, &path)?;
        WarmStart::check_renames_used(renames, &applied)?;
        tracing::info!("Warm-started {n} parameters from {}", path.display());
        Ok(model)
    }
}

/// Whether `e` says a directory cannot be written to (not that it is missing or broken).
fn is_read_only(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem
    )
}

/// The newest checkpoint of `dir` (see [`super::recovery::candidates`]) that can still be
/// opened, read and decoded for `model`: a file deleted since the index was read is skipped,
/// and so is a corrupt one when `fall_back` (with a warning). `None` when there is none;
/// [`Error::NoIntactCheckpoint`] when every one was corrupt.
fn read_latest<M: Module>(
    dir: &Path,
    model: &M,
    fall_back: bool,
) -> Result<Option<(PathBuf, CheckpointData)>, Error> {
    let mut skipped = Vec::new();
    for name in super::recovery::candidates(dir)?.iter().rev() {
        let path = dir.join(name);
        match read_named(model, &path) {
            Ok(data) => {
                warn_skipped(&skipped, &path);
                return Ok(Some((path, data)));
            }
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!("{} is gone; trying the one before it", path.display());
            }
            Err(e) if fall_back && is_damaged(&e) => {
                tracing::warn!("{e}; trying the checkpoint before it");
                skipped.push(format!("{name}: {e}"));
            }
            Err(e) => return Err(e),
        }
    }
    if skipped.is_empty() {
        return Ok(None);
    }
    Err(Error::NoIntactCheckpoint {
        dir: dir.to_path_buf(),
        skipped: skipped.join("; "),
    })
}

/// Whether `e` says a checkpoint's bytes are damaged (a restore may fall back past it), as
/// opposed to a model that does not fit, a planted file or a failing disk.
fn is_damaged(e: &Error) -> bool {
    matches!(
        e,
        Error::CorruptCheckpoint { .. } | Error::CheckpointTooLarge { .. }
    )
}

fn warn_skipped(skipped: &[String], restored: &Path) {
    if !skipped.is_empty() {
        tracing::warn!(
            "restoring {} instead of newer checkpoints that are not intact ({}); training on will replace them",
            restored.display(),
            skipped.join("; ")
        );
    }
}

/// Reads the checkpoint at `path` for `model` and checks that the step it holds is the step
/// its name says ([`Error::CheckpointStepMismatch`]).
fn read_named<M: Module>(model: &M, path: &Path) -> Result<CheckpointData, Error> {
    let data = read_for(model, path)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    match super::recovery::step_of_name(name) {
        Some(name_step) if name_step != data.global_step => Err(Error::CheckpointStepMismatch {
            path: path.to_path_buf(),
            name_step,
            stored_step: data.global_step,
        }),
        _ => Ok(data),
    }
}

/// Restores `model` and the training state from decoded checkpoint `data`, checking that the
/// steps are in range and that the optimizer state fits the model.
fn restore_from<M: Module>(
    model: &M,
    mut data: CheckpointData,
    path: &Path,
) -> Result<(M, TrainingState), Error> {
    check_steps(&data, path)?;
    let model = load_into(model.clone(), &mut data, path)?;
    tracing::info!("Restoring parameters from {}", path.display());
    let optimizer: Vec<(String, Vec<u8>)> = data
        .sections
        .into_iter()
        .filter(|(n, _)| n.starts_with(OPTIMIZER_PREFIX))
        .collect();
    for (name, bytes) in &optimizer {
        if !name.ends_with(".kind") {
            record::check_optimizer_state(&model, bytes, path)?;
        }
    }
    let state = TrainingState {
        global_step: data.global_step,
        input_position: data.input_position,
        optimizer,
    };
    Ok((model, state))
}

/// TF's global step is an int64: a checkpoint past `i64::MAX` steps was not written by a
/// trainer, and stepping on from it would overflow.
fn check_steps(data: &CheckpointData, path: &Path) -> Result<(), Error> {
    if data.global_step > i64::MAX as u64 {
        return Err(Error::CorruptCheckpoint {
            path: path.to_path_buf(),
            reason: format!(
                "global_step {} is past TF's int64 limit {}",
                data.global_step,
                i64::MAX
            ),
        });
    }
    Ok(())
}

/// Reads the checkpoint at `path`, refusing one bigger than a checkpoint of `model` can be.
fn read_for<M: Module>(model: &M, path: &Path) -> Result<CheckpointData, Error> {
    super::read_file(path, super::max_checkpoint_bytes(model.num_params()))
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
