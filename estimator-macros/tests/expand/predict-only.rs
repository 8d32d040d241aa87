#[model_fn(modes(predict))]
fn serving(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
    EstimatorSpec::new(mode).predictions(Predictions::from(model.forward(features)))
}
