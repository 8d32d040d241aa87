//! Directories the runtime creates or writes inside model_dir (`eval/`, `export/<name>/`),
//! never through a symlink: a planted link would send event files and exports elsewhere, and
//! a later clean-up would delete there. A user who wants exports elsewhere passes that
//! directory to `Estimator::export` explicitly.

use crate::error::Error;
use std::path::{Component, Path, PathBuf};

/// `root/relative`, each missing component created, none of them a symlink or anything but a
/// directory, and `relative` made of plain names only (no `..`, no root).
pub(crate) fn create_dir_inside(root: &Path, relative: &Path) -> Result<PathBuf, Error> {
    let mut path = root.to_path_buf();
    for component in relative.components() {
        let Component::Normal(name) = component else {
            return Err(escapes(
                &root.join(relative),
                "has a part that is not a plain name",
            ));
        };
        path.push(name);
        enter(&path)?;
    }
    Ok(path)
}

/// Creates `path` if it is missing; refuses it if it is a symlink or not a directory.
fn enter(path: &Path) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(escapes(path, "is a symlink")),
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(escapes(path, "is not a directory")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match std::fs::create_dir(path) {
                // Created meanwhile by another writer: checked again.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => enter(path),
                other => other.map_err(|e| Error::io("creating directory", path, e)),
            }
        }
        Err(e) => Err(Error::io("checking directory", path, e)),
    }
}

fn escapes(path: &Path, reason: &'static str) -> Error {
    Error::OutsideModelDir {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_planted_symlink_is_refused_and_nothing_is_created_behind_it() {
        let d = tempfile::tempdir().expect("temp dir");
        let outside = tempfile::tempdir().expect("outside");
        std::os::unix::fs::symlink(outside.path(), d.path().join("export")).expect("plant");
        let err = create_dir_inside(d.path(), Path::new("export/best")).unwrap_err();
        assert!(
            matches!(
                err,
                Error::OutsideModelDir {
                    reason: "is a symlink",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            std::fs::read_dir(outside.path()).map(|e| e.count()).ok(),
            Some(0)
        );
    }

    #[test]
    fn plain_names_are_created_and_dot_dot_is_refused() {
        let d = tempfile::tempdir().expect("temp dir");
        let dir = create_dir_inside(d.path(), Path::new("export/best")).expect("created");
        assert!(dir.is_dir());
        assert!(
            create_dir_inside(d.path(), Path::new("export/best")).is_ok(),
            "again"
        );
        assert!(create_dir_inside(d.path(), Path::new("../x")).is_err());
        assert!(create_dir_inside(d.path(), Path::new("/tmp")).is_err());
    }
}
