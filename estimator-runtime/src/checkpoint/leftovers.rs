//! Removing what a killed save or export left behind: the hidden temporary files and
//! directories this library names (`.<name>.tmp-<pid>-<counter>-<random>`, see
//! [`super::atomic::temp_path`]), in model_dir and in `model_dir/export/<exporter>/`. Run by a
//! trainer once it holds model_dir's lock, so no other trainer is writing them; one whose pid
//! is a live process is kept all the same (an `export` by another process, say). Nothing
//! outside model_dir is touched: symlinks are never followed.

use std::path::Path;

/// The writer's pid in a temporary name of this library: `.` + the final name + `.tmp-<pid>`
/// (an older writer stopped there) + `-<counter>-<16 hex digits>`; `None` for any other name.
fn temp_name_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (stem, suffix) = rest.rsplit_once(".tmp-")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let hex16 =
        |s: &str| s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let parts: Vec<&str> = suffix.split('-').collect();
    let well_formed = match parts.as_slice() {
        [pid] => digits(pid),
        [pid, counter, random] => digits(pid) && digits(counter) && hex16(random),
        _ => false,
    };
    if stem.is_empty() || !well_formed {
        return None;
    }
    parts[0].parse().ok()
}

/// Removes the leftovers in `model_dir` and `model_dir/export/*/`; returns how many.
pub(crate) fn remove_leftovers(model_dir: &Path) -> usize {
    let mut removed = remove_in(model_dir);
    for exporter in real_subdirs(&model_dir.join("export")) {
        removed += remove_in(&exporter);
    }
    if removed > 0 {
        tracing::info!(
            "Removed {removed} temporary files or directories left in {} by an interrupted save or export.",
            model_dir.display()
        );
    }
    removed
}

/// Removes the leftovers directly in `dir`.
fn remove_in(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(is_dead_temp))
        .filter(|e| remove(&e.path()))
        .count()
}

/// Whether `name` is a temporary name of this library whose writer is no longer running.
fn is_dead_temp(name: &str) -> bool {
    temp_name_pid(name).is_some_and(|pid| !process_is_alive(pid))
}

#[cfg(target_os = "linux")]
fn process_is_alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_is_alive(pid: u32) -> bool {
    pid == std::process::id()
}

/// Removes `path` without following a symlink (a link itself is removed, not its target).
fn remove(path: &Path) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path).is_ok(),
        Ok(_) => std::fs::remove_file(path).is_ok(),
        Err(_) => false,
    }
}

/// The real (not symlinked) subdirectories of `dir`.
fn real_subdirs(dir: &Path) -> Vec<std::path::PathBuf> {
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pid no process has: above Linux's `pid_max` limit (2^22).
    const DEAD: u32 = 4_194_305;

    #[test]
    fn only_the_librarys_temp_names_of_dead_writers_match() {
        let dead = format!(".model.ckpt-5.tmp-{DEAD}-3-00112233aabbccdd");
        assert!(is_dead_temp(&dead));
        assert!(is_dead_temp(&format!(
            ".export.tmp-{DEAD}-0-0123456789abcdef"
        )));
        assert!(is_dead_temp(&format!(".checkpoint.tmp-{DEAD}")));
        let live = format!(
            ".model.ckpt-5.tmp-{}-3-00112233aabbccdd",
            std::process::id()
        );
        for name in [
            live.as_str(),
            "model.ckpt-5",
            "model.ckpt-5.tmp-1-2-00112233aabbccdd",
            ".hidden",
            ".model.ckpt-5.tmp-x",
            ".model.ckpt-5.tmp-1-2-XYZ",
        ] {
            assert!(!is_dead_temp(name), "{name}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn leftovers_go_and_nothing_behind_a_link_is_touched() {
        let d = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("outside");
        let victim = outside
            .path()
            .join(format!(".export.tmp-{DEAD}-1-0123456789abcdef"));
        std::fs::create_dir(&victim).expect("victim");
        let root = d.path();
        std::fs::write(
            root.join(format!(".model.ckpt-9.tmp-{DEAD}-0-0123456789abcdef")),
            b"x",
        )
        .expect("temp file");
        std::fs::write(root.join("model.ckpt-9"), b"keep").expect("checkpoint");
        let best = root.join("export/best");
        std::fs::create_dir_all(&best).expect("export dir");
        std::fs::create_dir(best.join(format!(".export.tmp-{DEAD}-0-0123456789abcdef")))
            .expect("temp export");
        std::fs::create_dir(best.join("1700000000")).expect("an export");
        std::os::unix::fs::symlink(outside.path(), root.join("export/planted")).expect("link");
        assert_eq!(remove_leftovers(root), 2);
        let names = |dir: &Path| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .map(|e| {
                    e.filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            v
        };
        assert_eq!(names(root), ["export", "model.ckpt-9"]);
        assert_eq!(names(&best), ["1700000000"]);
        assert!(victim.is_dir(), "nothing outside model_dir is removed");
    }
}
