//! TF-identical hashing (issue 24): 10,000 strings (ASCII, non-ASCII, control characters, empty,
//! every FarmHash length class up to 1,000 bytes) bucket as TF 2.15 bucketed them
//! (`tests/fixtures/tf/hash.tsv`, written by `scripts/tf_checkpoint_fixtures.py`):
//! `tf.strings.to_hash_bucket_fast(s, 4294967291)`, `crossed_column(["a", "b"], 4294967291)` of
//! each string with the next, and `crossed_column(["i", "a"], ...)` of an int64 `i % 7` with it.
//! Checked on the hash functions and through the feature-column encoder.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns read fixtures

use estimator_runtime::feature_column::*;

const BUCKETS: usize = 4_294_967_291;

struct Row {
    s: String,
    fast: usize,
    crossed: usize,
    crossed_int: usize,
}

fn rows() -> Vec<Row> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tf/hash.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Row {
                s: serde_json::from_str(f[0]).unwrap(),
                fast: f[1].parse().unwrap(),
                crossed: f[2].parse().unwrap(),
                crossed_int: f[3].parse().unwrap(),
            }
        })
        .collect()
}

#[test]
fn ten_thousand_strings_hash_as_tf() {
    let rows = rows();
    assert!(rows.len() >= 10_000);
    assert!(rows.iter().any(|r| r.s.is_empty()) && rows.iter().any(|r| !r.s.is_ascii()));
    let mut wrong = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let next = &rows[(i + 1) % rows.len()].s;
        let got = (
            hash_bucket(&r.s, BUCKETS),
            cross_bucket(&[CrossPart::Str(&r.s), CrossPart::Str(next)], BUCKETS),
            cross_bucket(
                &[CrossPart::Id((i % 7) as i64), CrossPart::Str(&r.s)],
                BUCKETS,
            ),
        );
        if got != (r.fast, r.crossed, r.crossed_int) {
            wrong.push((i, r.s.len(), got, (r.fast, r.crossed, r.crossed_int)));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} differ from TF, first: {:?}",
        wrong.len(),
        rows.len(),
        &wrong[..wrong.len().min(5)]
    );
}

#[test]
fn feature_columns_bucket_as_tf() {
    let rows = rows();
    let n = rows.len();
    let a: Vec<String> = rows.iter().map(|r| r.s.clone()).collect();
    let b: Vec<String> = (0..n).map(|i| rows[(i + 1) % n].s.clone()).collect();
    let batch = FeatureBatch::new(n)
        .with("a", ColumnValues::Str(a))
        .with("b", ColumnValues::Str(b))
        .with(
            "i",
            ColumnValues::Int((0..n as i64).map(|i| i % 7).collect()),
        );
    let hashed = categorical_column_with_hash_bucket("a", BUCKETS);
    let vocab = |k: &str| categorical_column_with_vocabulary_list(k, ["never-seen"]);
    let pairs = crossed_column([vocab("a"), vocab("b")], BUCKETS);
    // An identity column (an id part) listed after the raw key still crosses first, as in TF.
    let mixed = crossed_column(
        [hashed.clone(), categorical_column_with_identity("i", 7)],
        BUCKETS,
    );
    let columns = FeatureColumns::new([
        FeatureColumn::from(hashed.clone()),
        pairs.clone().into(),
        mixed.clone().into(),
    ]);
    let encoder = FeatureEncoder::new(columns).unwrap();
    let ids = |c| encoder.categorical_ids(c, &batch).unwrap();
    let (fast, crossed, crossed_int) = (ids(&hashed), ids(&pairs), ids(&mixed));
    for (i, r) in rows.iter().enumerate() {
        if !r.s.is_empty() {
            assert_eq!(fast[i], [r.fast], "row {i}");
        }
        assert_eq!(crossed[i], [r.crossed], "row {i}");
        assert_eq!(crossed_int[i], [r.crossed_int], "row {i}");
    }
}
