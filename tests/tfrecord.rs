//! TFRecord interop with TensorFlow 2.15 itself, both ways:
//! - the fixtures of `tests/fixtures/tfrecord` (plain, GZIP and ZLIB files of tf.Examples,
//!   written by TF with `scripts/tfrecord_fixtures.py`) read and parse here to what TF's own
//!   `parse_example` gave (`expected.json`), with Rust alone;
//! - files the Rust writer produces are read by TF (`TFRecordDataset` + `parse_example`) to
//!   the same values (needs the TF venv: `tests/common/tf.rs`; CI requires it).

mod common;

use estimator_runtime::data::example::{Example, Feature};
use estimator_runtime::data::*;
use estimator_runtime::feature_column::ColumnValues;
use prost::Message;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tfrecord")
}

/// The spec `scripts/tfrecord_fixtures.py` parsed with.
fn fixture_spec() -> ParseSpec {
    let f = |v: f32| ColumnValues::Float(vec![v]);
    ParseSpec::from([
        ("island".into(), FeatureSpec::fixed([], DType::String)),
        (
            "bill_length_mm".into(),
            FeatureSpec::fixed([1], DType::Float32).with_default(f(-1.0)),
        ),
        (
            "body_mass_g".into(),
            FeatureSpec::fixed([1], DType::Float32).with_default(f(0.0)),
        ),
        ("sex".into(), FeatureSpec::var_len(DType::String)),
        ("year".into(), FeatureSpec::fixed([1], DType::Int64)),
        ("tags".into(), FeatureSpec::var_len(DType::Int64)),
    ])
}

fn expected() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).expect("the fixture");
    serde_json::from_str(&text).expect("JSON")
}

fn column_json(values: &ColumnValues) -> serde_json::Value {
    match values {
        ColumnValues::Float(v) => v.iter().map(|&x| f64::from(x)).collect(),
        ColumnValues::Int(v) => v.clone().into(),
        ColumnValues::Str(v) => v.clone().into(),
        ColumnValues::StrList(v) => v.clone().into(),
        ColumnValues::IntList(v) => v.clone().into(),
    }
}

#[test]
fn tf_written_fixtures_parse_to_tfs_values() {
    let expected = expected();
    assert_eq!(expected["tensorflow"], "2.15.1");
    for (name, compression) in [
        ("examples.tfrecord", Compression::None),
        ("examples.tfrecord.gz", Compression::Gzip),
        ("examples.tfrecord.zlib", Compression::Zlib),
    ] {
        let records: Vec<Vec<u8>> = TfRecordReader::open(fixtures().join(name), compression)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(records.len(), 6, "{name}");
        let batch = parse_example(&records, &fixture_spec()).unwrap();
        for feature in [
            "island",
            "bill_length_mm",
            "body_mass_g",
            "year",
            "sex",
            "tags",
        ] {
            let got = column_json(batch.get(feature).unwrap());
            assert_eq!(got, expected[feature], "{name}: {feature}");
        }
    }
}

#[test]
fn a_glob_over_plain_and_gzip_fixtures_reads_both() {
    let pattern = fixtures().join("examples.tfrecord*");
    let files = TfRecordFiles::glob_all(&[pattern.to_str().unwrap()]).unwrap();
    // examples.tfrecord, .gz (by suffix) and .zlib (not guessed: TF never guesses either).
    let plain_and_gz = TfRecordFiles::new(files.files().iter().take(2).cloned()).records();
    let n = plain_and_gz
        .iter()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    assert_eq!(n, 12);
}

#[test]
fn a_tf_written_sequence_example_decodes_to_its_values() {
    use estimator_runtime::data::example::{Kind, SequenceExample};
    let bytes = std::fs::read(fixtures().join("sequence_example.pb")).unwrap();
    let sequence = SequenceExample::from_bytes(&bytes).unwrap();
    let context = sequence.context.as_ref().unwrap();
    assert_eq!(context.feature["length"], Feature::int64s([3]));
    let lists = &sequence.feature_lists.as_ref().unwrap().feature_list;
    let tokens: Vec<Vec<Vec<u8>>> = lists["tokens"]
        .feature
        .iter()
        .map(|f| match &f.kind {
            Some(Kind::BytesList(b)) => b.value.clone(),
            other => panic!("not bytes: {other:?}"),
        })
        .collect();
    assert_eq!(
        tokens,
        [
            vec![b"a".to_vec()],
            vec![b"b".to_vec(), b"c".to_vec()],
            vec![]
        ]
    );
    assert_eq!(
        lists["scores"].feature,
        [Feature::floats([0.5]), Feature::floats([1.5, 2.5])]
    );
    assert_eq!(sequence.to_bytes().len(), bytes.len());
}

const TF_READS: &str = r#"
import json, sys
import tensorflow as tf
path, compression = sys.argv[1], sys.argv[2]
spec = {
    "mass": tf.io.FixedLenFeature([2], tf.float32, default_value=[-1.0, -1.0]),
    "island": tf.io.FixedLenFeature([], tf.string),
    "ids": tf.io.VarLenFeature(tf.int64),
}
ds = tf.data.TFRecordDataset(path, compression_type=compression).batch(100)
p = tf.io.parse_example(next(iter(ds)), spec)
print(json.dumps({
    "mass": [float(x) for x in p["mass"].numpy().ravel()],
    "island": [x.decode() for x in p["island"].numpy()],
    "ids": [[int(v) for v in row if v >= 0] for row in tf.sparse.to_dense(p["ids"], default_value=-1).numpy()],
}))
"#;

#[test]
fn tf_reads_what_the_rust_writer_wrote() {
    let Some(python) = common::tf::python("TF reads Rust-written TFRecords") else {
        return;
    };
    let examples: Vec<Example> = (0..7)
        .map(|i| {
            let mut f = vec![
                ("island", Feature::bytes([format!("isle-{i}")])),
                ("ids", Feature::int64s((0..i % 3).map(|k| k * 10 + i))),
            ];
            if i != 4 {
                f.push(("mass", Feature::floats([i as f32 + 0.25, -(i as f32)])));
            }
            Example::from_features(f)
        })
        .collect();
    let records: Vec<Vec<u8>> = examples.iter().map(Message::encode_to_vec).collect();
    let spec = ParseSpec::from([
        (
            "mass".into(),
            FeatureSpec::fixed([2], DType::Float32).with_default(ColumnValues::Float(vec![-1.0])),
        ),
        ("island".into(), FeatureSpec::fixed([], DType::String)),
        ("ids".into(), FeatureSpec::var_len(DType::Int64)),
    ]);
    let ours = parse_example(&records, &spec).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, compression, tf_name) in [
        ("r.tfrecord", Compression::None, ""),
        ("r.tfrecord.gz", Compression::Gzip, "GZIP"),
        ("r.tfrecord.zlib", Compression::Zlib, "ZLIB"),
    ] {
        let path = dir.path().join(name);
        let mut writer = TfRecordWriter::create(&path, compression).unwrap();
        records.iter().for_each(|r| writer.write(r).unwrap());
        writer.finish().unwrap();
        let out = std::process::Command::new(&python)
            .args(["-c", TF_READS, path.to_str().unwrap(), tf_name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tf: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for feature in ["mass", "island", "ids"] {
            assert_eq!(
                tf[feature],
                column_json(ours.get(feature).unwrap()),
                "{name}: {feature}"
            );
        }
    }
}
