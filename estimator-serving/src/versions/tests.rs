use super::*;
use crate::servable::RunResult;
use estimator_runtime::ExportManifest;
use estimator_runtime::feature_column::FeatureBatch;

struct Fake(ExportManifest);

impl Servable for Fake {
    fn manifest(&self) -> &ExportManifest {
        &self.0
    }
    fn run(&self, _: &str, _: &FeatureBatch) -> RunResult {
        Ok(Vec::new())
    }
}

/// Loads a directory holding a file `ok`; fails on any other.
fn loader() -> Loader {
    Arc::new(|dir: &Path| {
        if !dir.join("ok").is_file() {
            return Err(format!("{} is truncated", dir.display()));
        }
        let manifest = ExportManifest {
            model_fn: "f".into(),
            global_step: 0,
            signatures: Vec::new(),
        };
        Ok(Arc::new(Fake(manifest)) as Arc<dyn Servable>)
    })
}

fn version(base: &Path, v: &str, ok: bool) {
    let dir = base.join(v);
    std::fs::create_dir_all(&dir).expect("mkdir");
    if ok {
        std::fs::write(dir.join("ok"), b"").expect("write");
    }
}

fn serving(model: &ServedModel) -> Option<u64> {
    model.servable(None).ok().map(|(v, _)| v)
}

#[test]
fn latest_serves_the_newest_and_skips_non_integer_names() {
    let d = tempfile::tempdir().expect("temp dir");
    let model = ServedModel::new("m", d.path(), VersionPolicy::Latest, loader());
    model.poll();
    assert!(matches!(
        model.servable(None),
        Err(ServingError::Unavailable(_))
    ));
    version(d.path(), "1", true);
    version(d.path(), "2", true);
    version(d.path(), "3-1", true);
    version(d.path(), ".tmp-export-9", true);
    model.poll();
    assert_eq!(serving(&model), Some(2));
    assert!(matches!(
        model.servable(Some(1)),
        Err(ServingError::NotFound(_))
    ));
    version(d.path(), "10", true);
    model.poll();
    assert_eq!(serving(&model), Some(10));
    assert!(matches!(
        model.versions().get(&2),
        Some(VersionState::Ended)
    ));
}

#[test]
fn a_version_that_fails_to_load_leaves_the_serving_one() {
    let d = tempfile::tempdir().expect("temp dir");
    let model = ServedModel::new("m", d.path(), VersionPolicy::Latest, loader());
    version(d.path(), "1", true);
    model.poll();
    version(d.path(), "2", false);
    model.poll();
    model.poll();
    assert_eq!(serving(&model), Some(1));
    assert!(
        matches!(model.versions().get(&2), Some(VersionState::Failed(m)) if m.contains("truncated"))
    );
    version(d.path(), "3", true);
    model.poll();
    assert_eq!(serving(&model), Some(3));
}

#[test]
fn all_and_specific_policies_serve_their_versions() {
    let d = tempfile::tempdir().expect("temp dir");
    for v in ["1", "2", "3"] {
        version(d.path(), v, true);
    }
    let all = ServedModel::new("m", d.path(), VersionPolicy::All, loader());
    all.poll();
    assert!((1..=3).all(|v| all.servable(Some(v)).is_ok()));
    let specific = ServedModel::new("m", d.path(), VersionPolicy::Specific(vec![2]), loader());
    specific.poll();
    assert_eq!(serving(&specific), Some(2));
    assert!(specific.servable(Some(3)).is_err());
}
