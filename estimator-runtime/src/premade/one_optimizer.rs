//! What the linear, DNN and baseline families share: one model_fn for any of their models and
//! any head, the `optimizer` builder, and their `PremadeConfig` implementation (each family
//! gives its model's constructor and TF variable names).

use super::{BaselineModel, Dnn, OptimizerSpec, PremadeConfig, PremadeHead, PremadeModelFn};
use crate::feature_column::{
    ColumnValues, FeatureColumns, FeatureError, FeatureTensors, LinearModel,
};
use crate::head::Head;
use crate::tf_checkpoint::TfVarMap;
use crate::{EstimatorSpec, ModeKeys};
use burn::tensor::{Device, Tensor};

/// A premade model of the one-optimizer families: encoded features in, logits out.
pub(crate) trait PremadeLogits {
    /// `[batch, logits]`.
    fn logits(&self, features: &FeatureTensors) -> Tensor<2>;
}

impl PremadeLogits for LinearModel {
    fn logits(&self, features: &FeatureTensors) -> Tensor<2> {
        self.forward(features)
    }
}

impl PremadeLogits for Dnn {
    fn logits(&self, features: &FeatureTensors) -> Tensor<2> {
        self.forward(features)
    }
}

impl PremadeLogits for BaselineModel {
    fn logits(&self, features: &FeatureTensors) -> Tensor<2> {
        self.forward(features)
    }
}

/// The one model_fn of the linear, DNN and baseline families, for any of their models and any
/// head: the model's logits through `head`, `optimizer` minimising the head's loss. Their
/// `#[model_fn]`s (`linear_classifier_fn`, `dnn_regressor_fn`, ...) pass it the configuration's
/// head and optimizer.
pub(crate) fn one_optimizer_model_fn<M: PremadeLogits, H: Head>(
    model: &M,
    features: FeatureTensors,
    labels: Option<H::Labels>,
    mode: ModeKeys,
    (head, optimizer): (&H, &OptimizerSpec),
) -> EstimatorSpec {
    let logits = model.logits(&features);
    head.create_estimator_spec(mode, logits, labels, features.weights, |loss| {
        optimizer.minimize(loss)
    })
}

/// `optimizer` for the configurations trained by one optimizer, and what their model_fn reads.
macro_rules! optimizer_builder {
    ($($config:ident),*) => {$(
        impl<H> super::$config<H> {
            /// The optimizer (an L1/L2-regularised FTRL for a linear model, say).
            pub fn optimizer(mut self, optimizer: OptimizerSpec) -> Self {
                self.optimizer = optimizer;
                self
            }

            /// What [`one_optimizer_model_fn`] reads.
            pub(crate) fn head_and_optimizer(&self) -> (&H, &OptimizerSpec) {
                (&self.head, &self.optimizer)
            }
        }
    )*};
}

optimizer_builder!(
    LinearEstimatorConfig,
    DnnEstimatorConfig,
    BaselineEstimatorConfig
);

/// `PremadeConfig` for a one-optimizer family: `$config<H>` has `feature_columns`, `head` and
/// `optimizer` fields, and inherent `build(logits, device)` and `var_map()`.
macro_rules! one_optimizer_premade {
    ($($config:ident: $model:ty, $model_fn:ident;)*) => {$(
        impl<H: PremadeHead> PremadeConfig for super::$config<H> {
            type Model = $model;
            type Features = FeatureTensors;
            type Labels = H::Labels;

            fn model_fn() -> PremadeModelFn<Self> {
                H::$model_fn()
            }
            fn build_model(&self, device: &Device) -> Result<$model, FeatureError> {
                self.build(self.head.logits_dimension(), device)
            }
            fn tf_var_map(&self) -> TfVarMap {
                self.var_map()
            }
            fn optimizers(&self) -> Vec<(&'static str, &OptimizerSpec)> {
                vec![("optimizer", &self.optimizer)]
            }
            fn column_sets(&self) -> Vec<&FeatureColumns> {
                vec![&self.feature_columns]
            }
            fn assemble(encoded: Vec<FeatureTensors>) -> Result<FeatureTensors, FeatureError> {
                super::single(encoded)
            }
            fn encode_labels(
                &self,
                values: &ColumnValues,
                device: &Device,
            ) -> Result<H::Labels, FeatureError> {
                self.head.encode_labels(values, device)
            }
        }
    )*};
}

one_optimizer_premade!(
    LinearEstimatorConfig: LinearModel, linear_fn;
    DnnEstimatorConfig: Dnn, dnn_fn;
    BaselineEstimatorConfig: BaselineModel, baseline_fn;
);
