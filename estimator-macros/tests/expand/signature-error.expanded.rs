::core::compile_error! {
    "unknown model_fn parameter `label`\nnote: TF recognises parameters by name: `model`, `features`, `labels`, `mode`, `params`, `config`\nhelp: did you mean `labels`?"
}
#[allow(non_upper_case_globals, private_interfaces, clippy::type_complexity)]
const classifier: ::estimator_runtime::__private::ModelFnValue<
    Mlp,
    Tensor<2>,
    Tensor<1, Int>,
    (),
    fn(
        &Mlp,
        Tensor<2>,
        Option<Tensor<1, Int>>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >,
> = {
    #[allow(dead_code, clippy::too_many_arguments)]
    fn __estimator_model_fn(
        model: &Mlp,
        features: Tensor<2>,
        label: Option<Tensor<1, Int>>,
        mode: ModeKeys,
    ) -> EstimatorSpec {
        classify(model, features, label, mode)
    }
    ::estimator_runtime::__private::ModelFnValue::new(
        "classifier",
        &[],
        |
            _: &Mlp,
            _: Tensor<2>,
            _: ::core::option::Option<Tensor<1, Int>>,
            _: ::estimator_runtime::__private::ModeKeys,
            _: &(),
            _: &::estimator_runtime::__private::RunConfig,
        | -> ::estimator_runtime::__private::EstimatorSpec {
            ::core::unreachable!("a model_fn with a signature error does not compile")
        },
        |
            _: &Mlp,
            _: Tensor<2>,
            _: Option<Tensor<1, Int>>,
            _: ModeKeys,
        | -> ::core::result::Result<
            ::estimator_runtime::__private::EstimatorSpec,
            ::estimator_runtime::__private::Error,
        > { ::core::unreachable!("a model_fn with a signature error does not compile") },
    )
};
