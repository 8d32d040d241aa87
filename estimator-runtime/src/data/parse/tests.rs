use super::*;
use crate::data::example::{Example, Feature};
use crate::feature_column::*;

fn records(examples: Vec<Example>) -> Vec<Vec<u8>> {
    examples.iter().map(Message::encode_to_vec).collect()
}

fn spec(entries: Vec<(&str, FeatureSpec)>) -> ParseSpec {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn penguin(mass: Option<f32>, island: &str) -> Example {
    let mut features = vec![("island", Feature::bytes([island]))];
    features.extend(mass.map(|m| ("mass", Feature::floats([m]))));
    Example::from_features(features)
}

#[test]
fn fixed_and_var_len_features_fill_their_columns() {
    let rs = records(vec![
        Example::from_features([
            ("xy", Feature::floats([1.0, 2.0])),
            ("ids", Feature::int64s([4, 5])),
            ("tags", Feature::bytes(["a"])),
            ("year", Feature::int64s([2007])),
        ]),
        Example::from_features([
            ("xy", Feature::floats([3.0, 4.0])),
            ("year", Feature::int64s([2008])),
        ]),
    ]);
    let s = spec(vec![
        ("xy", FeatureSpec::fixed([2], DType::Float32)),
        ("ids", FeatureSpec::var_len(DType::Int64)),
        ("tags", FeatureSpec::var_len(DType::String)),
        ("year", FeatureSpec::fixed([], DType::Int64)),
    ]);
    let batch = parse_example(&rs, &s).unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(
        batch.get("xy"),
        Some(&ColumnValues::Float(vec![1.0, 2.0, 3.0, 4.0]))
    );
    assert_eq!(
        batch.get("ids"),
        Some(&ColumnValues::IntList(vec![vec![4, 5], vec![]]))
    );
    assert_eq!(
        batch.get("tags"),
        Some(&ColumnValues::StrList(vec![vec!["a".into()], vec![]]))
    );
    assert_eq!(
        batch.get("year"),
        Some(&ColumnValues::Int(vec![2007, 2008]))
    );
}

#[test]
fn a_missing_feature_takes_its_default_or_is_an_error_naming_it() {
    let rs = records(vec![penguin(Some(3.0), "Dream"), penguin(None, "Biscoe")]);
    let with_default = spec(vec![(
        "mass",
        FeatureSpec::fixed([1], DType::Float32).with_default(ColumnValues::Float(vec![-1.0])),
    )]);
    let batch = parse_example(&rs, &with_default).unwrap();
    assert_eq!(
        batch.get("mass"),
        Some(&ColumnValues::Float(vec![3.0, -1.0]))
    );
    let required = spec(vec![("mass", FeatureSpec::fixed([1], DType::Float32))]);
    let error = parse_example(&rs, &required).unwrap_err();
    assert_eq!(
        error,
        ParseError::Missing {
            feature: "mass".into(),
            record: 1
        }
    );
    assert!(error.to_string().contains("record 1") && error.to_string().contains("`mass`"));
}

#[test]
fn a_wrong_length_or_type_is_an_error_naming_feature_and_record() {
    let rs = records(vec![
        penguin(Some(1.0), "Dream"),
        penguin(Some(2.0), "Dream"),
    ]);
    let two = spec(vec![("mass", FeatureSpec::fixed([2], DType::Float32))]);
    assert_eq!(
        parse_example(&rs, &two).unwrap_err(),
        ParseError::WrongLength {
            feature: "mass".into(),
            record: 0,
            expected: 2,
            found: 1
        }
    );
    let ints = spec(vec![("island", FeatureSpec::var_len(DType::Int64))]);
    assert_eq!(
        parse_example(&rs, &ints).unwrap_err(),
        ParseError::WrongType {
            feature: "island".into(),
            record: 0,
            expected: "int64_list",
            found: "bytes_list"
        }
    );
}

#[test]
fn garbage_is_not_an_example_and_bad_specs_are_refused() {
    let rs = vec![penguin(None, "x").encode_to_vec(), vec![0xff, 0xff, 0xff]];
    let s = spec(vec![("island", FeatureSpec::fixed([], DType::String))]);
    assert!(matches!(
        parse_example(&rs, &s),
        Err(ParseError::NotAnExample { record: 1, .. })
    ));
    let bad_default = spec(vec![(
        "mass",
        FeatureSpec::fixed([3], DType::Float32).with_default(ColumnValues::Float(vec![1.0, 2.0])),
    )]);
    assert!(matches!(
        parse_example(&rs, &bad_default),
        Err(ParseError::InvalidSpec { .. })
    ));
    let var_float = spec(vec![("mass", FeatureSpec::var_len(DType::Float32))]);
    assert!(matches!(
        parse_example(&rs, &var_float),
        Err(ParseError::InvalidSpec { .. })
    ));
}

#[test]
fn a_default_of_one_value_fills_the_shape() {
    let rs = records(vec![Example::default()]);
    let s = spec(vec![(
        "xyz",
        FeatureSpec::fixed([3], DType::Float32).with_default(ColumnValues::Float(vec![0.5])),
    )]);
    let batch = parse_example(&rs, &s).unwrap();
    assert_eq!(batch.get("xyz"), Some(&ColumnValues::Float(vec![0.5; 3])));
}

#[test]
fn the_spec_of_feature_columns_is_tfs() {
    let island = categorical_column_with_vocabulary_list("island", ["Biscoe", "Dream"]);
    let columns = FeatureColumns::new([
        numeric_column("xy").with_shape(2).into(),
        bucketized_column(numeric_column("mass"), vec![4000.0]).into(),
        embedding_column(categorical_column_with_identity("id", 10), 3).into(),
        crossed_column(
            [
                island.clone(),
                categorical_column_with_hash_bucket("sex", 4),
            ],
            8,
        )
        .into(),
        indicator_column(island),
    ])
    .with_weight_column("w");
    let got = make_parse_example_spec(&columns).unwrap();
    let want = spec(vec![
        ("xy", FeatureSpec::fixed([2], DType::Float32)),
        ("mass", FeatureSpec::fixed([1], DType::Float32)),
        ("id", FeatureSpec::var_len(DType::Int64)),
        ("island", FeatureSpec::var_len(DType::String)),
        ("sex", FeatureSpec::var_len(DType::String)),
        ("w", FeatureSpec::fixed([1], DType::Float32)),
    ]);
    assert_eq!(got, want);
}

#[test]
fn columns_asking_different_things_of_one_key_are_an_error() {
    let columns = FeatureColumns::new([
        numeric_column("x").into(),
        categorical_column_with_identity("x", 3).into(),
    ]);
    let error = make_parse_example_spec(&columns).unwrap_err();
    assert!(matches!(error, ParseError::InvalidSpec { ref feature, .. } if feature == "x"));
}

#[test]
fn parsed_batches_feed_the_feature_columns() {
    let columns = FeatureColumns::new([
        numeric_column("mass").with_default_value(0.0).into(),
        indicator_column(categorical_column_with_vocabulary_list(
            "island",
            ["Biscoe", "Dream"],
        )),
    ]);
    let spec = make_parse_example_spec(&columns).unwrap();
    let rs = records(vec![penguin(Some(2.0), "Dream"), penguin(None, "Biscoe")]);
    let batch = parse_example(&rs, &spec).unwrap();
    let encoder = FeatureEncoder::new(columns).unwrap();
    let dense = encoder
        .encode(&batch, &burn::tensor::Device::default())
        .unwrap()
        .dense
        .unwrap();
    let values = dense.into_data().try_to_vec::<f32>().unwrap();
    assert_eq!(values, [2.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
}

/// xorshift64*, for the differential test.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

#[test]
fn the_fast_path_agrees_with_prosts_decoder_on_mutated_records() {
    let s = spec(vec![
        (
            "mass",
            FeatureSpec::fixed([1], DType::Float32).with_default(ColumnValues::Float(vec![0.0])),
        ),
        ("island", FeatureSpec::var_len(DType::String)),
        ("ids", FeatureSpec::var_len(DType::Int64)),
        (
            "year",
            FeatureSpec::fixed([], DType::Int64).with_default(ColumnValues::Int(vec![0])),
        ),
    ]);
    let mut state = 0x5eed_u64;
    let (mut agreed_ok, mut agreed_err) = (0, 0);
    for _ in 0..20_000 {
        let base = Example::from_features([
            ("mass", Feature::floats([next(&mut state) as u16 as f32])),
            ("island", Feature::bytes(["Dream"])),
            ("ids", Feature::int64s([next(&mut state) as i64 >> 40, -3])),
            ("year", Feature::int64s([2008])),
            ("other", Feature::floats([1.0, 2.0])),
        ]);
        let mut bytes = base.encode_to_vec();
        for _ in 0..1 + next(&mut state) % 3 {
            if bytes.is_empty() {
                break;
            }
            let at = (next(&mut state) % bytes.len().max(1) as u64) as usize;
            match next(&mut state) % 4 {
                0 => bytes[at] ^= 1 << (next(&mut state) % 8),
                1 => bytes[at] = next(&mut state) as u8,
                2 => bytes.insert(at, next(&mut state) as u8),
                _ => bytes.truncate(at),
            }
        }
        let records = [bytes];
        let (fast, slow) = (
            parse_records(&records, &s, true),
            parse_records(&records, &s, false),
        );
        match (&fast, &slow) {
            (Ok(a), Ok(b)) => {
                // Debug text: a mutated float may be NaN, which `==` never matches.
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
                agreed_ok += 1;
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                agreed_err += 1;
            }
            _ => panic!("fast {fast:?} vs prost {slow:?} on {:?}", records[0]),
        }
    }
    assert!(
        agreed_ok > 1000 && agreed_err > 1000,
        "{agreed_ok} ok, {agreed_err} errors"
    );
}

#[test]
fn canonical_records_take_the_fast_path() {
    let record = penguin(Some(1.0), "Dream").encode_to_vec();
    let found = wire::scan_example(&record, |_, _| true);
    assert!(found.is_some());
    let mut duplicate = record.clone();
    duplicate.extend_from_slice(&record);
    assert!(
        wire::scan_example(&duplicate, |_, _| true).is_none(),
        "two `features` fields"
    );
}
