//! The Estimator as one replica of a distributed run: the chief's start-up broadcast, the
//! replica checks, and every rank's input positions in the chief's checkpoints.
//! The collectives themselves live in `crate::distribute`.

use super::Estimator;
use crate::checkpoint::{CheckpointData, Checkpointer};
use crate::distribute::{Distribution, InputContext, Replica};
use crate::error::Error;
use crate::model_fn::ModelFn;
use crate::record;
use burn::module::Module;
use std::path::Path;

/// The checkpoint section holding every rank's input position (u64 LE each, by rank).
const POSITIONS_SECTION: &str = "distribute.input_positions";

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Which replica this Estimator is, of how many (TF's `InputContext`): shard the training
    /// input with it, e.g. `estimator.input_context().shard(batches)`.
    /// A single process is replica 0 of 1.
    pub fn input_context(&self) -> InputContext {
        self.config
            .distribute
            .as_ref()
            .map(Distribution::input_context)
            .unwrap_or_default()
    }

    /// Whether this Estimator is the chief (replica 0, or a single process): the only one that
    /// writes checkpoints, summaries and exports.
    pub fn is_chief(&self) -> bool {
        self.replica().is_chief()
    }

    pub(crate) fn replica(&self) -> Replica<'_> {
        Replica(self.config.distribute.as_ref())
    }

    /// Start-up of a distributed Estimator: check that the replicas build the same model, then
    /// the chief prepares `model_dir`, restores or initialises, and broadcasts its state; every
    /// rank gets the same outcome (the state, or the chief's error).
    pub(super) fn start_replicas(&mut self, d: &Distribution) -> Result<(), Error> {
        self.check_replicas_agree(d)?;
        let payload = if d.is_chief() {
            match self.chief_state(d) {
                Ok(bytes) => [vec![0u8], bytes].concat(),
                Err(e) => [vec![1u8], e.to_string().into_bytes()].concat(),
            }
        } else {
            Vec::new()
        };
        let payload = d.broadcast_bytes(payload);
        let (status, body) = payload.split_first().unwrap_or((&1, &[]));
        if *status != 0 {
            return Err(Error::Distributed(format!(
                "the chief (replica 0) could not start: {}",
                String::from_utf8_lossy(body)
            )));
        }
        let data = CheckpointData::decode(body).map_err(|reason| {
            Error::Distributed(format!("the chief's state arrived corrupt: {reason}"))
        })?;
        let positions = positions_of(&data)?;
        if !d.is_chief() {
            self.restore_data(data, Path::new("the chief's broadcast"))?;
        }
        self.resume_position = positions.get(d.replica_id()).copied().unwrap_or(0);
        tracing::info!(
            "Replica {} of {} starts at global step {} (input position {})",
            d.replica_id(),
            d.num_replicas(),
            self.global_step,
            self.resume_position
        );
        Ok(())
    }

    /// Every rank compares its model's parameter shapes with the chief's; all fail together
    /// if any differs.
    fn check_replicas_agree(&self, d: &Distribution) -> Result<(), Error> {
        let mine = record::shape_fingerprint(self.resident()?);
        let chiefs = d.broadcast_bytes(mine.clone().into_bytes());
        let chiefs = String::from_utf8_lossy(&chiefs);
        let differs = d.all_gather_u64(u64::from(chiefs != mine));
        let bad: Vec<usize> = (0..differs.len()).filter(|&r| differs[r] != 0).collect();
        if bad.is_empty() {
            return Ok(());
        }
        let mut message = format!(
            "the replicas build different models: replica(s) {bad:?} differ from the chief's (replica 0) in parameter shapes; every rank must build the same model"
        );
        if chiefs != mine {
            message.push_str(&format!(
                "\n  chief:       {chiefs}\n  replica {}: {mine}",
                d.replica_id()
            ));
        }
        Err(Error::Distributed(message))
    }

    /// The chief's start: prepare `model_dir`, restore its latest checkpoint (or warm start),
    /// and encode model, optimizer state, global step and every rank's input position.
    fn chief_state(&mut self, d: &Distribution) -> Result<Vec<u8>, Error> {
        self.checkpointer.prepare()?;
        let mut positions = vec![0u64; d.num_replicas()];
        // The same checks and fallback as a single process's restore.
        if let Some((path, data)) = self.checkpointer.read_latest(self.resident()?)? {
            positions = resumable_positions(&data, d.num_replicas(), &path)?;
            self.restore_data(data, &path)?;
        } else if let Some(ws) = &self.config.warm_start_from {
            let renames = &self.config.warm_start_var_name_to_prev_var_name;
            let model = Checkpointer::warm_start(self.resident()?, ws, renames)?;
            self.model = Some(model);
        }
        let model = self.resident()?;
        let mut sections = vec![
            (
                "model.signature".to_string(),
                record::shape_fingerprint(model).into_bytes(),
            ),
            ("model".to_string(), record::model_bytes(model)?.to_vec()),
        ];
        let optimizer = self.optimizers.sections()?;
        sections.extend(
            optimizer
                .into_iter()
                .map(|(name, bytes)| (name, bytes.to_vec())),
        );
        sections.push(positions_section(&positions));
        Ok(CheckpointData {
            global_step: self.global_step,
            input_position: positions[0],
            sections,
        }
        .encode())
    }
}

/// The section recording every rank's input position, gathered at a save.
pub(super) fn positions_section(positions: &[u64]) -> (String, Vec<u8>) {
    let bytes = positions.iter().flat_map(|p| p.to_le_bytes()).collect();
    (POSITIONS_SECTION.to_string(), bytes)
}

/// Every rank's input position in `data`: its positions section, or (a single-process
/// checkpoint) its one position.
fn positions_of(data: &CheckpointData) -> Result<Vec<u64>, Error> {
    let Some(bytes) = data.section(POSITIONS_SECTION) else {
        return Ok(vec![data.input_position]);
    };
    if bytes.len() % 8 != 0 {
        return Err(Error::Distributed(format!(
            "the section `{POSITIONS_SECTION}` has {} bytes, not a multiple of 8",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            u64::from_le_bytes(b)
        })
        .collect())
}

/// The positions each of `replicas` ranks resumes from. A checkpoint taken at the end of a
/// train call (every position 0) resumes with any number of ranks; one taken in the middle of
/// a call needs as many ranks as wrote it, or the ranks' inputs could not be matched up.
fn resumable_positions(
    data: &CheckpointData,
    replicas: usize,
    path: &Path,
) -> Result<Vec<u64>, Error> {
    let saved = positions_of(data)?;
    if saved.len() == replicas {
        return Ok(saved);
    }
    if saved.iter().all(|&p| p == 0) {
        return Ok(vec![0; replicas]);
    }
    Err(Error::Distributed(format!(
        "checkpoint {} was written by {} replica(s) in the middle of a train call (input positions {saved:?}), but this job has {replicas}: restart it with `mpirun -np {}` to resume, or start a new model_dir",
        path.display(),
        saved.len(),
        saved.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(positions: Option<&[u64]>, input_position: u64) -> CheckpointData {
        CheckpointData {
            global_step: 10,
            input_position,
            sections: positions
                .map(|p| vec![positions_section(p)])
                .unwrap_or_default(),
        }
    }

    #[test]
    fn positions_round_trip_through_their_section() {
        let d = data(Some(&[3, 4]), 3);
        assert_eq!(positions_of(&d).ok(), Some(vec![3, 4]));
        assert_eq!(positions_of(&data(None, 7)).ok(), Some(vec![7]));
    }

    #[test]
    fn a_rank_count_mismatch_is_refused_only_mid_call() {
        let p = Path::new("model.ckpt-10");
        assert_eq!(
            resumable_positions(&data(Some(&[0, 0]), 0), 4, p).ok(),
            Some(vec![0; 4])
        );
        assert_eq!(
            resumable_positions(&data(None, 0), 2, p).ok(),
            Some(vec![0, 0])
        );
        let err = resumable_positions(&data(Some(&[5, 5]), 5), 1, p).unwrap_err();
        assert!(err.to_string().contains("written by 2 replica(s)"), "{err}");
        assert!(err.to_string().contains("mpirun -np 2"), "{err}");
    }
}
