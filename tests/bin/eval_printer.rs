//! The worker binaries' shared printing (`crash-worker`, `mpi-worker`): flushed stdout lines, and
//! `eval <step> <loss bits> <accuracy bits>` for each evaluation, which the resume tests compare
//! bit for bit between runs.

use estimator_runtime::prelude::*;
use std::io::Write;

/// Prints `line` to stdout and flushes, so a harness reading it can kill at that moment.
pub fn say(line: String) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Prints each evaluation this process ran, the first time a step after it sees it (not the
/// history read back from the eval event files after a restart: those hold f32 values and
/// count no batches).
pub struct EvalPrinter(pub Option<u64>);

impl Hook for EvalPrinter {
    fn wants_loss(&self, _: u64) -> bool {
        false
    }

    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if let Some(eval) = &ctx.latest_eval
            && self.0 != Some(eval.global_step)
            && eval.batches > 0
        {
            self.0 = Some(eval.global_step);
            say(eval_line(eval));
        }
        Ok(())
    }
}

/// `eval <step> <loss bits> <accuracy bits>`.
pub fn eval_line(eval: &EvalResults) -> String {
    let accuracy = eval.metric("accuracy").unwrap_or(f64::NAN);
    format!(
        "eval {} {} {}",
        eval.global_step,
        eval.loss.to_bits(),
        accuracy.to_bits()
    )
}
