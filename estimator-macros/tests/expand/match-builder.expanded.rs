/// A regressor written with `match mode` and builder chains.
#[allow(non_upper_case_globals, private_interfaces, clippy::type_complexity)]
pub const regressor: ::estimator_runtime::__private::ModelFnValue<
    (),
    Tensor<2>,
    Tensor<1>,
    (),
    fn(
        Tensor<2>,
        Option<Tensor<1>>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >,
> = {
    #[allow(clippy::too_many_arguments)]
    fn __estimator_model_fn(
        __arg0: Tensor<2>,
        __arg1: Option<Tensor<1>>,
        __arg2: ModeKeys,
    ) -> ::estimator_runtime::__private::EstimatorSpec {
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn regressor() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn features() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn labels() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn mode() {}
        #[allow(clippy::too_many_arguments)]
        fn __estimator_user_fn(
            features: Tensor<2>,
            labels: Option<Tensor<1>>,
            mode: ModeKeys,
        ) -> EstimatorSpec {
            let value = features.sum_dim(1).flatten::<1>(0, 1);
            match mode {
                ModeKeys::Predict => {
                    EstimatorSpec::new(mode).predictions(Predictions::from(value))
                }
                ModeKeys::Train | ModeKeys::Eval => {
                    let loss = (value - labels.unwrap()).square().mean();
                    let train_op = (mode == ModeKeys::Train)
                        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
                    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
                }
            }
        }
        __estimator_user_fn(__arg0, __arg1, __arg2)
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_checked(
        __arg0: Tensor<2>,
        __arg1: Option<Tensor<1>>,
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
        __estimator_model: &(),
        __estimator_features: Tensor<2>,
        __estimator_labels: ::core::option::Option<Tensor<1>>,
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
        __estimator_model_fn(__estimator_features, __estimator_labels, __estimator_mode)
    }
    ::estimator_runtime::__private::ModelFnValue::new(
        "regressor",
        &[
            ::estimator_runtime::__private::ModeKeys::Train,
            ::estimator_runtime::__private::ModeKeys::Eval,
            ::estimator_runtime::__private::ModeKeys::Predict,
        ],
        __estimator_call,
        __estimator_checked
            as fn(
                Tensor<2>,
                Option<Tensor<1>>,
                ModeKeys,
            ) -> ::core::result::Result<
                ::estimator_runtime::__private::EstimatorSpec,
                ::estimator_runtime::__private::Error,
            >,
    )
};
