//! Items 4 and 5: one trainer per model_dir, readers' fallback, panics in user code, and
//! recovery after a failed call.

use super::*;

#[test]
fn a_second_trainer_gets_an_error_naming_the_holder() {
    let dir = tmp();
    let mut first =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    first
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("train");
    let mut second =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    let err = second
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .unwrap_err();
    let pid = format!("pid {}", std::process::id());
    assert!(
        matches!(&err, Error::ModelDirLocked { holder, .. } if holder.contains(&pid)),
        "{err:?}"
    );
    assert!(err.to_string().contains(&pid), "{err}");
    // Readers need no lock.
    let results = second
        .evaluate(vec![batch(&iris(), &device())], EvalArgs::default())
        .expect("evaluate while another trains");
    assert_eq!(results.batches, 1);
    first
        .train(stream(iris(), 16, device()), TrainArgs::steps(2))
        .expect("the holder trains on");
    drop(first);
    let summary = second
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("the lock is released on drop");
    assert_eq!(
        summary.global_step, 4,
        "continues from the holder's latest checkpoint"
    );
}

#[test]
fn readers_fall_back_when_the_latest_checkpoint_is_deleted() {
    let dir = tmp();
    let config = config(dir.path()).save_checkpoints_steps(1);
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config.clone()).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(3))
        .expect("train");
    drop(est);
    std::fs::remove_file(dir.path().join("model.ckpt-3")).expect("delete latest");
    let mut reader = Estimator::new(iris_classifier, Net::new(&device()), config).expect("new");
    assert_eq!(reader.global_step(), 2);
    let results = reader
        .evaluate(
            vec![batch(&iris(), &device())],
            EvalArgs::default().checkpoint_path(dir.path()),
        )
        .expect("evaluate the model_dir");
    assert_eq!(results.global_step, 2);
}

// --- 5. panics in user code; recovery after a failed call --------------------------------

#[test]
fn a_model_fn_panic_is_error_model_fn_and_the_estimator_stays_usable() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(2))
        .expect("train");
    let d = device();
    // A batch five features wide: burn panics in the first layer's matmul.
    let wrong = vec![(
        Tensor::<2>::zeros([8, 5], &d),
        Tensor::<1, Int>::zeros([8], &d),
    )];
    let err = est.train(wrong.clone(), TrainArgs::steps(1)).unwrap_err();
    assert!(
        matches!(&err, Error::ModelFn { mode: ModeKeys::Train, message } if !message.is_empty()),
        "{err:?}"
    );
    assert_eq!(est.global_step(), 2);
    assert_eq!(ckpt::latest(dir.path()), dir.path().join("model.ckpt-2"));
    let err = est.evaluate(wrong, EvalArgs::default()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::ModelFn {
                mode: ModeKeys::Eval,
                ..
            }
        ),
        "{err:?}"
    );
    let first = est
        .predict([Tensor::<2>::zeros([3, 5], &d)], PredictArgs::default())
        .expect("predict")
        .next();
    assert!(
        matches!(
            &first,
            Some(Err(Error::ModelFn {
                mode: ModeKeys::Predict,
                ..
            }))
        ),
        "{first:?}"
    );
    let summary = est
        .train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("usable after the panic");
    assert_eq!(summary.global_step, 3);
}

/// Fails at step `at`.
struct FailAt(u64);

impl Hook for FailAt {
    fn after_step(&mut self, ctx: &HookContext) -> Result<(), Error> {
        if ctx.global_step == self.0 {
            return Err(Error::Config("injected".into()));
        }
        Ok(())
    }
}

#[test]
fn a_failed_call_restores_the_last_checkpoint() {
    let dir = tmp();
    let mut est =
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(5))
        .expect("train");
    let at_5 = weights(est.model().expect("model"));
    let err = est
        .train(
            stream(iris(), 16, device()),
            TrainArgs::steps(10).hook(FailAt(8)),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Hook { .. }), "{err:?}");
    assert_eq!(est.global_step(), 5, "back at the last checkpoint");
    assert_eq!(weights(est.model().expect("model")), at_5);
    assert_eq!(ckpt::latest(dir.path()), dir.path().join("model.ckpt-5"));
}
