#[allow(non_upper_case_globals, private_interfaces, clippy::type_complexity)]
const model: ::estimator_runtime::__private::ModelFnValue<
    Net,
    Tensor<2>,
    Tensor<1, Int>,
    (),
    fn(
        &Net,
        Tensor<2>,
        Option<Tensor<1, Int>>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >,
> = {
    #[allow(clippy::too_many_arguments)]
    fn __estimator_model_fn(
        __arg0: &Net,
        __arg1: Tensor<2>,
        __arg2: Option<Tensor<1, Int>>,
        __arg3: ModeKeys,
    ) -> ::estimator_runtime::__private::EstimatorSpec {
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn model() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn features() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn labels() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn mode() {}
        #[allow(clippy::too_many_arguments)]
        fn __estimator_user_fn(
            model: &Net,
            features: Tensor<2>,
            labels: Option<Tensor<1, Int>>,
            mode: ModeKeys,
        ) -> EstimatorSpec {
            let model = model.clone();
            classify(&model, features, labels, mode)
        }
        __estimator_user_fn(__arg0, __arg1, __arg2, __arg3)
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_checked(
        __arg0: &Net,
        __arg1: Tensor<2>,
        __arg2: Option<Tensor<1, Int>>,
        __arg3: ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    > {
        ::estimator_runtime::__private::EstimatorSpec::validate(
            __estimator_model_fn(__arg0, __arg1, __arg2, __arg3),
        )
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_call(
        __estimator_model: &Net,
        __estimator_features: Tensor<2>,
        __estimator_labels: ::core::option::Option<Tensor<1, Int>>,
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
        __estimator_model_fn(
            __estimator_model,
            __estimator_features,
            __estimator_labels,
            __estimator_mode,
        )
    }
    ::estimator_runtime::__private::ModelFnValue::new(
            "model",
            &[
                ::estimator_runtime::__private::ModeKeys::Train,
                ::estimator_runtime::__private::ModeKeys::Eval,
                ::estimator_runtime::__private::ModeKeys::Predict,
            ],
            __estimator_call,
            __estimator_checked
                as fn(
                    &Net,
                    Tensor<2>,
                    Option<Tensor<1, Int>>,
                    ModeKeys,
                ) -> ::core::result::Result<
                    ::estimator_runtime::__private::EstimatorSpec,
                    ::estimator_runtime::__private::Error,
                >,
        )
        .spec_calls(
            &[
                (
                    ::estimator_runtime::__private::ModeKeys::Train,
                    ::core::concat!(
                        "the call to `classify` at ", ::core::file!(), ":",
                        ::core::line!()
                    ),
                ),
                (
                    ::estimator_runtime::__private::ModeKeys::Eval,
                    ::core::concat!(
                        "the call to `classify` at ", ::core::file!(), ":",
                        ::core::line!()
                    ),
                ),
                (
                    ::estimator_runtime::__private::ModeKeys::Predict,
                    ::core::concat!(
                        "the call to `classify` at ", ::core::file!(), ":",
                        ::core::line!()
                    ),
                ),
            ],
        )
};
