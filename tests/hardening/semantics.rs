//! Item 6: TF's semantics where the runtime drifted.

use super::*;

#[test]
fn eval_loss_is_the_mean_of_batch_losses_and_average_loss_weights_examples() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(20))
        .expect("train");
    let rows = iris();
    let (small, large) = (&rows[..10], &rows[10..100]);
    let mut loss_of = |rows: &[(Vec<f32>, i64)]| {
        est.evaluate(vec![batch(rows, &device())], EvalArgs::default())
            .expect("evaluate")
            .loss
    };
    let (l1, l2) = (loss_of(small), loss_of(large));
    let both = est
        .evaluate(
            vec![batch(small, &device()), batch(large, &device())],
            EvalArgs::default(),
        )
        .expect("evaluate");
    assert!((both.loss - (l1 + l2) / 2.0).abs() < 1e-6, "{both:?}");
    let average = both.metric("average_loss").expect("average_loss");
    assert!((average - (l1 * 10.0 + l2 * 90.0) / 100.0).abs() < 1e-6);
}

#[test]
fn eval_spec_evaluates_100_batches_by_default() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let one_row_batches = || {
        let rows = iris();
        (0..150)
            .map(|i| batch(&rows[i..i + 1], &device()))
            .collect::<Vec<_>>()
    };
    let train = TrainSpec::new(stream(iris(), 16, device()), Some(1));
    let out = train_and_evaluate(&mut est, train, EvalSpec::new(one_row_batches))
        .expect("train_and_evaluate");
    assert_eq!(out.evals[0].batches, 100);
    let train = TrainSpec::new(stream(iris(), 16, device()), Some(2));
    let whole = EvalSpec::new(one_row_batches).whole_input();
    let out = train_and_evaluate(&mut est, train, whole).expect("train_and_evaluate");
    assert_eq!(out.evals[0].batches, 150);
}

static EVAL_LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records evaluation hook points.
struct EvalRecorder;

impl Hook for EvalRecorder {
    fn before_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let entry = format!("before {} {:?}", ctx.global_step, ctx.batch);
        EVAL_LOG
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
        Ok(())
    }
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        let entry = format!("after {} {:?}", ctx.global_step, ctx.batch);
        EVAL_LOG
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
        Ok(())
    }
}

#[model_fn]
fn with_eval_hooks(
    model: &Net,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.forward(features);
    let predictions = Predictions::new().with("logits", logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    let hooks: Vec<Box<dyn Hook>> = vec![Box::new(EvalRecorder)];
    EstimatorSpec {
        predictions: Some(predictions),
        loss: Some(loss),
        train_op,
        evaluation_hooks: hooks,
        ..EstimatorSpec::new(mode)
    }
}

#[test]
fn evaluation_hooks_get_before_step_the_global_step_and_the_batch() {
    let dir = tmp();
    let mut est =
        Estimator::new(with_eval_hooks, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(7))
        .expect("train");
    let rows = iris();
    let batches = vec![batch(&rows[..5], &device()), batch(&rows[5..9], &device())];
    est.evaluate(batches, EvalArgs::default())
        .expect("evaluate");
    let log = EVAL_LOG.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(
        log,
        [
            "before 7 Some(1)",
            "after 7 Some(1)",
            "before 7 Some(2)",
            "after 7 Some(2)"
        ]
    );
}

#[test]
fn steps_zero_or_steps_with_max_steps_are_errors() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let cases = [
        (TrainArgs::steps(0), "Must specify steps > 0, given: 0"),
        (
            TrainArgs::max_steps(0),
            "Must specify max_steps > 0, given: 0",
        ),
        (
            TrainArgs::steps(3).and_max_steps(10),
            "Can not provide both steps and max_steps.",
        ),
    ];
    for (args, message) in cases {
        let err = est.train(stream(iris(), 16, device()), args).err();
        assert!(
            matches!(&err, Some(Error::Config(m)) if m == message),
            "{message}: {err:?}"
        );
    }
    assert_eq!(est.global_step(), 0);
}

/// The iris net with its first layer renamed.
#[derive(Module, Debug)]
struct Renamed {
    encoder: nn::Linear,
    output: nn::Linear,
}

#[model_fn]
fn renamed_classifier(
    model: &Renamed,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let hidden = burn::tensor::activation::relu(model.encoder.forward(features));
    sgd_logits_spec(mode, model.output.forward(hidden), labels)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_into_vec_as::<f32>().expect("f32 values")
}

#[test]
fn warm_start_renames_parameters_as_var_name_to_prev_var_name() {
    let (a, b, c) = (tmp(), tmp(), tmp());
    let mut source =
        Estimator::new(iris_classifier, Net::new(&device()), config(a.path())).expect("new");
    source
        .train(stream(iris(), 16, device()), TrainArgs::steps(3))
        .expect("train");
    let hidden = values(source.model().expect("model").hidden.weight.val());
    let d = device();
    let fresh = || Renamed {
        encoder: nn::LinearConfig::new(4, 16).init(&d),
        output: nn::LinearConfig::new(16, 3).init(&d),
    };
    let scaffold = Scaffold::new()
        .warm_start_from(a.path())
        .var_name_to_prev_var_name([
            ("encoder.weight", "hidden.weight"),
            ("encoder.bias", "hidden.bias"),
        ]);
    let config_b = config(b.path()).warm_start_from(scaffold);
    let est = Estimator::new(renamed_classifier, fresh(), config_b).expect("warm start");
    let encoder = values(est.model().expect("model").encoder.weight.val());
    assert_eq!(encoder, hidden, "encoder.weight taken from hidden.weight");
    let unused = Scaffold::new()
        .warm_start_from(a.path())
        .var_name_to_prev_var_name([("decoder.weight", "hidden.weight")]);
    let err = Estimator::new(
        renamed_classifier,
        fresh(),
        config(c.path()).warm_start_from(unused),
    )
    .err();
    assert!(
        matches!(&err, Some(Error::Config(m)) if m.contains("were not used") && m.contains("decoder.weight")),
        "{err:?}"
    );
}
