#[doc(hidden)]
#[allow(non_camel_case_types)]
struct __EstimatorModelFn_serving<T> {
    _private: ::core::marker::PhantomData<fn() -> T>,
}
#[doc(hidden)]
#[allow(non_camel_case_types, private_interfaces)]
type __estimator_model_fn_serving = __EstimatorModelFn_serving<(Mlp, Tensor<2>, (), ())>;
#[allow(non_upper_case_globals, private_interfaces)]
const serving: __estimator_model_fn_serving = __EstimatorModelFn_serving {
    _private: ::core::marker::PhantomData,
};
impl __estimator_model_fn_serving {
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
            Self::__estimator_model_fn(__arg0, __arg1, __arg2),
        )
    }
    #[doc(hidden)]
    #[allow(clippy::type_complexity)]
    const __ESTIMATOR_CHECKED: fn(
        &Mlp,
        Tensor<2>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    > = Self::__estimator_checked;
}
#[allow(clippy::type_complexity)]
impl ::core::ops::Deref for __estimator_model_fn_serving {
    type Target = fn(
        &Mlp,
        Tensor<2>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >;
    fn deref(&self) -> &Self::Target {
        &Self::__ESTIMATOR_CHECKED
    }
}
impl ::estimator_runtime::__private::ModelFn for __estimator_model_fn_serving {
    type Model = Mlp;
    type Features = Tensor<2>;
    type Labels = ();
    type Params = ();
    fn name(&self) -> &'static str {
        "serving"
    }
    fn modes(&self) -> &'static [::estimator_runtime::__private::ModeKeys] {
        &[::estimator_runtime::__private::ModeKeys::Predict]
    }
    fn call(
        &self,
        __estimator_model: &Self::Model,
        __estimator_features: Self::Features,
        __estimator_labels: ::core::option::Option<Self::Labels>,
        __estimator_mode: ::estimator_runtime::__private::ModeKeys,
        __estimator_params: &Self::Params,
        __estimator_config: &::estimator_runtime::__private::RunConfig,
    ) -> ::estimator_runtime::__private::EstimatorSpec {
        let _ = (
            &__estimator_model,
            &__estimator_labels,
            &__estimator_params,
            &__estimator_config,
        );
        Self::__estimator_model_fn(
            __estimator_model,
            __estimator_features,
            __estimator_mode,
        )
    }
}
