//! The bench's models and workloads: MLPs (in → hidden → relu → out) and a LeNet-like CNN (TF's
//! "cnn_mnist" Estimator tutorial without dropout), with the FLOPs of one training step.

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::tensor::activation::relu;
use estimator_runtime::prelude::*;

/// An MLP: in → hidden → relu → out.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: nn::Linear,
    output: nn::Linear,
}

impl Mlp {
    fn new(shape: Shape3, device: &Device) -> Self {
        Mlp {
            hidden: nn::LinearConfig::new(shape.inputs, shape.hidden).init(device),
            output: nn::LinearConfig::new(shape.hidden, shape.classes).init(device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.output.forward(relu(self.hidden.forward(x)))
    }
}

/// Side of the CNN's square single-channel image (28 × 28 × 1, as MNIST).
pub const IMAGE_SIDE: usize = 28;
const CONV1_FILTERS: usize = 32;
const CONV2_FILTERS: usize = 64;
const KERNEL: usize = 5;
/// 28 → 14 → 7 after two 2 × 2 pools.
const POOLED_SIDE: usize = IMAGE_SIDE / 4;

/// conv 5×5×32 (same) → relu → max-pool 2 → conv 5×5×64 (same) → relu → max-pool 2 → dense
/// `hidden` → relu → dense `classes`; features are flat `[batch, 784]` rows, reshaped here (as
/// TF's tutorial does).
#[derive(Module, Debug)]
pub struct Cnn {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    dense: nn::Linear,
    output: nn::Linear,
}

impl Cnn {
    fn new(shape: Shape3, device: &Device) -> Self {
        let same = PaddingConfig2d::Explicit(2, 2, 2, 2);
        let conv = |c_in, c_out| {
            Conv2dConfig::new([c_in, c_out], [KERNEL, KERNEL])
                .with_padding(same.clone())
                .init(device)
        };
        Cnn {
            conv1: conv(1, CONV1_FILTERS),
            conv2: conv(CONV1_FILTERS, CONV2_FILTERS),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            dense: nn::LinearConfig::new(POOLED_SIDE * POOLED_SIDE * CONV2_FILTERS, shape.hidden)
                .init(device),
            output: nn::LinearConfig::new(shape.hidden, shape.classes).init(device),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let [batch, _] = x.dims();
        let x = x.reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]);
        let x = self.pool.forward(relu(self.conv1.forward(x)));
        let x = self.pool.forward(relu(self.conv2.forward(x)));
        let x = x.reshape([batch, POOLED_SIDE * POOLED_SIDE * CONV2_FILTERS]);
        self.output.forward(relu(self.dense.forward(x)))
    }
}

/// One of the bench's models.
// The CNN variant is ~0.9 KB against the MLP's ~0.3 KB: a move per step, tens of nanoseconds.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Net {
    /// An MLP.
    Mlp(Mlp),
    /// The CNN.
    Cnn(Cnn),
}

impl Net {
    /// Logits of flat `[batch, inputs]` features.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Net::Mlp(m) => m.forward(x),
            Net::Cnn(c) => c.forward(x),
        }
    }
}

/// Which model a workload trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Mlp,
    Cnn,
}

#[derive(Clone, Copy, Debug)]
pub struct Shape3 {
    pub inputs: usize,
    pub hidden: usize,
    pub classes: usize,
}

#[derive(Clone, Copy, Debug)]
pub struct Workload {
    pub kind: Kind,
    pub shape: Shape3,
    pub batch: usize,
    pub steps: usize,
}

/// FLOPs of a dense (or convolution as a matrix product) layer's forward: 2 · rows · k · n.
fn product_flops(rows: usize, k: usize, n: usize) -> f64 {
    2.0 * rows as f64 * k as f64 * n as f64
}

impl Workload {
    pub const fn new(
        inputs: usize,
        hidden: usize,
        classes: usize,
        batch: usize,
        steps: usize,
    ) -> Self {
        Workload {
            kind: Kind::Mlp,
            shape: Shape3 {
                inputs,
                hidden,
                classes,
            },
            batch,
            steps,
        }
    }

    /// The CNN on 28 × 28 × 1 images with a dense layer of `hidden`.
    pub const fn cnn(hidden: usize, classes: usize, batch: usize, steps: usize) -> Self {
        Workload {
            kind: Kind::Cnn,
            ..Workload::new(IMAGE_SIDE * IMAGE_SIDE, hidden, classes, batch, steps)
        }
    }

    pub fn name(&self) -> String {
        let Shape3 {
            inputs,
            hidden,
            classes,
        } = self.shape;
        match self.kind {
            Kind::Mlp => format!("{inputs}-{hidden}-{classes} b{}", self.batch),
            Kind::Cnn => format!("cnn28-{hidden}-{classes} b{}", self.batch),
        }
    }

    /// The model, seeded by the caller.
    pub fn model(&self, device: &Device) -> Net {
        match self.kind {
            Kind::Mlp => Net::Mlp(Mlp::new(self.shape, device)),
            Kind::Cnn => Net::Cnn(Cnn::new(self.shape, device)),
        }
    }

    /// The matrix-product FLOPs of one training step (forward, weight gradients, and input
    /// gradients of every layer but the first), the convention of TF's and MLPerf's counts;
    /// elementwise work is left out.
    pub fn train_flops(&self) -> f64 {
        let b = self.batch;
        let Shape3 {
            hidden, classes, ..
        } = self.shape;
        // (forward FLOPs, is the first layer) of each layer
        let layers: Vec<(f64, bool)> = match self.kind {
            Kind::Mlp => vec![
                (product_flops(b, self.shape.inputs, hidden), true),
                (product_flops(b, hidden, classes), false),
            ],
            Kind::Cnn => {
                let area = |side: usize| b * side * side;
                let patch = KERNEL * KERNEL;
                vec![
                    (product_flops(area(IMAGE_SIDE), patch, CONV1_FILTERS), true),
                    (
                        product_flops(area(IMAGE_SIDE / 2), patch * CONV1_FILTERS, CONV2_FILTERS),
                        false,
                    ),
                    (
                        product_flops(b, POOLED_SIDE * POOLED_SIDE * CONV2_FILTERS, hidden),
                        false,
                    ),
                    (product_flops(b, hidden, classes), false),
                ]
            }
        };
        layers
            .iter()
            .map(|&(f, first)| if first { 2.0 * f } else { 3.0 * f })
            .sum()
    }
}
