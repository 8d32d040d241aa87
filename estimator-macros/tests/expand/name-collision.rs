#[model_fn]
fn model(model: &Net, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
    let model = model.clone();
    classify(&model, features, labels, mode)
}
