// An associated model_fn that names `Self` with a signature error: one error, on the name,
// and none that follows from it.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

impl Mlp {
    #[model_fn(modes(predict))]
    fn serve(model: &Self, inputs: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
        EstimatorSpec::new(mode).predictions(Predictions::from(Self::logits(model, inputs)))
    }

    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        self.linear.forward(x)
    }
}

fn main() {
    let _ = Mlp::serve.name();
}
