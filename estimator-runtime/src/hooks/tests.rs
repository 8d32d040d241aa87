//! The built-in hooks and the `HookSet`, without a training run.

use super::*;
use std::time::Duration;

fn after(step: u64, loss: f64) -> HookContext {
    let mut ctx = HookContext::new(ModeKeys::Train, step);
    ctx.loss = Some(loss);
    ctx
}

#[test]
fn logging_tensor_hook_names_each_scalar_and_marks_the_unknown() {
    let hook = LoggingTensorHook::new(["loss", "learning_rate", "global_step", "nope"], 10);
    let mut ctx = after(20, 0.25);
    ctx.learning_rate = Some(0.5);
    assert_eq!(
        hook.line(&ctx),
        "loss = 0.25, learning_rate = 0.5, global_step = 20, nope = n/a"
    );
    assert_eq!(
        hook.line(&HookContext::new(ModeKeys::Eval, 3)),
        "loss = n/a, learning_rate = n/a, global_step = 3, nope = n/a"
    );
}

#[test]
fn logging_tensor_hook_never_stops_or_fails() {
    let mut hook = LoggingTensorHook::new(["loss"], 0);
    for step in 1..=3 {
        let ctx = after(step, f64::NAN);
        assert!(hook.after_step(&ctx).is_ok());
        assert!(!ctx.stop_requested());
    }
}

#[test]
fn step_counter_hook_measures_only_after_every_n_steps() {
    let mut hook = StepCounterHook::new(10);
    let begun = std::time::Instant::now();
    hook.begin(&HookContext::new(ModeKeys::Train, 100))
        .expect("begin");
    std::thread::sleep(Duration::from_millis(20));
    hook.after_step(&after(109, 1.0)).expect("after");
    assert_eq!(hook.steps_per_sec, None, "9 steps are fewer than 10");
    hook.after_step(&after(110, 1.0)).expect("after");
    let rate = hook.steps_per_sec.expect("measured at step 110");
    let slowest = 10.0 / begun.elapsed().as_secs_f64();
    assert!(rate >= slowest && rate <= 10.0 / 0.02, "{rate} steps/sec");
}

#[test]
fn step_counter_hook_restarts_its_window_after_a_measurement() {
    let mut hook = StepCounterHook::new(5);
    hook.begin(&HookContext::new(ModeKeys::Train, 0))
        .expect("begin");
    hook.after_step(&after(5, 1.0)).expect("after");
    let first = hook.steps_per_sec;
    hook.after_step(&after(9, 1.0)).expect("after");
    assert_eq!(
        hook.steps_per_sec, first,
        "step 9 is 4 steps into the new window"
    );
}

#[test]
fn nan_tensor_hook_fails_with_the_step_when_asked_to() {
    let mut hook = NanTensorHook::new(true);
    let err = hook.after_step(&after(12, f64::NAN)).unwrap_err();
    assert!(matches!(err, Error::NanLoss { step: 12 }), "{err:?}");
    let err = hook.after_step(&after(13, f64::INFINITY)).unwrap_err();
    assert!(matches!(err, Error::NanLoss { step: 13 }), "{err:?}");
}

#[test]
fn nan_tensor_hook_only_requests_a_stop_otherwise() {
    let mut hook = NanTensorHook::new(false);
    let ctx = after(4, f64::NAN);
    assert!(hook.after_step(&ctx).is_ok());
    assert!(ctx.stop_requested());
    let ctx = after(5, 0.3);
    assert!(hook.after_step(&ctx).is_ok());
    assert!(!ctx.stop_requested(), "a finite loss passes");
}

/// Fails at every point with a plain error.
struct Failing;

impl Hook for Failing {
    fn name(&self) -> &str {
        "Failing"
    }
    fn before_step(&mut self, _: &HookContext) -> Result<(), Error> {
        Err(Error::Config("boom".into()))
    }
    fn after_step(&mut self, _: &HookContext) -> Result<(), Error> {
        Err(Error::Config("boom".into()))
    }
}

#[test]
fn a_hook_set_names_the_failing_hook_at_every_point() {
    for mode in [ModeKeys::Train, ModeKeys::Eval, ModeKeys::Predict] {
        let mut set = HookSet::new(mode, vec![Box::new(Failing)]);
        let before = set.before_step(1).unwrap_err();
        let after = set.after_step(&after(1, 0.5)).unwrap_err();
        for err in [before, after] {
            assert!(
                matches!(&err, Error::Hook { hook, message } if hook == "Failing" && message.contains("boom")),
                "{mode}: {err:?}"
            );
        }
    }
}

#[test]
fn a_hook_set_keeps_the_first_spec_hooks() {
    let mut set = HookSet::new(
        ModeKeys::Train,
        vec![Box::new(StopAtStepHook::last_step(3))],
    );
    set.add_spec_hooks(vec![Box::new(NanTensorHook::new(false))], 0)
        .expect("spec hooks");
    set.add_spec_hooks(vec![Box::new(Failing)], 0)
        .expect("a later spec's hooks are dropped");
    let effects = set.after_step(&after(1, f64::NAN)).expect("after");
    assert!(effects.stop, "the spec's NanTensorHook asked to stop");
}

#[test]
fn the_builtins_decide_summaries_and_checkpoints_as_data() {
    let config = crate::RunConfig::default()
        .save_summary_steps(2)
        .save_checkpoints_steps(3)
        .log_step_count_steps(0);
    let builtin = BuiltinHooks::new(&config, 0, Some(6));
    let mut set = HookSet::new(ModeKeys::Train, Vec::new()).with_builtins(builtin);
    set.begin(0).expect("begin");
    let mut decisions = Vec::new();
    let mut wants = Vec::new();
    for step in 1..=6 {
        wants.push(set.wants_loss(step));
        let mut ctx = after(step, 0.5);
        ctx.learning_rate = Some(0.1);
        let effects = set.after_step(&ctx).expect("after");
        let tags: Vec<&str> = effects.scalars.iter().map(|(t, _)| *t).collect();
        decisions.push((step, effects.save, tags));
    }
    // Summaries as TF's SummarySaverHook: the call's first step, then every 2 after it.
    let summary = vec!["loss", "learning_rate"];
    assert_eq!(
        decisions,
        vec![
            (1, false, summary.clone()),
            (2, false, vec![]),
            (3, true, summary.clone()),
            (4, false, vec![]),
            (5, false, summary),
            (6, false, vec![]),
        ],
        "the target step is left to the final save"
    );
    assert_eq!(
        wants,
        vec![true, false, true, false, true, false],
        "the loss is read on summary steps only (no logging, no caller's hook)"
    );
}

/// A call resumed at step 10 fires at its first step, 11, then every 4 after: 15, 19; the loss
/// line and `global_step/sec` likewise, with no rate at the first (the clock starts there).
#[test]
fn a_resumed_call_fires_at_its_first_step_then_every_n_after() {
    let config = crate::RunConfig::default()
        .save_summary_steps(4)
        .log_step_count_steps(4)
        .save_checkpoints_steps(1000);
    let builtin = BuiltinHooks::new(&config, 10, Some(20));
    let mut set = HookSet::new(ModeKeys::Train, Vec::new()).with_builtins(builtin);
    set.begin(10).expect("begin");
    let mut fired = Vec::new();
    for step in 11..=20 {
        std::thread::sleep(std::time::Duration::from_millis(1));
        let effects = set.after_step(&after(step, 0.5)).expect("after");
        let tags: Vec<&str> = effects.scalars.iter().map(|(t, _)| *t).collect();
        if !tags.is_empty() {
            fired.push((step, tags));
        }
    }
    assert_eq!(
        fired,
        vec![
            (11, vec!["loss"]),
            (15, vec!["loss", "global_step/sec"]),
            (19, vec!["loss", "global_step/sec"]),
        ]
    );
}

#[test]
fn a_callers_hook_gets_the_loss_unless_it_says_it_does_not_need_it() {
    let mut set = HookSet::new(
        ModeKeys::Train,
        vec![Box::new(StopAtStepHook::last_step(9))],
    );
    assert!(!set.wants_loss(1), "StopAtStepHook reads no loss");
    set.add_spec_hooks(vec![Box::new(NanTensorHook::new(true))], 0)
        .expect("spec hooks");
    assert!(set.wants_loss(1), "NanTensorHook reads every loss");
}

/// TF's `LoggingTensorHook` counts its own iterations from 0: it logs at a call's first step,
/// then every `every_n_iter` after it, starting again in each call.
#[test]
fn logging_tensor_hook_logs_at_a_calls_first_step_then_every_n() {
    let mut hook = LoggingTensorHook::new(["loss"], 10);
    let mut logged = Vec::new();
    for (start, end) in [(0u64, 25u64), (25, 40)] {
        hook.begin(&HookContext::new(ModeKeys::Train, start))
            .expect("begin");
        for step in start + 1..=end {
            if hook.wants_loss(step) {
                logged.push(step);
            }
            hook.after_step(&after(step, 0.5)).expect("after");
        }
    }
    assert_eq!(logged, [1, 11, 21, 26, 36]);
}
