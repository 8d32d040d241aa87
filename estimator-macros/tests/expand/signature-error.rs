#[model_fn]
fn classifier(model: &Mlp, features: Tensor<2>, label: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
    classify(model, features, label, mode)
}
