#[allow(non_upper_case_globals, private_interfaces, clippy::type_complexity)]
const serving: ::estimator_runtime::__private::ModelFnValue<
    Mlp,
    Tensor<2>,
    (),
    (),
    fn(
        &Mlp,
        Tensor<2>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >,
> = {
    #[allow(clippy::too_many_arguments)]
    fn __estimator_model_fn(
        __arg0: &Mlp,
        __arg1: Tensor<2>,
        __arg2: ModeKeys,
    ) -> ::estimator_runtime::__private::EstimatorSpec {
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn serving() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn model() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn features() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn mode() {}
        #[allow(clippy::too_many_arguments)]
        fn __estimator_user_fn(
            model: &Mlp,
            features: Tensor<2>,
            mode: ModeKeys,
        ) -> EstimatorSpec {
            EstimatorSpec::new(mode)
                .predictions(Predictions::from(model.forward(features)))
        }
        __estimator_user_fn(__arg0, __arg1, __arg2)
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_checked(
        __arg0: &Mlp,
        __arg1: Tensor<2>,
        __arg2: ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    > {
        ::estimator_runtime::__private::EstimatorSpec::validate(
            __estimator_model_fn(__arg0, __arg1, __arg2),
        )
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_call(
        __estimator_model: &Mlp,
        __estimator_features: Tensor<2>,
        __estimator_labels: ::core::option::Option<()>,
        __estimator_mode: ::estimator_runtime::__private::ModeKeys,
        __estimator_params: &(),
        __estimator_config: &::estimator_runtime::__private::RunConfig,
    ) -> ::estimator_runtime::__private::EstimatorSpec {
        let _ = (
            &__estimator_model,
            &__estimator_labels,
            &__estimator_params,
            &__estimator_config,
        );
        __estimator_model_fn(__estimator_model, __estimator_features, __estimator_mode)
    }
    ::estimator_runtime::__private::ModelFnValue::new(
        "serving",
        &[::estimator_runtime::__private::ModeKeys::Predict],
        __estimator_call,
        __estimator_checked
            as fn(
                &Mlp,
                Tensor<2>,
                ModeKeys,
            ) -> ::core::result::Result<
                ::estimator_runtime::__private::EstimatorSpec,
                ::estimator_runtime::__private::Error,
            >,
    )
};
