use super::*;

fn spec(name: &str, dtype: &str, shape: &[i64]) -> TensorSpec {
    TensorSpec {
        name: name.into(),
        dtype: dtype.into(),
        shape: shape.to_vec(),
    }
}

fn batch(body: &str, inputs: &[TensorSpec]) -> Result<FeatureBatch, ServingError> {
    let parsed = parse_body(body.as_bytes(), "instances")?;
    to_batch(&parsed.form, inputs)
}

#[test]
fn dense_rows_and_columns_give_the_same_batch() {
    let inputs = [spec("input", "F32", &[-1, 2])];
    let rows = batch(r#"{"instances": [[1, 2], [3, 4.5]]}"#, &inputs).expect("rows");
    let named = batch(
        r#"{"instances": [{"input": [1, 2]}, {"input": [3, 4.5]}]}"#,
        &inputs,
    )
    .expect("named rows");
    let columns = batch(r#"{"inputs": [[1, 2], [3, 4.5]]}"#, &inputs).expect("columns");
    let expected = Some(&ColumnValues::Float(vec![1.0, 2.0, 3.0, 4.5]));
    assert_eq!(rows.get("input"), expected);
    assert_eq!(named.get("input"), expected);
    assert_eq!(columns.get("input"), expected);
    assert_eq!(rows.len(), 2);
}

#[test]
fn feature_rows_fill_one_column_per_feature() {
    let inputs = [spec("age", "F32", &[-1]), spec("city", "String", &[-1])];
    let got = batch(
        r#"{"instances": [{"age": 3, "city": "Oslo"}, {"age": 4, "city": "Rome"}]}"#,
        &inputs,
    )
    .expect("rows");
    assert_eq!(got.get("age"), Some(&ColumnValues::Float(vec![3.0, 4.0])));
    assert_eq!(
        got.get("city"),
        Some(&ColumnValues::Str(vec!["Oslo".into(), "Rome".into()]))
    );
}

#[test]
fn errors_name_the_input() {
    let inputs = [spec("age", "F32", &[-1]), spec("city", "String", &[-1])];
    let missing = batch(r#"{"instances": [{"age": 3}]}"#, &inputs);
    assert!(
        matches!(&missing, Err(ServingError::InvalidArgument(m)) if m.contains("`city`")),
        "{missing:?}"
    );
    let wrong_type = batch(r#"{"instances": [{"age": "NaN", "city": "x"}]}"#, &inputs);
    assert!(
        matches!(&wrong_type, Err(ServingError::InvalidArgument(m)) if m.contains("`age`")),
        "{wrong_type:?}"
    );
    let dense = [spec("input", "F32", &[-1, 2])];
    let shape = batch(r#"{"instances": [[1, 2, 3]]}"#, &dense);
    assert!(
        matches!(&shape, Err(ServingError::InvalidArgument(m)) if m.contains("`input`")),
        "{shape:?}"
    );
}

#[test]
fn malformed_bodies_are_invalid_arguments() {
    let dense = [spec("input", "F32", &[-1, 1])];
    for body in [
        "",
        "[1]",
        "{",
        r#"{"instances": 3}"#,
        r#"{"instances": []}"#,
        r#"{"instances": [[1]], "inputs": [[1]]}"#,
        r#"{"signature_name": 3, "instances": [[1]]}"#,
        r#"{"nothing": 1}"#,
    ] {
        let got = batch(body, &dense);
        assert!(
            matches!(got, Err(ServingError::InvalidArgument(_))),
            "{body}: {got:?}"
        );
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let got = batch(&format!(r#"{{"instances": {deep}}}"#), &dense);
    assert!(
        matches!(got, Err(ServingError::InvalidArgument(_))),
        "{got:?}"
    );
}

#[test]
fn signature_name_defaults_to_serving_default() {
    let body = parse_body(br#"{"instances": [1]}"#, "instances").expect("parse");
    assert_eq!(body.signature_name, "serving_default");
    let body =
        parse_body(br#"{"signature_name": "p", "examples": [1]}"#, "examples").expect("parse");
    assert_eq!(body.signature_name, "p");
}
