//! The two shapes every Keras optimizer here shares, written once: the per-parameter slot state
//! (saved in checkpoints like burn's own, through [`RecordState`](burn::optim::RecordState)) and
//! the config's constructor, setters, `build` and [`OptimizerConfig`](crate::OptimizerConfig).

/// A slot state: `tensors` (always present), `optional` tensors (present only when the config
/// uses them, as Keras creates its `momentum` slot only with momentum) and an optional update
/// `counter` saved as an unsigned scalar. The leaf names in a checkpoint are the field names.
macro_rules! slot_state {
    (
        $(#[$doc:meta])*
        $name:ident {
            tensors: [$($(#[$tdoc:meta])* $tensor:ident),* $(,)?],
            optional: [$($(#[$odoc:meta])* $optional:ident),* $(,)?]
            $(, counter: $(#[$cdoc:meta])* $counter:ident)? $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name<const D: usize> {
            $($(#[$tdoc])* pub $tensor: burn::tensor::Tensor<D>,)*
            $($(#[$odoc])* pub $optional: Option<burn::tensor::Tensor<D>>,)*
            $($(#[$cdoc])* pub $counter: u64,)?
        }

        impl<const D: usize> burn::optim::RecordState for $name<D> {
            fn state_flatten(&self, prefix: &str, out: &mut burn::optim::StateSink) {
                $(out.push_tensor(
                    prefix,
                    stringify!($tensor),
                    crate::record::host_data(self.$tensor.clone()),
                );)*
                $(if let Some(slot) = &self.$optional {
                    out.push_tensor(
                        prefix,
                        stringify!($optional),
                        crate::record::host_data(slot.clone()),
                    );
                })*
                $(out.push_scalar(
                    prefix,
                    stringify!($counter),
                    burn::store::burn_pack::Scalar::UInt(self.$counter),
                );)?
            }

            fn state_unflatten(
                prefix: &str,
                src: &mut burn::optim::StateSource,
                device: &burn::tensor::Device,
            ) -> Option<Self> {
                Some($name {
                    $($tensor: burn::tensor::Tensor::from_data(
                        src.take_tensor(prefix, stringify!($tensor))?,
                        device,
                    ),)*
                    $($optional: src
                        .take_tensor(prefix, stringify!($optional))
                        .map(|data| burn::tensor::Tensor::from_data(data, device)),)*
                    $($counter: match src.take_scalar(prefix, stringify!($counter))? {
                        burn::store::burn_pack::Scalar::UInt(count) => count,
                        _ => return None,
                    },)?
                })
            }
        }

        impl<const D: usize> $name<D> {
            /// The same state on `device`.
            fn moved_to(self, device: &burn::tensor::Device) -> Self {
                $name {
                    $($tensor: self.$tensor.to_device(device),)*
                    $($optional: self.$optional.map(|slot| slot.to_device(device)),)*
                    $($counter: self.$counter,)?
                }
            }
        }
    };
}

/// One update's inputs: the learning rate, a parameter, its gradient and its slots so far
/// (`None` on its first update).
pub(crate) struct Step<const D: usize, S>(
    pub f64,
    pub burn::tensor::Tensor<D>,
    pub burn::tensor::Tensor<D>,
    pub Option<S>,
);

/// The optimizer type over a config; the config's `new`, setters, `build` and
/// [`OptimizerConfig`](crate::OptimizerConfig) (`kind` is the name a run keeps); and burn's
/// [`Optimizer`](burn::optim::Optimizer) over the optimizer's own
/// `fn update(&self, Step<D, Slots<D>>) -> (Tensor<D>, Slots<D>)`.
macro_rules! keras_optimizer {
    (
        $(#[$doc:meta])*
        $optimizer:ident($config:ident, $slots:ident, $kind:literal, $lr:literal) {
            $($(#[$sdoc:meta])* $setter:ident($field:ident: $ty:ty);)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $optimizer {
            config: $config,
        }

        /// This optimizer's slot state.
        type Slots<const D: usize> = $slots<D>;

        impl burn::optim::Optimizer for $optimizer {
            type State<const D: usize> = $slots<D>;

            fn step<const D: usize>(
                &self,
                lr: f64,
                weight: burn::tensor::Tensor<D>,
                grad: burn::tensor::Tensor<D>,
                slots: Option<$slots<D>>,
            ) -> (burn::tensor::Tensor<D>, Option<$slots<D>>) {
                let step = $crate::tf_optim::define::Step(lr, weight, grad, slots);
                let (weight, slots) = self.update(step);
                (weight, Some(slots))
            }

            fn to_device<const D: usize>(
                slots: $slots<D>,
                device: &burn::tensor::Device,
            ) -> $slots<D> {
                slots.moved_to(device)
            }
        }

        impl $config {
            /// Keras 2.15's default learning rate for this optimizer.
            pub const KERAS_LEARNING_RATE: f64 = $lr;

            /// Keras's defaults.
            pub fn new() -> Self {
                Self::default()
            }

            $($(#[$sdoc])*
            pub fn $setter(mut self, $field: $ty) -> Self {
                self.$field = $field;
                self
            })*

            /// The bare optimizer (a burn [`Optimizer`](burn::optim::Optimizer)).
            pub fn build(&self) -> $optimizer {
                $optimizer {
                    config: self.clone(),
                }
            }
        }

        impl crate::OptimizerConfig for $config {
            fn kind(&self) -> &'static str {
                $kind
            }
            fn build(&self) -> burn::optim::ModuleOptimizer {
                burn::optim::ModuleOptimizer::from($config::build(self))
            }
        }
    };
}

/// `1 - beta` as Keras 2.15 computes it (in float64, rounded to the variable's float32), or as
/// the legacy optimizers' kernels do (in float32 from the float32 `beta`).
pub(super) fn one_minus(beta: f64, legacy: bool) -> f64 {
    if legacy {
        f64::from(1.0 - beta as f32)
    } else {
        1.0 - beta
    }
}
