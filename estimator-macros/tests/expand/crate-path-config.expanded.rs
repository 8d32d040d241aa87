#[allow(non_upper_case_globals, private_interfaces, clippy::type_complexity)]
const with_config: my_runtime::__private::ModelFnValue<
    (),
    Tensor<2>,
    Tensor<1>,
    HParams,
    fn(
        Tensor<2>,
        Option<Tensor<1>>,
        ModeKeys,
        &HParams,
        &RunConfig,
    ) -> ::core::result::Result<
        my_runtime::__private::EstimatorSpec,
        my_runtime::__private::Error,
    >,
    my_runtime::__private::ParamsMissing,
> = {
    #[allow(clippy::too_many_arguments)]
    fn __estimator_model_fn(
        __arg0: Tensor<2>,
        __arg1: Option<Tensor<1>>,
        __arg2: ModeKeys,
        __arg3: &HParams,
        __arg4: &RunConfig,
    ) -> my_runtime::__private::EstimatorSpec {
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn with_config() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn features() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn labels() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn mode() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn params() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn config() {}
        #[allow(clippy::too_many_arguments)]
        fn __estimator_user_fn(
            features: Tensor<2>,
            labels: Option<Tensor<1>>,
            mode: ModeKeys,
            params: &HParams,
            config: &RunConfig,
        ) -> EstimatorSpec {
            spec_helper(features, labels, mode, params, config)
        }
        __estimator_user_fn(__arg0, __arg1, __arg2, __arg3, __arg4)
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_checked(
        __arg0: Tensor<2>,
        __arg1: Option<Tensor<1>>,
        __arg2: ModeKeys,
        __arg3: &HParams,
        __arg4: &RunConfig,
    ) -> ::core::result::Result<
        my_runtime::__private::EstimatorSpec,
        my_runtime::__private::Error,
    > {
        my_runtime::__private::EstimatorSpec::validate(
            __estimator_model_fn(__arg0, __arg1, __arg2, __arg3, __arg4),
        )
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_call(
        __estimator_model: &(),
        __estimator_features: Tensor<2>,
        __estimator_labels: ::core::option::Option<Tensor<1>>,
        __estimator_mode: my_runtime::__private::ModeKeys,
        __estimator_params: &HParams,
        __estimator_config: &my_runtime::__private::RunConfig,
    ) -> my_runtime::__private::EstimatorSpec {
        let _ = (
            &__estimator_model,
            &__estimator_labels,
            &__estimator_params,
            &__estimator_config,
        );
        __estimator_model_fn(
            __estimator_features,
            __estimator_labels,
            __estimator_mode,
            __estimator_params,
            __estimator_config,
        )
    }
    my_runtime::__private::ModelFnValue::new(
            "with_config",
            &[
                my_runtime::__private::ModeKeys::Train,
                my_runtime::__private::ModeKeys::Eval,
                my_runtime::__private::ModeKeys::Predict,
            ],
            __estimator_call,
            __estimator_checked
                as fn(
                    Tensor<2>,
                    Option<Tensor<1>>,
                    ModeKeys,
                    &HParams,
                    &RunConfig,
                ) -> ::core::result::Result<
                    my_runtime::__private::EstimatorSpec,
                    my_runtime::__private::Error,
                >,
        )
        .spec_calls(
            &[
                (
                    my_runtime::__private::ModeKeys::Train,
                    ::core::concat!(
                        "the call to `spec_helper` at ", ::core::file!(), ":",
                        ::core::line!()
                    ),
                ),
                (
                    my_runtime::__private::ModeKeys::Eval,
                    ::core::concat!(
                        "the call to `spec_helper` at ", ::core::file!(), ":",
                        ::core::line!()
                    ),
                ),
                (
                    my_runtime::__private::ModeKeys::Predict,
                    ::core::concat!(
                        "the call to `spec_helper` at ", ::core::file!(), ":",
                        ::core::line!()
                    ),
                ),
            ],
        )
};
