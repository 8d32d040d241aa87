//! A generic model_fn (issue 20): one head over any model that yields logits, used with two
//! models. Each trains, evaluates, predicts and exports on ndarray; the export predicts what
//! the Estimator predicts.

mod common;

use common::*;
use estimator_runtime::prelude::*;
use estimator_runtime::{EvalResults, ExportedModel, ModelFnValue};

/// What the generic head needs of a model.
trait Logits {
    fn logits(&self, features: Tensor<2>) -> Tensor<2>;
}

impl Logits for Net {
    fn logits(&self, features: Tensor<2>) -> Tensor<2> {
        self.forward(features)
    }
}

/// A linear classifier: another model for the same head.
#[derive(Module, Debug)]
struct Linear {
    linear: nn::Linear,
}

impl Logits for Linear {
    fn logits(&self, features: Tensor<2>) -> Tensor<2> {
        self.linear.forward(features)
    }
}

/// A classification head over any model `M` with logits; `CLASSES` checks the logits' width.
/// The lifetime could be elided; it is there to show lifetimes alongside type parameters.
#[model_fn]
#[allow(clippy::needless_lifetimes)]
fn head_fn<'a, M, const CLASSES: usize>(
    model: &'a M,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec
where
    M: Logits + Module,
{
    let logits = model.logits(features);
    assert_eq!(
        logits.dims()[1],
        CLASSES,
        "the model yields one logit per class"
    );
    let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
    let predictions = Predictions::new()
        .with("class", classes.clone())
        .with("logits", logits.clone());
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(predictions);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels.clone());
    let train_op =
        (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), AdamConfig::new(), 0.02));
    EstimatorSpec::new(mode)
        .predictions(predictions)
        .loss(loss)
        .train_op(train_op)
        .eval_metric_ops(EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)))
}

type Direct<M> =
    fn(&M, Tensor<2>, Option<Tensor<1, Int>>, ModeKeys) -> Result<EstimatorSpec, Error>;

/// The head specialised for the linear model, as a `const` of its own.
const LINEAR_HEAD: ModelFnValue<Linear, Tensor<2>, Tensor<1, Int>, (), Direct<Linear>> =
    head_fn::<Linear, 3>();

/// Trains `model_fn` with `model` on iris and checks every mode.
fn train_evaluate_predict_export<M>(
    model_fn: ModelFnValue<M, Tensor<2>, Tensor<1, Int>, (), Direct<M>>,
    model: impl Fn() -> M,
) -> Result<(), Error>
where
    M: Module + 'static,
{
    let dir = tempfile::tempdir().expect("a temporary directory");
    let rows = iris();
    let all = || vec![batch(&rows, &device())];
    let mut est = Estimator::new(model_fn, model(), config(dir.path()))?;
    let loss = |results: &EvalResults| results.metric("loss").expect("an eval loss");
    let before = est.evaluate(all(), EvalArgs::default())?;
    est.train(stream(rows.clone(), 16, device()), TrainArgs::steps(150))?;
    let after = est.evaluate(all(), EvalArgs::default())?;
    assert!(
        loss(&after) < loss(&before) * 0.5,
        "{}: the eval loss falls from {} to {}",
        model_fn.name(),
        loss(&before),
        loss(&after)
    );
    let accuracy = after.metric("accuracy").expect("an accuracy metric");
    eprintln!(
        "{}: eval loss {:.3} -> {:.3}, accuracy {accuracy:.3}",
        std::any::type_name::<M>(),
        loss(&before),
        loss(&after)
    );
    assert!(
        accuracy > 0.8,
        "accuracy {accuracy} is well above chance (1/3)"
    );

    let (features, labels) = batch(&rows, &device());
    let predicted: Vec<Prediction> = est
        .predict([features.clone()], PredictArgs::default())?
        .collect::<Result<_, _>>()?;
    let classes: Vec<i64> = predicted
        .iter()
        .flat_map(|p| p.get("class").expect("a class output").iter::<i64>())
        .collect();
    let truth: Vec<i64> = labels.into_data().iter::<i64>().collect();
    let right = classes.iter().zip(&truth).filter(|(c, t)| c == t).count();
    assert_eq!(classes.len(), 150);
    assert!(
        (right as f64 / 150.0 - accuracy).abs() < 1e-9,
        "predict agrees with evaluate"
    );

    let export_dir = est.export(dir.path().join("export"), features.clone())?;
    let loaded = ExportedModel::load(&export_dir, model_fn, model())?;
    let outputs = loaded.predict("serving_default", features)?;
    let logits = |data: &TensorData| data.clone().try_into_vec_as::<f32>().expect("f32 logits");
    let exported = outputs
        .iter()
        .find(|(n, _)| n == "logits")
        .map(|(_, d)| logits(d))
        .expect("a logits output");
    let in_process: Vec<f32> = predicted
        .iter()
        .flat_map(|p| logits(p.get("logits").expect("a logits output")))
        .collect();
    assert_eq!(exported.len(), 450);
    assert_eq!(
        exported, in_process,
        "the export predicts what the Estimator predicts"
    );
    Ok(())
}

#[test]
fn a_generic_model_fn_runs_every_mode_with_two_models() -> Result<(), Error> {
    let linear = || Linear {
        linear: nn::LinearConfig::new(4, 3).init(&device()),
    };
    train_evaluate_predict_export(LINEAR_HEAD, linear)?;
    train_evaluate_predict_export(head_fn::<Net, 3>(), || Net::new(&device()))?;
    Ok(())
}

#[test]
fn the_generic_name_is_a_const_fn_and_a_direct_call() -> Result<(), Error> {
    const NET_HEAD: ModelFnValue<Net, Tensor<2>, Tensor<1, Int>, (), Direct<Net>> =
        head_fn::<Net, 3>();
    assert_eq!(NET_HEAD.name(), "head_fn");
    let (features, labels) = batch(&iris()[..8], &device());
    let spec = head_fn::<Net, 3>()(&Net::new(&device()), features, Some(labels), ModeKeys::Eval)?;
    assert!(spec.loss.is_some() && spec.train_op.is_none());
    Ok(())
}
