//! Crash and resume: bit-identical weights and running statistics. Every model is made by a
//! seeded `Estimator::build` (which draws under the process's seeding lock), so the tests may
//! run in parallel threads although burn's ndarray and flex backends draw from one
//! process-wide generator.

mod common;

use common::*;
use estimator_runtime::prelude::*;

/// Fails the run at a given step, as a crash would: no final checkpoint is written.
struct CrashAt(u64);

impl Hook for CrashAt {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if ctx.global_step == self.0 {
            return Err(Error::Config(format!("simulated crash at step {}", self.0)));
        }
        Ok(())
    }
}

fn train_weights(dir: &std::path::Path, crash_at: Option<u64>) -> Result<Vec<f32>, Error> {
    let rows = iris();
    let cfg = config(dir).save_checkpoints_steps(10);
    if let Some(step) = crash_at {
        let mut est = Estimator::build(iris_classifier, Net::new, cfg.clone())?;
        let err = est
            .train(
                stream(rows.clone(), 16, device()),
                TrainArgs::max_steps(60).hook(CrashAt(step)),
            )
            .err();
        let crash = format!("simulated crash at step {step}");
        assert!(
            matches!(&err, Some(Error::Hook { message, .. }) if *message == format!("invalid configuration: {crash}")),
            "the crash hook stops the run at step {step}: {err:?}"
        );
        // A failed call goes back to the last checkpoint (every 10 steps), as TF's next call.
        assert_eq!(
            est.global_step(),
            step / 10 * 10,
            "back at the last checkpoint"
        );
    }
    let mut est = Estimator::build(iris_classifier, Net::new, cfg)?;
    est.train(stream(rows, 16, device()), TrainArgs::max_steps(60))?;
    let model = est
        .model()
        .ok_or_else(|| Error::Config("model lost".into()))?;
    Ok(weights(model))
}

#[test]
fn resume_after_a_crash_gives_bit_identical_weights() -> Result<(), Error> {
    let straight = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let crashed = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let a = train_weights(straight.path(), None)?;
    let b = train_weights(crashed.path(), Some(27))?;
    assert_eq!(a.len(), b.len());
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&a),
        bits(&b),
        "resumed weights differ from an uninterrupted run"
    );
    Ok(())
}

/// The iris net with a batch norm after its hidden layer: running statistics that each TRAIN
/// step updates, outside the optimizer.
#[derive(Module, Debug)]
struct BnNet {
    hidden: nn::Linear,
    norm: nn::BatchNorm,
    output: nn::Linear,
}

impl BnNet {
    fn new(device: &Device) -> Self {
        BnNet {
            hidden: nn::LinearConfig::new(4, 16).init(device),
            norm: nn::BatchNormConfig::new(16).init(device),
            output: nn::LinearConfig::new(16, 3).init(device),
        }
    }
}

#[model_fn]
fn bn_classifier(
    model: &BnNet,
    features: Tensor<2>,
    labels: Option<Tensor<1, Int>>,
    mode: ModeKeys,
) -> EstimatorSpec {
    let hidden = burn::tensor::activation::relu(model.hidden.forward(features));
    let logits = model.output.forward(model.norm.forward(hidden));
    sgd_logits_spec(mode, logits, labels)
}

/// Every tensor of the model (parameters and running statistics) as bits, by path, and the
/// evaluation loss (which reads the running statistics) as bits.
type BnState = (Vec<(String, Vec<u32>)>, u32);

/// The [`BnState`] after 40 steps, uninterrupted or killed at `crash_at` and resumed.
fn bn_state(dir: &std::path::Path, crash_at: Option<u64>) -> Result<BnState, Error> {
    use estimator_runtime::burn::store::ModuleSnapshot;
    let rows = iris();
    let cfg = config(dir).save_checkpoints_steps(10);
    if let Some(step) = crash_at {
        // Killed mid-run after the checkpoint at step 20 (every 10 steps).
        let mut est = Estimator::build(bn_classifier, BnNet::new, cfg.clone())?;
        let run = est.train(
            stream(rows.clone(), 16, device()),
            TrainArgs::max_steps(40).hook(CrashAt(step)),
        );
        assert!(run.is_err(), "the crash hook stops the run at step {step}");
    }
    let mut est = Estimator::build(bn_classifier, BnNet::new, cfg)?;
    est.train(stream(rows.clone(), 16, device()), TrainArgs::max_steps(40))?;
    let eval = est.evaluate(stream(rows, 50, device()).take(3), EvalArgs::default())?;
    let loss = eval
        .metric("loss")
        .ok_or_else(|| Error::Config("no loss".into()))?;
    let model = est
        .model()
        .ok_or_else(|| Error::Config("model lost".into()))?;
    let tensors = model
        .collect(None, None, false)
        .iter()
        .map(|t| {
            let data = estimator_runtime::burn::store::bridge::to_data(t).expect("tensor data");
            let bits = data.iter::<f32>().map(f32::to_bits).collect();
            (t.name.clone(), bits)
        })
        .collect();
    Ok((tensors, (loss as f32).to_bits()))
}

/// A run killed after a checkpoint and resumed from it ends with the same running statistics
/// (and so the same evaluation) as an uninterrupted one: the checkpoint holds the statistics
/// of every step it counts, including the last one's update.
#[test]
fn a_resumed_run_keeps_batch_norm_running_statistics_bit_identical() -> Result<(), Error> {
    let straight = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let crashed = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let a = bn_state(straight.path(), None)?;
    let b = bn_state(crashed.path(), Some(27))?;
    assert_eq!(
        a.0.len(),
        8,
        "2 weights, 2 biases, gamma, beta, running mean and variance"
    );
    for ((path_a, bits_a), (path_b, bits_b)) in a.0.iter().zip(&b.0) {
        assert_eq!(path_a, path_b);
        assert!(bits_a == bits_b, "{path_a} differs after resuming");
    }
    assert_eq!(a.1, b.1, "the evaluation loss differs after resuming");
    Ok(())
}

/// The batch norm's running mean and variance, by path.
fn running_stats(model: &BnNet) -> Vec<(String, Vec<f32>)> {
    use estimator_runtime::burn::store::ModuleSnapshot;
    model
        .collect(None, None, false)
        .iter()
        .filter(|t| t.name.starts_with("norm.running"))
        .map(|t| {
            let data = estimator_runtime::burn::store::bridge::to_data(t).expect("data");
            (t.name.clone(), data.iter::<f32>().collect())
        })
        .collect()
}

/// A call that fails before any checkpoint leaves the model as it started, running statistics
/// included (the failed steps' updates do not leak into it), and the Estimator trains,
/// evaluates on.
#[test]
fn a_failed_call_without_a_checkpoint_leaves_the_running_statistics_as_they_started()
-> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Config(e.to_string()))?;
    let cfg = config(dir.path()).save_checkpoints_steps(1000);
    let mut est = Estimator::build(bn_classifier, BnNet::new, cfg)?;
    let before = running_stats(est.model().expect("model"));
    assert_eq!(before.len(), 2, "running mean and variance");
    let failed = est.train(
        stream(iris(), 16, device()),
        TrainArgs::max_steps(20).hook(CrashAt(5)),
    );
    assert!(failed.is_err());
    assert_eq!(est.global_step(), 0, "no checkpoint: back at the start");
    assert_eq!(
        running_stats(est.model().expect("model")),
        before,
        "the failed steps' updates are gone"
    );
    est.train(stream(iris(), 16, device()), TrainArgs::max_steps(10))?;
    assert_ne!(
        running_stats(est.model().expect("model")),
        before,
        "training updates them again"
    );
    let eval = est.evaluate(stream(iris(), 50, device()).take(3), EvalArgs::default())?;
    assert!(eval.metric("loss").is_some_and(f64::is_finite));
    Ok(())
}
