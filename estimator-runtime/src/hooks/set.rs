//! `HookSet`: the hooks of one train, evaluate or predict call, run in one place with one way
//! of reporting their errors.

use super::internal::{BuiltinHooks, StepEffects};
use super::{Hook, HookContext};
use crate::error::Error;
use crate::mode::ModeKeys;

/// The hooks of one call: the caller's, then the spec's (added by the first step), then, in
/// TRAIN, the built-in ones. Every point runs them in that order.
pub(crate) struct HookSet {
    mode: ModeKeys,
    hooks: Vec<Box<dyn Hook>>,
    spec_added: bool,
    builtin: Option<BuiltinHooks>,
}

impl HookSet {
    /// The caller's `hooks` for a call in `mode`.
    pub fn new(mode: ModeKeys, hooks: Vec<Box<dyn Hook>>) -> Self {
        HookSet {
            mode,
            hooks,
            spec_added: false,
            builtin: None,
        }
    }

    /// Adds the built-in hooks of a train call.
    pub fn with_builtins(mut self, builtin: BuiltinHooks) -> Self {
        self.builtin = Some(builtin);
        self
    }

    /// `begin` of every hook, at `global_step`.
    pub fn begin(&mut self, global_step: u64) -> Result<(), Error> {
        let ctx = HookContext::new(self.mode, global_step);
        self.each(|hook| hook.begin(&ctx))
    }

    /// Adds the spec's hooks, once (later calls drop theirs), and runs their `begin`.
    pub fn add_spec_hooks(
        &mut self,
        hooks: Vec<Box<dyn Hook>>,
        global_step: u64,
    ) -> Result<(), Error> {
        if std::mem::replace(&mut self.spec_added, true) {
            return Ok(());
        }
        let ctx = HookContext::new(self.mode, global_step);
        let mut hooks = hooks;
        for hook in &mut hooks {
            hook.begin(&ctx).map_err(|e| hook_error(hook.as_ref(), e))?;
        }
        self.hooks.splice(self.hooks.len().., hooks);
        Ok(())
    }

    /// `before_step` of every hook, at `global_step`.
    pub fn before_step(&mut self, global_step: u64) -> Result<(), Error> {
        self.before_step_with(&HookContext::new(self.mode, global_step))
    }

    /// `before_step` of every hook, with `ctx` (EVAL: the batch index too).
    pub fn before_step_with(&mut self, ctx: &HookContext) -> Result<(), Error> {
        self.each(|hook| hook.before_step(ctx))
    }

    /// Whether some hook needs the loss in `after_step` at `global_step`.
    pub fn wants_loss(&self, global_step: u64) -> bool {
        self.hooks.iter().any(|h| h.wants_loss(global_step))
            || self
                .builtin
                .as_ref()
                .is_some_and(|b| b.wants_loss(global_step))
    }

    /// `after_step` of every hook; returns what they asked the loop to do.
    pub fn after_step(&mut self, ctx: &HookContext) -> Result<StepEffects, Error> {
        self.each(|hook| hook.after_step(ctx))?;
        let mut effects = match &mut self.builtin {
            Some(builtin) => builtin.take_effects(),
            None => StepEffects::default(),
        };
        effects.stop = ctx.stop_requested();
        Ok(effects)
    }

    /// `end` of every hook, at `global_step`.
    pub fn end(&mut self, global_step: u64) -> Result<(), Error> {
        let ctx = HookContext::new(self.mode, global_step);
        self.each(|hook| hook.end(&ctx))
    }

    /// Runs `point` on every hook in order; the first error stops the call.
    fn each(
        &mut self,
        mut point: impl FnMut(&mut dyn Hook) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let builtin = self.builtin.iter_mut().flat_map(BuiltinHooks::hooks);
        for hook in self.hooks.iter_mut().map(|h| h.as_mut()).chain(builtin) {
            point(hook).map_err(|e| hook_error(hook, e))?;
        }
        Ok(())
    }
}

/// A hook's error, naming the hook unless it already says what went wrong.
fn hook_error(hook: &dyn Hook, e: Error) -> Error {
    match e {
        e @ (Error::Hook { .. } | Error::NanLoss { .. }) => e,
        other => Error::Hook {
            hook: hook.name().to_string(),
            message: other.to_string(),
        },
    }
}
