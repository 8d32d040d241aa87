//! A generic model_fn: type and const parameters with bounds and a `where` clause. Its name is
//! a `const fn` that takes the parameters by turbofish and returns the model_fn value, so it
//! goes to `Estimator::new`, into a `const`, and through a direct call.
use estimator_runtime::burn; // `#[derive(Module)]` names `burn::`
use estimator_runtime::prelude::*;
use estimator_runtime::ModelFnValue;

/// What the generic head needs of a model.
trait Logits {
    fn logits(&self, features: Tensor<2>) -> Tensor<2>;
}

#[derive(Module, Debug)]
struct Linear {
    linear: nn::Linear,
}

impl Logits for Linear {
    fn logits(&self, features: Tensor<2>) -> Tensor<2> {
        self.linear.forward(features)
    }
}

#[derive(Module, Debug)]
struct TwoLayer {
    hidden: nn::Linear,
    out: nn::Linear,
}

impl Logits for TwoLayer {
    fn logits(&self, features: Tensor<2>) -> Tensor<2> {
        self.out.forward(burn::tensor::activation::relu(self.hidden.forward(features)))
    }
}

#[model_fn]
fn head_fn<'a, M: Logits, const SCALE: usize>(
    model: &'a M,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec
where
    M: Module + 'static,
{
    let logits = model.logits(features).mul_scalar(SCALE as f64);
    match mode {
        ModeKeys::Predict => EstimatorSpec::new(mode).predictions(logits),
        _ => {
            let loss = CrossEntropyLossConfig::new()
                .init(&logits.device())
                .forward(logits, labels.unwrap());
            let train_op = (mode == ModeKeys::Train)
                .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
            EstimatorSpec::new(mode).loss(loss).train_op(train_op)
        }
    }
}

/// A parameter only the body uses: chosen by turbofish, never inferred.
trait Lr {
    const LR: f64;
}

struct Slow;

impl Lr for Slow {
    const LR: f64 = 0.01;
}

#[model_fn]
fn tuned<R: Lr>(model: &Linear, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
    let logits = model.logits(features);
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(logits);
    };
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, labels);
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), R::LR));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

/// An associated generic model_fn that names `Self`, and one that names it only in a bound.
struct Heads;

impl From<Heads> for f64 {
    fn from(_: Heads) -> f64 {
        0.1
    }
}

impl Heads {
    #[model_fn(modes(predict))]
    fn rated<R>(features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec
    where
        R: From<Self> + Into<f64>,
    {
        EstimatorSpec::new(mode).predictions(features)
    }

    fn rate() -> f64 {
        0.1
    }

    #[model_fn]
    fn scaled<M: Logits + Module>(model: &M, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
        let logits = model.logits(features);
        let Some(labels) = labels else {
            return EstimatorSpec::new(mode).predictions(logits);
        };
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels);
        let train_op = (mode == ModeKeys::Train)
            .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), Self::rate()));
        EstimatorSpec::new(mode).loss(loss).train_op(train_op)
    }
}

/// Labels and params named through a trait's associated types.
trait Task {
    type Labels;
    type Params;
    fn loss(logits: Tensor<2>, labels: Self::Labels, params: &Self::Params) -> Tensor<1>;
}

struct Classify;

impl Task for Classify {
    type Labels = Tensor<1, Int>;
    type Params = f64;
    fn loss(logits: Tensor<2>, labels: Tensor<1, Int>, scale: &f64) -> Tensor<1> {
        CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels)
            .mul_scalar(*scale)
    }
}

#[model_fn]
fn task_fn<T: Task>(model: &Linear, features: Tensor<2>, labels: Option<T::Labels>, mode: ModeKeys, params: &T::Params) -> EstimatorSpec {
    let logits = model.logits(features);
    let Some(labels) = labels else {
        return EstimatorSpec::new(mode).predictions(logits);
    };
    let loss = T::loss(logits, labels, params);
    let train_op = (mode == ModeKeys::Train)
        .then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
    EstimatorSpec::new(mode).loss(loss).train_op(train_op)
}

type Direct<M> = fn(&M, Tensor<2>, Option<Tensor<1, Int>>, ModeKeys) -> Result<EstimatorSpec, Error>;

/// A specialised model_fn as a `const` of its own.
const LINEAR_HEAD: ModelFnValue<Linear, Tensor<2>, Tensor<1, Int>, (), Direct<Linear>> =
    head_fn::<Linear, 1>();

// Compiled, not run: the trybuild crate has no backend (the workspace's
// `tests/generic_model_fn.rs` runs one).
fn run() -> Result<(), Error> {
    let device = Device::default();
    let linear = Linear { linear: nn::LinearConfig::new(2, 2).init(&device) };
    let two_layer = TwoLayer {
        hidden: nn::LinearConfig::new(2, 4).init(&device),
        out: nn::LinearConfig::new(4, 2).init(&device),
    };
    let x = Tensor::<2>::from_floats([[1.0, 0.0], [0.0, 1.0]], &device);
    let y = Tensor::<1, Int>::from_ints([0, 1], &device);
    let batches = vec![(x.clone(), y.clone())];

    let spec = head_fn::<TwoLayer, 2>()(&two_layer, x.clone(), None, ModeKeys::Predict)?;
    assert!(spec.predictions.is_some());

    let mut estimator = Estimator::new(head_fn::<TwoLayer, 2>(), two_layer, RunConfig::default())?;
    estimator.train(batches.clone(), TrainArgs::steps(1))?;
    let mut estimator = Estimator::new(Heads::scaled::<Linear>(), linear, RunConfig::default())?;
    estimator.train(batches.clone(), TrainArgs::steps(1))?;
    let linear = Linear { linear: nn::LinearConfig::new(2, 2).init(&device) };
    let mut estimator = Estimator::new(tuned::<Slow>(), linear, RunConfig::default())?;
    estimator.train(batches.clone(), TrainArgs::steps(1))?;
    let linear = Linear { linear: nn::LinearConfig::new(2, 2).init(&device) };
    let mut estimator =
        Estimator::new(task_fn::<Classify>(), linear, RunConfig::default())?.with_params(2.0);
    estimator.train(batches, TrainArgs::steps(1))?;
    Ok(())
}

fn main() {
    assert_eq!(LINEAR_HEAD.name(), "head_fn");
    assert_eq!(tuned::<Slow>().name(), "tuned");
    assert_eq!(Heads::scaled::<TwoLayer>().name(), "scaled");
    assert_eq!(Heads::rated::<f64>().name(), "rated");
    let _ = run;
}
