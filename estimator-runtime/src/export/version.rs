//! Export version names: plain integers, as TF Serving polls for (`<base>/<integer>/`).

use std::path::Path;

/// The version an export of now takes under `base`: the Unix time in seconds, or the next
/// integer after the newest existing version when that is later (a collision, or a clock that
/// went back), so that the newest export always has the largest number.
pub(crate) fn next_version(base: &Path, unix_secs: u64) -> u64 {
    let newest = existing_versions(base).into_iter().max();
    match newest {
        Some(v) if v >= unix_secs => v.saturating_add(1),
        _ => unix_secs,
    }
}

/// The integer directory names under `base` (others, such as temporaries, are skipped).
pub fn existing_versions(base: &Path) -> Vec<u64> {
    let Ok(entries) = std::fs::read_dir(base) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| version_of(&e.file_name().to_string_lossy()))
        .collect()
}

/// `name` as a version number: only plain decimal digits (no sign, no `secs-1` suffix).
pub fn version_of(name: &str) -> Option<u64> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_integers_are_versions() {
        assert_eq!(version_of("17"), Some(17));
        assert_eq!(version_of("17-1"), None);
        assert_eq!(version_of("+17"), None);
        assert_eq!(version_of(".tmp-export-1"), None);
        assert_eq!(version_of(""), None);
    }

    #[test]
    fn a_collision_takes_the_next_free_integer() {
        let d = tempfile::tempdir().expect("temp dir");
        assert_eq!(next_version(d.path(), 100), 100);
        std::fs::create_dir(d.path().join("100")).expect("mkdir");
        assert_eq!(next_version(d.path(), 100), 101);
        std::fs::create_dir(d.path().join("101")).expect("mkdir");
        std::fs::create_dir(d.path().join("not-a-version")).expect("mkdir");
        assert_eq!(next_version(d.path(), 100), 102);
        assert_eq!(next_version(d.path(), 500), 500);
    }
}
