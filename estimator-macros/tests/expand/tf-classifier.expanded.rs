#[allow(non_upper_case_globals, private_interfaces, clippy::type_complexity)]
const classifier: ::estimator_runtime::__private::ModelFnValue<
    Mlp,
    Tensor<2>,
    Tensor<1, Int>,
    HParams,
    fn(
        &Mlp,
        Tensor<2>,
        Option<Tensor<1, Int>>,
        ModeKeys,
        &HParams,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >,
    ::estimator_runtime::__private::ParamsMissing,
> = {
    #[allow(clippy::too_many_arguments)]
    fn __estimator_model_fn(
        __arg0: &Mlp,
        __arg1: Tensor<2>,
        __arg2: Option<Tensor<1, Int>>,
        __arg3: ModeKeys,
        __arg4: &HParams,
    ) -> ::estimator_runtime::__private::EstimatorSpec {
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn classifier() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn model() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn features() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn labels() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn mode() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn params() {}
        #[allow(clippy::too_many_arguments)]
        fn __estimator_user_fn(
            model: &Mlp,
            features: Tensor<2>,
            labels: Option<Tensor<1, Int>>,
            mode: ModeKeys,
            params: &HParams,
        ) -> EstimatorSpec {
            let logits = model.forward(features);
            let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
            let predictions = Predictions::new().with("class", classes.clone());
            if mode == ModeKeys::Predict {
                return EstimatorSpec::new(mode).predictions(predictions);
            }
            let labels = labels.unwrap();
            let loss = CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits, labels.clone());
            let train_op = if mode == ModeKeys::Train {
                Some(
                    TrainOp::minimize(
                        loss.clone(),
                        AdamConfig::new(),
                        params.learning_rate,
                    ),
                )
            } else {
                None
            };
            EstimatorSpec {
                mode,
                predictions: Some(predictions),
                loss: Some(loss),
                train_op,
                eval_metric_ops: EvalMetricOps::new()
                    .with("accuracy", metrics::accuracy(labels, classes)),
                ..EstimatorSpec::new(mode)
            }
        }
        __estimator_user_fn(__arg0, __arg1, __arg2, __arg3, __arg4)
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_checked(
        __arg0: &Mlp,
        __arg1: Tensor<2>,
        __arg2: Option<Tensor<1, Int>>,
        __arg3: ModeKeys,
        __arg4: &HParams,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    > {
        ::estimator_runtime::__private::EstimatorSpec::validate(
            __estimator_model_fn(__arg0, __arg1, __arg2, __arg3, __arg4),
        )
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_call(
        __estimator_model: &Mlp,
        __estimator_features: Tensor<2>,
        __estimator_labels: ::core::option::Option<Tensor<1, Int>>,
        __estimator_mode: ::estimator_runtime::__private::ModeKeys,
        __estimator_params: &HParams,
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
            __estimator_params,
        )
    }
    ::estimator_runtime::__private::ModelFnValue::new(
        "classifier",
        &[
            ::estimator_runtime::__private::ModeKeys::Train,
            ::estimator_runtime::__private::ModeKeys::Eval,
            ::estimator_runtime::__private::ModeKeys::Predict,
        ],
        __estimator_call,
        __estimator_checked
            as fn(
                &Mlp,
                Tensor<2>,
                Option<Tensor<1, Int>>,
                ModeKeys,
                &HParams,
            ) -> ::core::result::Result<
                ::estimator_runtime::__private::EstimatorSpec,
                ::estimator_runtime::__private::Error,
            >,
    )
};
