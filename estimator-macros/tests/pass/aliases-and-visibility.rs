// Valid Rust the macro must accept: a `pub fn` model_fn taking a private model (plain Rust
// allows it), one in a module whose model is private to that module, lifetime parameters, an
// alias of `ModeKeys` (checked by rustc at the call) whose variants the analysis still reads,
// glob-imported variants, and a model_fn that is an associated function of an `impl` block.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

struct HParams {
    learning_rate: f64,
}

fn loss_of(logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
    CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels)
}

#[model_fn]
pub fn public_fn_private_model<'a>(
    model: &'a Mlp,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
    params: &'a HParams,
) -> EstimatorSpec {
    let logits = model.linear.forward(features);
    if mode == ModeKeys::Predict {
        return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
    }
    let loss = loss_of(logits, labels.unwrap());
    let mut spec = EstimatorSpec::new(mode).loss(loss.clone());
    if mode == ModeKeys::Train {
        spec = spec.train_op(TrainOp::minimize(loss, SgdConfig::new(), params.learning_rate));
    }
    spec
}

mod aliased {
    use super::loss_of;
    use estimator_runtime::burn;
    use estimator_runtime::prelude::ModeKeys as Mode;
    use estimator_runtime::prelude::*;

    #[derive(Module, Debug)]
    struct Net {
        linear: nn::Linear,
    }

    // An alias: the analysis reads `Mode::Predict` as `ModeKeys::Predict`, so the EVAL path
    // below is known to lack `train_op` only in EVAL, where it is not required.
    #[model_fn]
    pub(crate) fn private_model_in_module(
        model: &Net,
        features: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
        mode: Mode,
    ) -> EstimatorSpec {
        let logits = model.linear.forward(features);
        if Mode::Predict == mode {
            return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
        }
        let loss = loss_of(logits, labels.unwrap());
        if let Mode::Eval = mode {
            return EstimatorSpec::new(mode).loss(loss);
        }
        EstimatorSpec::new(mode)
            .loss(loss.clone())
            .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
    }

    pub fn modes() -> &'static [ModeKeys] {
        private_model_in_module.modes()
    }
}

mod globbed {
    use super::{Mlp, loss_of};
    use estimator_runtime::prelude::ModeKeys::*;
    use estimator_runtime::prelude::*;

    #[model_fn]
    pub fn glob_imported_variants(
        model: &Mlp,
        features: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
        mode: ModeKeys,
    ) -> EstimatorSpec {
        let logits = model.linear.forward(features);
        match mode {
            Train => {
                let loss = loss_of(logits, labels.unwrap());
                EstimatorSpec::new(mode)
                    .loss(loss.clone())
                    .train_op(TrainOp::minimize(loss, SgdConfig::new(), 0.1))
            }
            Eval => EstimatorSpec::new(mode).loss(loss_of(logits, labels.unwrap())),
            Predict => EstimatorSpec::new(mode).predictions(Predictions::from(logits)),
        }
    }
}

impl Mlp {
    /// A serving model_fn kept with its model.
    #[model_fn(modes(predict))]
    pub fn serve(model: &Mlp, features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
        EstimatorSpec::new(mode).predictions(Predictions::from(model.linear.forward(features)))
    }

    fn logits(&self, features: Tensor<2>) -> Tensor<2> {
        self.linear.forward(features)
    }

    /// An associated model_fn that names `Self`, in its signature and in its body.
    #[model_fn]
    fn classifier(
        model: &Self,
        features: Tensor<2>,
        labels: Option<Tensor<1, Int>>,
        mode: ModeKeys,
    ) -> EstimatorSpec {
        let logits = Self::logits(model, features);
        if mode == ModeKeys::Predict {
            return EstimatorSpec::new(mode).predictions(Predictions::from(logits));
        }
        let loss = loss_of(logits, labels.unwrap());
        let train_op = (mode == ModeKeys::Train)
            .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
        EstimatorSpec::new(mode).loss(loss).train_op(train_op)
    }
}

fn main() {
    assert_eq!(Mlp::serve.name(), "serve");
    assert_eq!(Mlp::serve.modes(), &[ModeKeys::Predict]);
    assert_eq!(Mlp::classifier.name(), "classifier");
    // The consts are usable outside their modules, whatever the model's visibility.
    assert_eq!(public_fn_private_model.name(), "public_fn_private_model");
    assert_eq!(aliased::modes().len(), 3);
    assert_eq!(globbed::glob_imported_variants.name(), "glob_imported_variants");
}
