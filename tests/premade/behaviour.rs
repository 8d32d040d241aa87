//! What premade estimators share beyond their fit: the wide-and-deep optimizer groups, FTRL state
//! across a resume, a model_dir of another configuration, typed errors on bad input,
//! `train_and_evaluate`, and the weight column.

use super::*;

#[test]
fn wide_and_deep_groups_ftrl_and_adagrad_and_trains_both_parts() {
    let config = DnnLinearCombinedClassifierConfig::new(wide_columns(), dense_columns(), [8]);
    let device = Device::default().autodiff();
    let model = config.build_model(&device).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut est = Premade::new(
        config.clone(),
        RunConfig::default()
            .model_dir(dir.path())
            .device(device.clone()),
    )
    .unwrap();
    let (features, labels) = est.input(&table(40, 3, Task::Binary), "label").unwrap();
    let spec = DnnLinearCombinedClassifierConfig::model_fn()
        .train_spec(
            &model,
            features.clone(),
            labels.clone(),
            &config,
            &RunConfig::default(),
        )
        .unwrap();
    assert_eq!(spec.train_op.optimizer_kinds(), ["ftrl", "tf_adagrad"]);

    let before = est.model().unwrap().dnn.logits.weight.val().into_data();
    est.train(std::iter::repeat((features, labels)), TrainArgs::steps(5))
        .unwrap();
    let model = est.model().unwrap();
    let wide = model
        .linear
        .bias
        .val()
        .into_data()
        .try_into_vec_as::<f64>()
        .unwrap();
    assert!(
        wide.iter().any(|&w| w != 0.0),
        "the linear part (zeros at first) was not trained"
    );
    assert_ne!(
        model.dnn.logits.weight.val().into_data(),
        before,
        "the DNN was not trained"
    );
}

#[test]
fn ftrl_state_resumes_from_a_checkpoint() {
    let config = LinearClassifierConfig::new(wide_columns());
    let data = table(40, 4, Task::Binary);
    let run = |dir: &std::path::Path| RunConfig::default().model_dir(dir).random_seed(3);
    let logits = |est: &LinearClassifier| -> Vec<f64> {
        let (features, _) = est.input(&data, "label").unwrap();
        est.predict([features], PredictArgs::default())
            .unwrap()
            .map(|p| p.unwrap().scalar("logits").unwrap())
            .collect()
    };
    let straight = tempfile::tempdir().unwrap();
    let mut a = Premade::new(config.clone(), run(straight.path())).unwrap();
    let (f, l) = a.input(&data, "label").unwrap();
    a.train(
        std::iter::repeat((f.clone(), l.clone())),
        TrainArgs::steps(20),
    )
    .unwrap();

    let resumed = tempfile::tempdir().unwrap();
    let mut b = Premade::new(config.clone(), run(resumed.path())).unwrap();
    b.train(
        std::iter::repeat((f.clone(), l.clone())),
        TrainArgs::steps(10),
    )
    .unwrap();
    drop(b);
    let mut b = LinearClassifier::from_model_dir(run(resumed.path())).unwrap();
    assert_eq!(b.global_step(), 10);
    b.train(std::iter::repeat((f, l)), TrainArgs::steps(10))
        .unwrap();
    assert_eq!(
        logits(&a),
        logits(&b),
        "FTRL's accumulators did not survive the checkpoint"
    );
}

#[test]
fn a_model_dir_of_another_configuration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let run = || RunConfig::default().model_dir(dir.path());
    drop(Premade::new(LinearClassifierConfig::new(wide_columns()), run()).unwrap());
    let other =
        FeatureColumns::new([
            categorical_column_with_vocabulary_list("colour", ["red", "green"]).into(),
        ]);
    assert!(matches!(
        Premade::new(LinearClassifierConfig::new(other), run()),
        Err(Error::Config(_))
    ));
    assert!(Premade::new(LinearClassifierConfig::new(wide_columns()), run()).is_ok());
}

#[test]
fn bad_input_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        DnnClassifierConfig::new(dense_columns(), [4]).label_vocabulary(["low", "mid", "high"]);
    let est = Premade::new(config, RunConfig::default().model_dir(dir.path())).unwrap();
    let good = table(4, 5, Task::Multi);
    assert!(est.input(&good, "label").is_ok());
    let bad_label = good
        .clone()
        .with("label", ColumnValues::Str(vec!["huge".into(); 4]));
    assert!(matches!(
        est.input(&bad_label, "label"),
        Err(FeatureError::UnknownLabel { .. })
    ));
    let extra = good
        .clone()
        .with("colour_typo", ColumnValues::Float(vec![0.0; 4]));
    assert!(matches!(
        est.input(&extra, "label"),
        Err(FeatureError::UnknownColumn { .. })
    ));
    let oov = good
        .clone()
        .with("colour", ColumnValues::Str(vec!["purple".into(); 4]));
    assert!(matches!(
        est.input(&oov, "label"),
        Err(FeatureError::OutOfVocabulary { .. })
    ));
    let dtype = good.with("x1", ColumnValues::Str(vec!["1".into(); 4]));
    assert!(matches!(
        est.input(&dtype, "label"),
        Err(FeatureError::WrongDtype { .. })
    ));
    let dnn_with_sparse = DnnClassifierConfig::new(wide_columns(), [4]);
    let err = Premade::new(
        dnn_with_sparse,
        RunConfig::default().model_dir(dir.path().join("x")),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("indicator_column"), "{err}");
    assert!(matches!(
        err,
        Error::FeatureColumn(FeatureError::UnsupportedColumn { model: "dnn", .. })
    ));
}

#[test]
fn premade_estimators_run_in_train_and_evaluate() {
    use estimator_runtime::{EvalSpec, TrainSpec, train_and_evaluate};
    let dir = tempfile::tempdir().unwrap();
    let config = LinearRegressorConfig::new(wide_columns());
    let mut est = Premade::new(config, RunConfig::default().model_dir(dir.path())).unwrap();
    let train = est.input(&table(80, 6, Task::Regression), "label").unwrap();
    let eval = est.input(&table(40, 7, Task::Regression), "label").unwrap();
    let result = train_and_evaluate(
        &mut est,
        TrainSpec::new(std::iter::repeat(train), Some(60)),
        EvalSpec::new(move || vec![eval.clone()]).throttle_steps(20),
    )
    .unwrap();
    let last = result.last_eval.unwrap();
    assert_eq!(last.global_step, 60);
    assert!(last.metric("average_loss").is_some() && last.metric("label/mean").is_some());
}

#[test]
fn weight_column_weighs_loss_and_metrics() {
    // An untrained linear regressor predicts 0; labels 1 2 3 4 with weights 1 1 1 5.
    let dir = tempfile::tempdir().unwrap();
    let columns = FeatureColumns::new([numeric_column("x1").into()]).with_weight_column("w");
    let est = Premade::new(
        LinearRegressorConfig::new(columns),
        RunConfig::default().model_dir(dir.path()),
    )
    .unwrap();
    let data = FeatureBatch::new(4)
        .with("x1", ColumnValues::Float(vec![0.0; 4]))
        .with("w", ColumnValues::Float(vec![1.0, 1.0, 1.0, 5.0]))
        .with("label", ColumnValues::Float(vec![1.0, 2.0, 3.0, 4.0]));
    let mut est = est;
    let batch = est.input(&data, "label").unwrap();
    let r = est.evaluate([batch], EvalArgs::default()).unwrap();
    let close = |name: &str, want: f64| {
        let got = r.metric(name).unwrap();
        assert!((got - want).abs() < 1e-5, "{name}: {got} vs {want}");
    };
    close("label/mean", (1.0 + 2.0 + 3.0 + 20.0) / 8.0);
    close("prediction/mean", 0.0);
    close("average_loss", (1.0 + 4.0 + 9.0 + 80.0) / 8.0);
    assert!(
        (r.loss - (1.0 + 4.0 + 9.0 + 80.0) / 4.0).abs() < 1e-4,
        "{}",
        r.loss
    ); // SUM_OVER_BATCH_SIZE
}
