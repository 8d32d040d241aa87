//! The Estimator's TensorBoard event files: one writer per directory (model_dir, `eval`,
//! `eval_<name>`), written by the chief only.

use super::Estimator;
use crate::error::Error;
use crate::model_fn::ModelFn;
use crate::summary::SummaryWriter;
use burn::module::Module;
use std::path::Path;

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// Writes scalars to the TensorBoard event file of `subdir` (`""` = model_dir, `eval`,
    /// `eval_<name>`), created on first use and kept for the Estimator's life.
    pub(crate) fn write_scalars(
        &mut self,
        subdir: &str,
        scalars: &[(&str, f64)],
        step: u64,
    ) -> Result<(), Error> {
        // distribute: only the chief writes event files.
        if !self.replica().is_chief() {
            return Ok(());
        }
        let writer = self.summary_writer(subdir)?;
        for (tag, value) in scalars {
            writer.scalar(tag, *value, step)?;
        }
        Ok(())
    }

    /// Reads the summaries a model_fn recorded (the scalars in one device → host transfer,
    /// each histogram in one) and writes them to the event file of `subdir` at the global step.
    pub(crate) fn write_recorded(
        &mut self,
        subdir: &str,
        recorded: crate::summary::RecordedSummaries,
    ) -> Result<(), Error> {
        if !self.replica().is_chief() {
            return Ok(());
        }
        let (scalars, histograms) = recorded.read()?;
        let scalars: Vec<(&str, f64)> = scalars.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        self.write_scalars(subdir, &scalars, self.global_step)?;
        let step = self.global_step;
        let writer = self.summary_writer(subdir)?;
        for (tag, values) in histograms {
            writer.histogram(&tag, &values, step)?;
        }
        Ok(())
    }

    /// The event file writer of `subdir`, created on first use.
    fn summary_writer(&mut self, subdir: &str) -> Result<&mut SummaryWriter, Error> {
        let root = self.checkpointer.dir();
        match self.summaries.entry(subdir.to_string()) {
            std::collections::btree_map::Entry::Occupied(e) => Ok(e.into_mut()),
            std::collections::btree_map::Entry::Vacant(e) => {
                // `eval/` and `eval_<name>/` never through a planted symlink.
                let dir = crate::confined::create_dir_inside(root, Path::new(subdir))?;
                Ok(e.insert(SummaryWriter::create(&dir)?))
            }
        }
    }

    /// TF's `SessionLog.START` at the global step a train call resumes from, so TensorBoard
    /// drops the events an interrupted run wrote past it.
    pub(crate) fn session_log_start(&mut self) -> Result<(), Error> {
        // distribute: only the chief writes event files.
        if !self.replica().is_chief() {
            return Ok(());
        }
        let step = self.global_step;
        self.summary_writer("")?.session_log_start(step)
    }

    pub(crate) fn flush_summaries(&mut self) -> Result<(), Error> {
        for writer in self.summaries.values_mut() {
            writer.flush()?;
        }
        Ok(())
    }
}
