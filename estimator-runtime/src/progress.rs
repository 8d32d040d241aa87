//! A progress bar for `train`, shown only when stderr is a terminal (never a flood of lines
//! into a redirected log). Without the `progress` feature it is a no-op.

use std::io::IsTerminal;

/// The bar of one train call, if any.
pub(crate) struct Progress {
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A bar from `start` to `target` steps, when stderr is a terminal and the target is known.
    pub fn new(start: u64, target: Option<u64>) -> Progress {
        let show =
            std::io::stderr().is_terminal() && std::env::var_os("ESTIMATOR_NO_PROGRESS").is_none();
        #[cfg(feature = "progress")]
        {
            let bar = match (show, target) {
                (true, Some(t)) if t > start => {
                    let bar = indicatif::ProgressBar::new(t - start);
                    if let Ok(style) = indicatif::ProgressStyle::with_template(
                        "{bar:40} {pos}/{len} steps  {per_sec}  eta {eta}  {msg}",
                    ) {
                        bar.set_style(style);
                    }
                    Some(bar)
                }
                _ => None,
            };
            Progress { bar }
        }
        #[cfg(not(feature = "progress"))]
        {
            let _ = (show, start, target);
            Progress {}
        }
    }

    /// Whether the bar is shown (it then shows every step's loss).
    pub fn is_shown(&self) -> bool {
        #[cfg(feature = "progress")]
        return self.bar.is_some();
        #[cfg(not(feature = "progress"))]
        false
    }

    /// One step done, with its loss.
    pub fn step(&self, loss: f64) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("loss = {loss:.4}"));
        }
        #[cfg(not(feature = "progress"))]
        let _ = loss;
    }

    /// The call ended.
    pub fn finish(&self) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
