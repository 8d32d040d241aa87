use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;
use estimator_runtime::ExportedModel;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

struct HParams {
    scale: f32,
}

#[model_fn(modes(predict))]
fn scorer(model: &Mlp, features: Tensor<2>, mode: ModeKeys, params: &HParams) -> EstimatorSpec {
    let scores = model.linear.forward(features) * params.scale;
    EstimatorSpec::new(mode).predictions(Predictions::from(scores))
}

// `ExportedModel::load` of a model_fn that takes `params`, without `.with_params(..)`.
fn serve(model: Mlp, features: Tensor<2>) -> Result<(), Error> {
    let served = ExportedModel::load("export/1", scorer, model)?;
    let _outputs = served.predict("serving_default", features)?;
    Ok(())
}

fn main() {
    let _ = serve;
}
