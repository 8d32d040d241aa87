//! A newcomer's mistakes at run time: each is a typed error that says what happened, and the
//! process goes on (issue 21).

mod common;

use common::*;
use estimator_runtime::ExportedModel;
use estimator_runtime::prelude::*;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// A batch of `rows` examples with `width` features each.
fn features(rows: usize, width: usize) -> Tensor<2> {
    Tensor::from_data(
        TensorData::new(vec![0.5f32; rows * width], [rows, width]),
        &device(),
    )
}

#[test]
fn exported_model_predict_turns_a_wrong_width_batch_into_an_error() -> Result<(), Error> {
    let dir = tmp();
    let est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let export_dir = est.export(dir.path().join("export"), features(3, 4))?;
    let loaded = ExportedModel::load(&export_dir, iris_classifier, Net::new(&device()))?;

    let err = loaded
        .predict("serving_default", features(2, 5))
        .expect_err("a batch of width 5 for a model of width 4 is an error");
    // Checked against the input signature the export recorded, before the model runs: the
    // error names the input and both shapes.
    assert!(matches!(err, Error::Shape(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("input `input` expects shape [-1, 4]") && text.contains("[2, 5]"),
        "{text}"
    );
    // The process went on, and the model still predicts on a batch of the right width.
    let outputs = loaded.predict("serving_default", features(2, 4))?;
    assert!(
        outputs.iter().any(|(name, _)| name == "logits"),
        "{outputs:?}"
    );
    Ok(())
}

#[test]
fn debug_of_an_error_is_its_message_then_its_causes() {
    let plain = Error::Config("steps must be positive".into());
    assert_eq!(format!("{plain:?}"), plain.to_string());
    let io = Error::Io {
        action: "reading checkpoint",
        path: "runs/x/model.ckpt-1".into(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
    };
    assert_eq!(
        format!("{io:?}"),
        "reading checkpoint runs/x/model.ckpt-1: no such file\n\nCaused by:\n    no such file"
    );
}

#[test]
fn only_a_panic_in_train_mentions_the_last_checkpoint() -> Result<(), Error> {
    let dir = tmp();
    let mut est = Estimator::new(iris_classifier, Net::new(&device()), config(dir.path()))?;
    let wide = || {
        let labels = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64, 1], [2]), &device());
        vec![(features(2, 5), labels)]
    };
    let eval = est.evaluate(wide(), EvalArgs::default()).unwrap_err();
    let predict = est
        .predict([features(2, 5)], PredictArgs::default())?
        .find_map(Result::err)
        .expect("a wrong-width batch is an error in predict");
    for err in [&eval, &predict] {
        assert!(matches!(err, Error::ModelFn { .. }), "{err:?}");
        assert!(!err.to_string().contains("checkpoint"), "{err}");
    }
    let train = est.train(wide(), TrainArgs::steps(1)).unwrap_err();
    assert!(
        train.to_string().contains("back at its last checkpoint"),
        "{train}"
    );
    Ok(())
}
