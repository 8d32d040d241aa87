#[doc(hidden)]
#[allow(non_camel_case_types)]
struct __EstimatorModelFn_with_config<T> {
    _private: ::core::marker::PhantomData<fn() -> T>,
}
#[doc(hidden)]
#[allow(non_camel_case_types, private_interfaces)]
type __estimator_model_fn_with_config = __EstimatorModelFn_with_config<
    ((), Tensor<2>, Tensor<1>, HParams),
>;
#[allow(non_upper_case_globals, private_interfaces)]
const with_config: __estimator_model_fn_with_config = __EstimatorModelFn_with_config {
    _private: ::core::marker::PhantomData,
};
impl __estimator_model_fn_with_config {
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
            Self::__estimator_model_fn(__arg0, __arg1, __arg2, __arg3, __arg4),
        )
    }
    #[doc(hidden)]
    #[allow(clippy::type_complexity)]
    const __ESTIMATOR_CHECKED: fn(
        Tensor<2>,
        Option<Tensor<1>>,
        ModeKeys,
        &HParams,
        &RunConfig,
    ) -> ::core::result::Result<
        my_runtime::__private::EstimatorSpec,
        my_runtime::__private::Error,
    > = Self::__estimator_checked;
}
#[allow(clippy::type_complexity)]
impl ::core::ops::Deref for __estimator_model_fn_with_config {
    type Target = fn(
        Tensor<2>,
        Option<Tensor<1>>,
        ModeKeys,
        &HParams,
        &RunConfig,
    ) -> ::core::result::Result<
        my_runtime::__private::EstimatorSpec,
        my_runtime::__private::Error,
    >;
    fn deref(&self) -> &Self::Target {
        &Self::__ESTIMATOR_CHECKED
    }
}
impl my_runtime::__private::ModelFn for __estimator_model_fn_with_config {
    type Model = ();
    type Features = Tensor<2>;
    type Labels = Tensor<1>;
    type Params = HParams;
    fn name(&self) -> &'static str {
        "with_config"
    }
    fn modes(&self) -> &'static [my_runtime::__private::ModeKeys] {
        &[
            my_runtime::__private::ModeKeys::Train,
            my_runtime::__private::ModeKeys::Eval,
            my_runtime::__private::ModeKeys::Predict,
        ]
    }
    fn call(
        &self,
        __estimator_model: &Self::Model,
        __estimator_features: Self::Features,
        __estimator_labels: ::core::option::Option<Self::Labels>,
        __estimator_mode: my_runtime::__private::ModeKeys,
        __estimator_params: &Self::Params,
        __estimator_config: &my_runtime::__private::RunConfig,
    ) -> my_runtime::__private::EstimatorSpec {
        let _ = (
            &__estimator_model,
            &__estimator_labels,
            &__estimator_params,
            &__estimator_config,
        );
        Self::__estimator_model_fn(
            __estimator_features,
            __estimator_labels,
            __estimator_mode,
            __estimator_params,
            __estimator_config,
        )
    }
}
