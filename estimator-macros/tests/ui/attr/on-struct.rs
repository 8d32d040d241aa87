use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;

#[model_fn]
#[derive(Module, Debug)]
struct Mlp {
    linear: nn::Linear,
}

fn main() {}
