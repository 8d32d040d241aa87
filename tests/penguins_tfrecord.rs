//! The penguins example's TFRecord path: the CSV written as TFRecord files of tf.Examples
//! (`NA` absent) and read back through `make_parse_example_spec` + `parse_example` holds the
//! same table as the CSV: the same numbers (NaN where the CSV says `NA`, for the numeric
//! columns' defaults to fill), the same strings (an absent one as an empty list).

#[path = "../examples/common/penguins_tfrecord.rs"]
mod penguins_tfrecord;

use estimator_runtime::feature_column::*;

const NUMERIC: [&str; 4] = [
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
];

fn strings(values: &ColumnValues) -> Vec<Vec<String>> {
    match values {
        ColumnValues::Str(v) => v
            .iter()
            .map(|s| {
                if s.is_empty() {
                    vec![]
                } else {
                    vec![s.clone()]
                }
            })
            .collect(),
        ColumnValues::StrList(v) => v.clone(),
        other => panic!("not strings: {other:?}"),
    }
}

#[test]
fn the_csv_written_as_tfrecords_reads_back_as_the_same_table() {
    let csv = include_str!("../examples/data/penguins.csv");
    let table = read_csv(csv, &NUMERIC).unwrap().without("year");
    let dir = tempfile::tempdir().unwrap();
    let written = penguins_tfrecord::write(&table, dir.path(), "train", 3).unwrap();
    assert!(
        written
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "gz"))
    );
    let island =
        categorical_column_with_vocabulary_list("island", ["Biscoe", "Dream", "Torgersen"]);
    let sex = categorical_column_with_vocabulary_list("sex", ["female", "male"]);
    let spec = penguins_tfrecord::spec(&NUMERIC, &[island, sex]).unwrap();
    let pattern = dir.path().join("train-*");
    let back = penguins_tfrecord::read(&[pattern.to_str().unwrap()], None, spec).unwrap();
    assert_eq!(back.len(), table.len());
    // Shard s holds rows s, s + 3, …: undo the round robin.
    let order: Vec<usize> = (0..3).flat_map(|s| (s..table.len()).step_by(3)).collect();
    let table = table.select(&order);
    for name in NUMERIC {
        let (Some(ColumnValues::Float(a)), Some(ColumnValues::Float(b))) =
            (table.get(name), back.get(name))
        else {
            panic!("{name} is not float in both");
        };
        assert!(
            a.iter().any(|x| x.is_nan()),
            "{name}: the CSV has NA values"
        );
        let same = a
            .iter()
            .zip(b)
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()));
        assert!(same, "{name} differs");
    }
    for name in ["island", "sex", "species"] {
        let (a, b) = (table.get(name).unwrap(), back.get(name).unwrap());
        assert_eq!(strings(a), strings(b), "{name}");
    }
}
