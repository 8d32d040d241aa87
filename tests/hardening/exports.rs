//! Issue 22, items 2, 3 and 7: an export is checked as it loads. A FIFO, a device or a huge
//! file where `signatures.json` should be, NaN weights, F64 weights for an F32 model and
//! bogus signature entries (those a signature's method cannot give) are each a typed error at
//! load, never a hang, an allocation of
//! gigabytes or a panic at predict.

use super::*;
use estimator_runtime::{ExportLoadOptions, ExportedModel};

/// An export of a briefly trained iris model.
fn exported(dir: &Path) -> std::path::PathBuf {
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir)).expect("estimator");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(2))
        .expect("train");
    let (features, _) = batch(&iris()[..4], &device());
    est.export(dir.join("exports"), features).expect("export")
}

fn load(dir: &Path) -> Result<(), Error> {
    ExportedModel::load(dir, iris_classifier, Net::new(&device())).map(drop)
}

fn export_reason(result: Result<(), Error>) -> String {
    match result {
        Err(Error::Export { reason, .. }) => reason,
        Err(e) => panic!("expected Error::Export, got {e:?}"),
        Ok(_) => panic!("expected Error::Export, got Ok"),
    }
}

/// The safetensors file split into its JSON header and its data.
fn split_weights(path: &Path) -> (serde_json::Value, Vec<u8>) {
    let bytes = std::fs::read(path).expect("weights");
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header = serde_json::from_slice(&bytes[8..8 + n]).expect("header");
    (header, bytes[8 + n..].to_vec())
}

fn join_weights(path: &Path, header: &serde_json::Value, data: &[u8]) {
    let json = serde_json::to_vec(header).expect("json");
    let mut out = (json.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&json);
    out.extend_from_slice(data);
    std::fs::write(path, out).expect("write weights");
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_as_signatures_json_is_a_typed_error_not_a_hang() {
    let d = tmp();
    let export = exported(d.path());
    let signatures = export.join("signatures.json");
    std::fs::remove_file(&signatures).expect("remove");
    rustix::fs::mkfifoat(rustix::fs::CWD, &signatures, rustix::fs::Mode::RWXU).expect("mkfifo");
    let dir = export.clone();
    let err = within(Duration::from_secs(60), move || {
        load(&dir).err().map(|e| e.to_string())
    });
    assert!(
        err.as_deref().is_some_and(|e| e.contains("FIFO")),
        "{err:?}"
    );
    std::fs::remove_file(&signatures).expect("remove fifo");
    std::os::unix::fs::symlink("/dev/zero", &signatures).expect("link to /dev/zero");
    let dir = export.clone();
    let err = within(Duration::from_secs(60), move || load(&dir).err());
    assert!(
        matches!(
            err,
            Some(Error::NotRegularFile {
                found: "a device",
                ..
            })
        ),
        "{err:?}"
    );
}

#[test]
fn a_4_gib_sparse_signatures_json_is_refused_unread() {
    let d = tmp();
    let export = exported(d.path());
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(export.join("signatures.json"))
        .expect("open");
    file.set_len(4 << 30).expect("grow (sparse)");
    let err = load(&export).err();
    assert!(
        matches!(err, Some(Error::FileTooLarge { size, .. }) if size == 4 << 30),
        "{err:?}"
    );
}

#[test]
fn nan_weights_are_refused_unless_allowed() {
    let d = tmp();
    let export = exported(d.path());
    let weights = export.join("model.safetensors");
    let (header, mut data) = split_weights(&weights);
    data[..4].copy_from_slice(&f32::NAN.to_le_bytes());
    join_weights(&weights, &header, &data);
    let reason = export_reason(load(&export));
    assert!(reason.contains("NaN or infinite"), "{reason}");
    let allow = ExportLoadOptions::default().allow_non_finite_weights(true);
    assert!(
        ExportedModel::load_with(&export, iris_classifier, Net::new(&device()), &allow).is_ok()
    );
}

#[test]
fn f64_weights_for_an_f32_model_are_refused_at_load() {
    let d = tmp();
    let export = exported(d.path());
    let weights = export.join("model.safetensors");
    let (mut header, data) = split_weights(&weights);
    let mut wide = Vec::new();
    let tensors = header.as_object_mut().expect("header object");
    let mut names: Vec<String> = tensors
        .keys()
        .filter(|k| *k != "__metadata__")
        .cloned()
        .collect();
    names.sort_by_key(|n| tensors[n]["data_offsets"][0].as_u64());
    for name in names {
        let entry = &mut tensors[&name];
        let [start, end] =
            [0, 1].map(|i| entry["data_offsets"][i].as_u64().expect("offset") as usize);
        let begin = wide.len();
        for chunk in data[start..end].chunks_exact(4) {
            let x = f32::from_le_bytes(chunk.try_into().expect("4 bytes"));
            wide.extend_from_slice(&f64::from(x).to_le_bytes());
        }
        entry["dtype"] = "F64".into();
        entry["data_offsets"] = serde_json::json!([begin, wide.len()]);
    }
    join_weights(&weights, &header, &wide);
    let reason = export_reason(load(&export));
    assert!(reason.contains("F64") && reason.contains("F32"), "{reason}");
}

/// A change to `signatures.json`.
type Edit = fn(&mut serde_json::Value);

#[test]
fn bogus_signature_entries_are_refused() {
    let d = tmp();
    let export = exported(d.path());
    let path = export.join("signatures.json");
    let good: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    let edits: [(&str, Edit); 5] = [
        ("an output a classify signature does not give", |m| {
            m["signatures"][0]["method"] = "classify".into();
        }),
        ("an output twice", |m| {
            let outputs = m["signatures"][0]["outputs"]
                .as_array_mut()
                .expect("outputs");
            outputs.push(outputs[0].clone());
        }),
        ("an unknown method", |m| {
            m["signatures"][0]["method"] = "explode".into()
        }),
        ("no serving_default", |m| {
            m["signatures"][0]["name"] = "other".into()
        }),
        ("no outputs", |m| {
            m["signatures"][0]["outputs"] = serde_json::json!([])
        }),
    ];
    for (what, edit) in edits {
        let mut manifest = good.clone();
        edit(&mut manifest);
        std::fs::write(&path, serde_json::to_vec(&manifest).expect("json")).expect("write");
        let reason = export_reason(load(&export));
        assert!(reason.contains("signatures.json"), "{what}: {reason}");
    }
}

/// The trial's recipe: `ln -s /elsewhere model_dir/export` before `train_and_evaluate` exports.
#[cfg(unix)]
#[test]
fn a_planted_export_symlink_is_refused_and_nothing_is_written_behind_it() {
    let dir = tmp();
    let outside = tmp();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("export")).expect("plant");
    let rows = iris();
    let serving = rows.clone();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let train = TrainSpec::new(stream(rows.clone(), 16, device()), Some(20));
    let eval = EvalSpec::new(move || vec![batch(&rows[..30], &device())])
        .throttle_steps(10)
        .exporter(estimator_runtime::BestExporter::new(
            "best",
            "accuracy",
            true,
            move || batch(&serving[..4], &device()).0,
        ));
    let err = train_and_evaluate(&mut est, train, eval).err();
    assert!(
        matches!(
            err,
            Some(Error::OutsideModelDir {
                reason: "is a symlink",
                ..
            })
        ),
        "{err:?}"
    );
    let leaked = std::fs::read_dir(outside.path())
        .map(|e| e.count())
        .unwrap_or(0);
    assert_eq!(leaked, 0, "nothing exported behind the link");
}
