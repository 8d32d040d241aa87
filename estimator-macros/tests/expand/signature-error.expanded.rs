::core::compile_error! {
    "unknown model_fn parameter `label`\nnote: TF recognises parameters by name: `model`, `features`, `labels`, `mode`, `params`, `config`\nhelp: did you mean `labels`?"
}
#[doc(hidden)]
#[allow(non_camel_case_types)]
struct __EstimatorModelFn_classifier<T> {
    _private: ::core::marker::PhantomData<fn() -> T>,
}
#[doc(hidden)]
#[allow(non_camel_case_types, private_interfaces)]
type __estimator_model_fn_classifier = __EstimatorModelFn_classifier<
    (Mlp, Tensor<2>, (), ()),
>;
#[allow(non_upper_case_globals, private_interfaces)]
const classifier: __estimator_model_fn_classifier = __EstimatorModelFn_classifier {
    _private: ::core::marker::PhantomData,
};
impl __estimator_model_fn_classifier {
    #[allow(dead_code, clippy::too_many_arguments)]
    fn __estimator_model_fn(
        model: &Mlp,
        features: Tensor<2>,
        label: Option<Tensor<1, Int>>,
        mode: ModeKeys,
    ) -> EstimatorSpec {
        classify(model, features, label, mode)
    }
}
#[allow(clippy::type_complexity)]
impl ::core::ops::Deref for __estimator_model_fn_classifier {
    type Target = fn(
        &Mlp,
        Tensor<2>,
        Option<Tensor<1, Int>>,
        ModeKeys,
    ) -> ::core::result::Result<
        ::estimator_runtime::__private::EstimatorSpec,
        ::estimator_runtime::__private::Error,
    >;
    fn deref(&self) -> &Self::Target {
        ::core::unreachable!("a model_fn with a signature error does not compile")
    }
}
impl ::estimator_runtime::__private::ModelFn for __estimator_model_fn_classifier {
    type Model = Mlp;
    type Features = Tensor<2>;
    type Labels = ();
    type Params = ();
    fn name(&self) -> &'static str {
        "classifier"
    }
    fn call(
        &self,
        _: &Self::Model,
        _: Self::Features,
        _: ::core::option::Option<Self::Labels>,
        _: ::estimator_runtime::__private::ModeKeys,
        _: &Self::Params,
        _: &::estimator_runtime::__private::RunConfig,
    ) -> ::estimator_runtime::__private::EstimatorSpec {
        ::core::unreachable!("a model_fn with a signature error does not compile")
    }
}
