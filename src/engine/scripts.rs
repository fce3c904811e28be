//! EVAL / EVALSHA / EVAL_RO / EVALSHA_RO and SCRIPT: the command-table face of
//! [`crate::scripting`]. A shard creates its Lua engine on the first script command.

use super::{CallCtx, CmdResult, Shard};
use crate::lua::Limits;
use crate::reply::Reply;
use crate::scripting::{EvalKind, Scripting};

/// A shard's scripting engine, created lazily. Cloning a shard does not clone its Lua state:
/// the clone compiles scripts again from their system records when they are called.
#[derive(Default)]
pub struct ScriptSlot(Option<Box<Scripting>>);

impl Clone for ScriptSlot {
    fn clone(&self) -> Self {
        ScriptSlot(None)
    }
}

impl std::fmt::Debug for ScriptSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ScriptSlot(engine)"
        } else {
            "ScriptSlot(none)"
        })
    }
}

/// Runs `f` with the shard's scripting engine taken out of the shard (so both can be
/// borrowed), with the budgets of the shard's config.
fn with_scripting(
    sh: &mut Shard,
    f: impl FnOnce(&mut Scripting, &mut Shard) -> Reply,
) -> CmdResult {
    let limits = Limits {
        time_ms: sh.config.lua_time_limit_ms as f64,
        ..sh.script_limits
    };
    let mut scripting = match sh.scripting.0.take() {
        Some(s) => s,
        None => match Scripting::new(limits) {
            Ok(s) => Box::new(s),
            Err(e) => return Err(Reply::err(format!("ERR cannot start the Lua engine: {e}"))),
        },
    };
    if scripting.limits() != limits {
        scripting.set_limits(limits);
    }
    let reply = f(&mut scripting, sh);
    sh.scripting.0 = Some(scripting);
    Ok(reply)
}

/// The shard's scripting engine, if a script command created it.
pub fn scripting(sh: &Shard) -> Option<&Scripting> {
    sh.scripting.0.as_deref()
}

fn eval_kind(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>], kind: EvalKind) -> CmdResult {
    with_scripting(sh, |s, sh| s.eval(sh, cx, argv, kind))
}

pub(super) fn eval(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    eval_kind(sh, cx, argv, EvalKind::Body { ro: false })
}

pub(super) fn eval_ro(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    eval_kind(sh, cx, argv, EvalKind::Body { ro: true })
}

pub(super) fn evalsha(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    eval_kind(sh, cx, argv, EvalKind::Sha { ro: false })
}

pub(super) fn evalsha_ro(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    eval_kind(sh, cx, argv, EvalKind::Sha { ro: true })
}

/// SCRIPT and each of its subcommands (the scripting module answers them all).
pub(super) fn script(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    with_scripting(sh, |s, sh| s.script_command(sh, cx, argv))
}
