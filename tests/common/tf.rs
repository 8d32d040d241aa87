//! The TensorFlow 2.15 interop checks' Python: `ESTIMATOR_TF_PYTHON` names a Python whose venv
//! holds `tensorflow-cpu==2.15.1`, `tensorflow-estimator==2.15.0` and (no deps)
//! `tensorflow-serving-api==2.15.1`; `.ci/run` makes that venv (`scripts/tf_venv.sh`). Without
//! it a TF check prints how to enable it and skips, unless `ESTIMATOR_REQUIRE_TF=1` (CI) makes it
//! a failure.

use std::path::PathBuf;
use std::process::Command;

/// The variable naming the TF venv's Python.
pub const PYTHON: &str = "ESTIMATOR_TF_PYTHON";
/// The variable that makes a missing TF a failure (CI sets it).
pub const REQUIRE: &str = "ESTIMATOR_REQUIRE_TF";

/// The TF venv's Python if `import tensorflow` works there. Otherwise prints why and how to
/// enable the check and returns `None`, or panics when `ESTIMATOR_REQUIRE_TF=1`.
pub fn python(check: &str) -> Option<PathBuf> {
    let why = match std::env::var_os(PYTHON) {
        None => format!("{PYTHON} is not set"),
        Some(py) => {
            let py = PathBuf::from(py);
            match Command::new(&py).args(["-c", "import tensorflow"]).output() {
                Ok(out) if out.status.success() => return Some(py),
                Ok(out) => format!(
                    "`import tensorflow` fails for {} ({})",
                    py.display(),
                    String::from_utf8_lossy(&out.stderr)
                        .lines()
                        .last()
                        .unwrap_or("")
                ),
                Err(e) => format!("{} cannot run ({e})", py.display()),
            }
        }
    };
    let how = format!("run `scripts/tf_venv.sh` and set {PYTHON}=<venv>/bin/python");
    if std::env::var(REQUIRE).as_deref() == Ok("1") {
        panic!("\n\n*** {check}: {why}; {how} (required because {REQUIRE}=1) ***\n");
    }
    eprintln!("skipping {check}: {why}; {how}, or set {REQUIRE}=1 to make it required");
    None
}
