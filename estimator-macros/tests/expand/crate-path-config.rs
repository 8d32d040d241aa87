#[model_fn(crate = "my_runtime")]
fn with_config(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys, params: &HParams, config: &RunConfig) -> EstimatorSpec {
    spec_helper(features, labels, mode, params, config)
}
