//! Item 2: checkpoints with a valid CRC but content that does not fit the model.

use super::*;

/// The model section of a checkpoint of `net` (saved by a one-step run).
fn model_section_of(net: Net) -> Vec<u8> {
    let dir = tmp();
    let mut est = Estimator::new(iris_classifier, net, config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("train");
    Ckpt::read(&ckpt::latest(dir.path()))
        .section("model")
        .expect("model section")
        .to_vec()
}

#[test]
fn tensors_missing_extra_or_of_another_shape_are_a_typed_error() {
    let d = device();
    let narrow = Net {
        hidden: nn::LinearConfig::new(4, 8).init(&d),
        output: nn::LinearConfig::new(8, 3).init(&d),
    };
    let no_bias = Net {
        hidden: nn::LinearConfig::new(4, 16).init(&d),
        output: nn::LinearConfig::new(16, 3).with_bias(false).init(&d),
    };
    let cases = [
        ("another shape", model_section_of(narrow)),
        ("a tensor missing", model_section_of(no_bias)),
    ];
    for (what, model) in cases {
        let dir = tmp();
        trained(dir.path(), 1);
        let path = ckpt::latest(dir.path());
        let mut c = Ckpt::read(&path);
        c.set_section("model", model);
        c.write(&path);
        let net = Net::new(&d);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Estimator::new(iris_classifier, net, config(dir.path())).map(drop)
        }));
        let reason = corrupt_reason(result.unwrap_or_else(|_| panic!("{what}: panicked")));
        assert!(reason.contains("does not fit"), "{what}: {reason}");
    }
    // An extra tensor: a full record into a model without the output bias.
    let dir = tmp();
    trained(dir.path(), 1);
    let full = Ckpt::read(&ckpt::latest(dir.path()));
    let path = ckpt::latest(dir.path());
    let mut c = full.clone();
    // The fingerprint must agree with the bias-less model for the record check to be reached.
    let fingerprint = {
        let d2 = tmp();
        let no_bias = Net {
            hidden: nn::LinearConfig::new(4, 16).init(&d),
            output: nn::LinearConfig::new(16, 3).with_bias(false).init(&d),
        };
        let mut est = Estimator::new(iris_classifier, no_bias, config(d2.path())).expect("new");
        est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
            .expect("train");
        Ckpt::read(&ckpt::latest(d2.path()))
            .section("model.signature")
            .expect("fingerprint")
            .to_vec()
    };
    c.set_section("model.signature", fingerprint);
    c.sections.retain(|(n, _)| !n.starts_with("optimizer"));
    c.write(&path);
    let no_bias = Net {
        hidden: nn::LinearConfig::new(4, 16).init(&d),
        output: nn::LinearConfig::new(16, 3).with_bias(false).init(&d),
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Estimator::new(iris_classifier, no_bias, config(dir.path())).map(drop)
    }));
    let reason = corrupt_reason(result.unwrap_or_else(|_| panic!("extra tensor: panicked")));
    assert!(reason.contains("unused"), "{reason}");
}

#[test]
fn optimizer_state_that_does_not_fit_the_parameters_is_a_typed_error() {
    let (a, b) = (tmp(), tmp());
    trained(a.path(), 1);
    let d = device();
    let wide = Net {
        hidden: nn::LinearConfig::new(4, 32).init(&d),
        output: nn::LinearConfig::new(32, 3).init(&d),
    };
    let mut est = Estimator::new(iris_classifier, wide, config(b.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("train");
    let foreign = Ckpt::read(&ckpt::latest(b.path()));
    let path = ckpt::latest(a.path());
    let mut c = Ckpt::read(&path);
    c.set_section(
        "optimizer.0",
        foreign.section("optimizer.0").expect("state").to_vec(),
    );
    c.write(&path);
    let reason =
        corrupt_reason(Estimator::new(iris_classifier, Net::new(&d), config(a.path())).map(drop));
    assert!(reason.contains("optimizer state"), "{reason}");
}

#[test]
fn a_global_step_past_int64_is_a_typed_error() {
    let dir = tmp();
    trained(dir.path(), 1);
    let path = ckpt::latest(dir.path());
    let mut c = Ckpt::read(&path);
    c.global_step = u64::MAX - 1;
    replace_with_own_name(dir.path(), &path, &c);
    let reason = corrupt_reason(
        Estimator::new(iris_classifier, Net::new(&device()), config(dir.path())).map(drop),
    );
    assert!(reason.contains("int64"), "{reason}");
}

#[test]
fn an_input_position_past_what_the_steps_consumed_is_a_typed_error() {
    let dir = tmp();
    trained(dir.path(), 3);
    let path = ckpt::latest(dir.path());
    let mut c = Ckpt::read(&path);
    c.input_position = u64::MAX - 5;
    c.write(&path);
    let dir_path = dir.path().to_path_buf();
    let err = within(Duration::from_secs(60), move || {
        let mut est =
            Estimator::new(iris_classifier, Net::new(&device()), config(&dir_path)).expect("new");
        // An endless input: skipping u64::MAX batches of it would never end.
        est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
            .err()
            .map(|e| e.to_string())
    });
    assert!(
        err.as_deref().is_some_and(|e| e.contains("input_position")),
        "{err:?}"
    );
}

#[test]
fn a_schedule_fast_forward_to_a_huge_global_step_is_a_typed_error() {
    let dir = tmp();
    let mut est = Estimator::new(scheduled, Net::new(&device()), config(dir.path())).expect("new");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
        .expect("train");
    drop(est);
    let path = ckpt::latest(dir.path());
    let mut c = Ckpt::read(&path);
    c.global_step = 1 << 40;
    replace_with_own_name(dir.path(), &path, &c);
    let dir_path = dir.path().to_path_buf();
    let err = within(Duration::from_secs(60), move || {
        let mut est =
            Estimator::new(scheduled, Net::new(&device()), config(&dir_path)).expect("new");
        est.train(stream(iris(), 16, device()), TrainArgs::steps(1))
            .err()
            .map(|e| e.to_string())
    });
    assert!(
        err.as_deref().is_some_and(|e| e.contains("fast-forward")),
        "{err:?}"
    );
}
