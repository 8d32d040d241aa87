/// A head over any model that yields logits.
#[allow(private_interfaces, clippy::type_complexity, clippy::too_many_arguments)]
pub const fn head_fn<'a, M: Logits, const CLASSES: usize>() -> ::estimator_runtime::__private::ModelFnValue<
    M,
    Tensor<2>,
    Tensor<1, Int>,
    (),
    fn(
        &'_ M,
        Tensor<2>,
        Option<Tensor<1, Int>>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >,
>
where
    M: Module + 'static,
{
    #[allow(clippy::too_many_arguments)]
    fn __estimator_model_fn<'a, M: Logits, const CLASSES: usize>(
        __arg0: &'_ M,
        __arg1: Tensor<2>,
        __arg2: Option<Tensor<1, Int>>,
        __arg3: ModeKeys,
    ) -> ::estimator_runtime::__private::EstimatorSpec
    where
        M: Module + 'static,
    {
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn head_fn() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn model() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn features() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn labels() {}
        #[allow(dead_code, non_snake_case, clippy::all)]
        fn mode() {}
        #[allow(clippy::too_many_arguments)]
        fn __estimator_user_fn<'a, M: Logits, const CLASSES: usize>(
            model: &'a M,
            features: Tensor<2>,
            labels: Option<Tensor<1, Int>>,
            mode: ModeKeys,
        ) -> EstimatorSpec
        where
            M: Module + 'static,
        {
            let logits = model.logits(features);
            if mode == ModeKeys::Predict {
                return EstimatorSpec::new(mode).predictions(logits);
            }
            let loss = CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits, labels.unwrap());
            let train_op = (mode == ModeKeys::Train)
                .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
            EstimatorSpec::new(mode).loss(loss).train_op(train_op)
        }
        __estimator_user_fn::<M, CLASSES>(__arg0, __arg1, __arg2, __arg3)
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_checked<'a, M: Logits, const CLASSES: usize>(
        __arg0: &'_ M,
        __arg1: Tensor<2>,
        __arg2: Option<Tensor<1, Int>>,
        __arg3: ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >
    where
        M: Module + 'static,
    {
        ::estimator_runtime::__private::EstimatorSpec::validate(
            __estimator_model_fn::<M, CLASSES>(__arg0, __arg1, __arg2, __arg3),
        )
    }
    #[allow(clippy::too_many_arguments)]
    fn __estimator_call<'a, M: Logits, const CLASSES: usize>(
        __estimator_model: &M,
        __estimator_features: Tensor<2>,
        __estimator_labels: ::core::option::Option<Tensor<1, Int>>,
        __estimator_mode: ::estimator_runtime::__private::ModeKeys,
        __estimator_params: &(),
        __estimator_config: &::estimator_runtime::__private::RunConfig,
    ) -> ::estimator_runtime::__private::EstimatorSpec
    where
        M: Module + 'static,
    {
        let _ = (
            &__estimator_model,
            &__estimator_labels,
            &__estimator_params,
            &__estimator_config,
        );
        __estimator_model_fn::<
            M,
            CLASSES,
        >(__estimator_model, __estimator_features, __estimator_labels, __estimator_mode)
    }
    ::estimator_runtime::__private::ModelFnValue::new(
        "head_fn",
        &[
            ::estimator_runtime::__private::ModeKeys::Train,
            ::estimator_runtime::__private::ModeKeys::Eval,
            ::estimator_runtime::__private::ModeKeys::Predict,
        ],
        __estimator_call::<M, CLASSES>,
        __estimator_checked::<M, CLASSES>
            as fn(
                &'_ M,
                Tensor<2>,
                Option<Tensor<1, Int>>,
                ModeKeys,
            ) -> ::core::result::Result<
                ::estimator_runtime::__private::EstimatorSpec,
                ::estimator_runtime::__private::Error,
            >,
    )
}
