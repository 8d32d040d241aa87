#[allow(non_upper_case_globals, private_interfaces, clippy::type_complexity)]
const classifier: ::estimator_runtime::__private::ModelFnValue<
    Self,
    Tensor<2>,
    Tensor<1, Int>,
    (),
    fn(
        &Self,
        Tensor<2>,
        Option<Tensor<1, Int>>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >,
> = {
    ::estimator_runtime::__private::ModelFnValue::new(
        "classifier",
        &[
            ::estimator_runtime::__private::ModeKeys::Train,
            ::estimator_runtime::__private::ModeKeys::Eval,
            ::estimator_runtime::__private::ModeKeys::Predict,
        ],
        |
            __estimator_model: &Self,
            __estimator_features: Tensor<2>,
            __estimator_labels: ::core::option::Option<Tensor<1, Int>>,
            __estimator_mode: ::estimator_runtime::__private::ModeKeys,
            __estimator_params: &(),
            __estimator_config: &::estimator_runtime::__private::RunConfig,
        | -> ::estimator_runtime::__private::EstimatorSpec {
            let _ = (
                &__estimator_model,
                &__estimator_labels,
                &__estimator_params,
                &__estimator_config,
            );
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
            let __estimator_user_fn = |
                model: &Self,
                features: Tensor<2>,
                labels: Option<Tensor<1, Int>>,
                mode: ModeKeys,
            | -> ::estimator_runtime::__private::EstimatorSpec {
                let logits = Self::logits(model, features);
                if mode == ModeKeys::Predict {
                    return EstimatorSpec::new(mode)
                        .predictions(Predictions::from(logits));
                }
                let loss = Self::loss(logits, labels.unwrap());
                let train_op = (mode == ModeKeys::Train)
                    .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
                EstimatorSpec::new(mode).loss(loss).train_op(train_op)
            };
            __estimator_user_fn(
                __estimator_model,
                __estimator_features,
                __estimator_labels,
                __estimator_mode,
            )
        },
        |
            __arg0: &Self,
            __arg1: Tensor<2>,
            __arg2: Option<Tensor<1, Int>>,
            __arg3: ModeKeys,
        | -> ::core::result::Result<
            ::estimator_runtime::__private::EstimatorSpec,
            ::estimator_runtime::__private::Error,
        > {
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
            let __estimator_user_fn = |
                model: &Self,
                features: Tensor<2>,
                labels: Option<Tensor<1, Int>>,
                mode: ModeKeys,
            | -> ::estimator_runtime::__private::EstimatorSpec {
                let logits = Self::logits(model, features);
                if mode == ModeKeys::Predict {
                    return EstimatorSpec::new(mode)
                        .predictions(Predictions::from(logits));
                }
                let loss = Self::loss(logits, labels.unwrap());
                let train_op = (mode == ModeKeys::Train)
                    .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
                EstimatorSpec::new(mode).loss(loss).train_op(train_op)
            };
            ::estimator_runtime::__private::EstimatorSpec::validate(
                __estimator_user_fn(__arg0, __arg1, __arg2, __arg3),
            )
        },
    )
};
