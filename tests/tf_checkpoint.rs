//! The TF checkpoint reader (issue 24) on checkpoints that TF 2.15 wrote
//! (`tests/fixtures/tf`, made by `scripts/tf_checkpoint_fixtures.py`): every variable's name,
//! dtype, shape and values equal what `tf.train.load_checkpoint` read (`reader/expected.json`),
//! the partitioned variable whole; the premade estimators' model_dirs list TF's names; and the
//! `inspect_checkpoint` binary prints the same in JSON.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns read fixtures

use estimator_runtime::tf_checkpoint::{TfCheckpoint, TfCheckpointError, TfValues};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tf")
}

fn expected() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(fixtures().join("reader/expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn values_as_f64(values: &TfValues) -> Vec<f64> {
    match values {
        TfValues::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
        TfValues::F64(v) => v.clone(),
        TfValues::I32(v) => v.iter().map(|&x| f64::from(x)).collect(),
        TfValues::I64(v) => v.iter().map(|&x| x as f64).collect(),
    }
}

#[test]
fn every_variable_equals_what_tf_read() {
    // The state file names an absolute path of the machine that wrote it: found by file name.
    let ckpt = TfCheckpoint::open(fixtures().join("reader")).unwrap();
    let mut listed: Vec<_> = ckpt.list_variables().to_vec();
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    let want = expected();
    assert_eq!(listed.len(), want.len());
    for (v, w) in listed.iter().zip(&want) {
        assert_eq!(v.name, w["name"].as_str().unwrap());
        assert_eq!(v.dtype.name(), w["dtype"].as_str().unwrap());
        let shape: Vec<usize> = serde_json::from_value(w["shape"].clone()).unwrap();
        assert_eq!(v.shape, shape, "{}", v.name);
        let tensor = ckpt.tensor(&v.name).unwrap();
        let values: Vec<f64> = serde_json::from_value(w["values"].clone()).unwrap();
        // serde_json's float parsing may differ from Python's in the last bit of an f64; every
        // value is exact in the tensor's own precision.
        let got = values_as_f64(&tensor.values);
        if matches!(tensor.values, TfValues::F32(_)) {
            let as_f32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
            assert_eq!(as_f32(&got), as_f32(&values), "{}", v.name);
        } else {
            assert_eq!(got, values, "{}", v.name);
        }
    }
}

#[test]
fn the_partitioned_variable_is_stitched_in_order() {
    let ckpt = TfCheckpoint::open(fixtures().join("reader/model.ckpt-7")).unwrap();
    let t = ckpt.tensor("part/embedding").unwrap();
    assert_eq!(t.shape, [5, 3]);
    let v = t.values.to_f32();
    // Two partitions of 3 and 2 rows, each initialised alike: rows 3 and 4 repeat rows 0 and 1.
    assert_eq!(v[9..15], v[0..6]);
    assert_ne!(v[6..9], v[0..3]);
}

#[test]
fn premade_model_dirs_list_tf_names() {
    let dnn = TfCheckpoint::open(fixtures().join("dnn")).unwrap();
    let kernel = dnn.tensor("dnn/hiddenlayer_0/kernel").unwrap();
    assert_eq!(kernel.shape, [12, 4]);
    assert!(dnn.contains("global_step"));
    let linear = TfCheckpoint::open(fixtures().join("linear")).unwrap();
    assert_eq!(
        linear
            .tensor("linear/linear_model/bias_weights")
            .unwrap()
            .shape,
        [3]
    );
}

#[test]
fn missing_tensors_and_paths_are_typed_errors() {
    let ckpt = TfCheckpoint::open(fixtures().join("reader")).unwrap();
    let err = ckpt.tensor("nope").unwrap_err();
    assert!(
        matches!(err, TfCheckpointError::NoSuchTensor { .. }),
        "{err}"
    );
    let err = TfCheckpoint::open(fixtures().join("no_such_dir")).unwrap_err();
    assert!(matches!(err, TfCheckpointError::NotFound(_)), "{err}");
}

#[test]
fn a_flipped_data_byte_fails_the_crc_naming_file_and_tensor() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["model.ckpt-7.index", "model.ckpt-7.data-00000-of-00001"] {
        std::fs::copy(fixtures().join("reader").join(f), dir.path().join(f)).unwrap();
    }
    let data = dir.path().join("model.ckpt-7.data-00000-of-00001");
    let mut bytes = std::fs::read(&data).unwrap();
    let ckpt = TfCheckpoint::open(dir.path().join("model.ckpt-7")).unwrap();
    let before = ckpt.tensor("dense/kernel").unwrap();
    for b in bytes.iter_mut() {
        *b ^= 0x01;
    }
    std::fs::write(&data, &bytes).unwrap();
    let err = ckpt.tensor("dense/kernel").unwrap_err().to_string();
    assert!(
        err.contains("dense/kernel") && err.contains("data-00000-of-00001") && err.contains("CRC"),
        "{err}"
    );
    assert_eq!(before.shape, [2, 3]);
}

#[test]
fn inspect_checkpoint_prints_json_like_tf() {
    let bin = env!("CARGO_BIN_EXE_inspect_checkpoint");
    let dir = fixtures().join("reader");
    let out = std::process::Command::new(bin)
        .arg(format!("--file_name={}", dir.display()))
        .args(["--all_tensors", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let want = expected();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["name"], w["name"]);
        assert_eq!(g["dtype"], w["dtype"]);
        assert_eq!(g["shape"], w["shape"]);
        let (g, w): (Vec<f64>, Vec<f64>) = (
            serde_json::from_value(g["values"].clone()).unwrap(),
            serde_json::from_value(w["values"].clone()).unwrap(),
        );
        assert_eq!(
            g.iter().map(|&x| x as f32).collect::<Vec<_>>(),
            w.iter().map(|&x| x as f32).collect::<Vec<_>>()
        );
    }
    let text = std::process::Command::new(bin)
        .arg(format!("--file_name={}", dir.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("dense/kernel (DT_FLOAT) [2,3]\n"), "{text}");
    assert!(text.contains("# Total number of params: 26"), "{text}");
}
