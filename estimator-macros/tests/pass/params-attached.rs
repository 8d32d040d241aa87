//! Params attached as before (`Estimator::new(..)?.with_params(p)`, `ExportedModel::load(..)?
//! .with_params(p)`) and a model_fn without params (nothing to attach) compile unchanged, and
//! the attached Estimator is the plain `Estimator<F>`.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;
use estimator_runtime::ExportedModel;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

struct HParams {
    learning_rate: f64,
}

#[model_fn]
fn with_params(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &HParams,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), params.learning_rate));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

#[model_fn]
fn without_params(
    model: &Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

fn train<F>(estimator: &mut Estimator<F>, batches: Vec<(Tensor<2>, Tensor<1, Int>)>) -> Result<(), Error>
where
    F: ModelFn<Model = Mlp, Features = Tensor<2>, Labels = Tensor<1, Int>>,
    F::Params: 'static,
{
    estimator.train(batches.clone(), TrainArgs::steps(1))?;
    estimator.evaluate(batches, EvalArgs::default())?;
    Ok(())
}

fn run(batches: Vec<(Tensor<2>, Tensor<1, Int>)>) -> Result<(), Error> {
    let device = Device::default();
    let mlp = || Mlp { linear: nn::LinearConfig::new(2, 2).init(&device) };
    let mut a = Estimator::new(with_params, mlp(), RunConfig::default())?
        .with_params(HParams { learning_rate: 0.1 });
    train(&mut a, batches.clone())?;
    let x = batches[0].0.clone();
    let export = a.export("export", x.clone())?;
    let served = ExportedModel::load(&export, with_params, mlp())?
        .with_params(HParams { learning_rate: 0.1 });
    served.predict("serving_default", x.clone())?;

    let mut b = Estimator::new(without_params, mlp(), RunConfig::default())?;
    train(&mut b, batches)?;
    let _ = b.predict([x.clone()], PredictArgs::default())?;
    let served = ExportedModel::load(&export, without_params, mlp())?;
    served.predict("serving_default", x)?;
    Ok(())
}

fn main() {
    let _ = run;
}
