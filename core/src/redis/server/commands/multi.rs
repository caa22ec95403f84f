//! MULTI / EXEC / DISCARD (WATCH is not supported: there is no key versioning).
//!
//! EXEC re-checks every queued command against the user's ACL rules at EXEC time, as Redis
//! does, all at one moment (no other connection's change lands in between): a command that
//! is no longer allowed gets the "ACLs rules changed" NOPERM error in its slot and an ACL LOG
//! entry with context `multi`. With an ACL store, EXEC stops while one of its commands waits
//! for etcd and resumes after it ([`PausedExec`]), re-reading the rules then.

use crate::redis::server::dispatch::call;
use crate::redis::server::session::{Multi, Session};
use crate::redis::acl::{Command, Denial, DenialKind, LogContext, LogReason};

/// MULTI
pub(crate) fn multi(s: &mut Session, _c: &'static Command, _argv: &[Vec<u8>]) {
    if s.multi.is_some() {
        return s.out.error_str("ERR MULTI calls can not be nested");
    }
    s.multi = Some(Multi::default());
    s.sync_info();
    s.out.ok();
}

/// DISCARD
pub(crate) fn discard(s: &mut Session, _c: &'static Command, _argv: &[Vec<u8>]) {
    if s.multi.take().is_none() {
        return s.out.error_str("ERR DISCARD without MULTI");
    }
    s.sync_info();
    s.out.ok();
}

/// WATCH: refused inside MULTI like Redis; otherwise not supported by this server.
pub(crate) fn watch(s: &mut Session, c: &'static Command, _argv: &[Vec<u8>]) {
    if s.multi.is_some() {
        return s.out.error_str("ERR WATCH inside MULTI is not allowed");
    }
    let msg = format!("ERR command '{}' is not supported by this server", c.fullname);
    s.out.error_str(&msg);
}

/// UNWATCH: nothing is ever watched.
pub(crate) fn unwatch(s: &mut Session, _c: &'static Command, _argv: &[Vec<u8>]) {
    s.out.ok();
}

/// EXEC
pub(crate) fn exec(s: &mut Session, _c: &'static Command, _argv: &[Vec<u8>]) {
    let Some(m) = s.multi.as_ref() else {
        return s.out.error_str("ERR EXEC without MULTI");
    };
    if m.dirty {
        s.multi = None;
        s.sync_info();
        return s.out.error_str("EXECABORT Transaction discarded because of previous errors.");
    }
    // Like Redis, the client stays flagged as in MULTI (CLIENT LIST `flags=x multi=N`) while
    // the queued commands run.
    let queue = m.queue.clone();
    s.out.array(queue.len());
    s.in_exec = true;
    s.exec_pausable = true;
    run_queue(s, PausedExec { queue, next: 0 });
}

/// An EXEC waiting for an ACL store write of one of its commands (`authgate serve
/// --acl-store`): the queued commands and the index of the next one to run.
pub(crate) struct PausedExec {
    queue: Vec<(&'static Command, Vec<Vec<u8>>)>,
    next: usize,
}

/// Continues an EXEC once its command's store write has replied (the connection calls this
/// after awaiting the write).
pub(crate) fn resume(s: &mut Session, paused: PausedExec) {
    run_queue(s, paused);
}

/// Runs the queued commands from `state.next` on. A store write (ACL SETUSER, DELUSER, LOAD
/// with an ACL store) waits for etcd off the event loop: EXEC stops after it, and the
/// connection resumes it once the write's reply is in place, so a slow or unreachable etcd
/// never stalls the server's other clients. Unlike a local EXEC, other clients' commands can
/// run during that wait, as other nodes' changes can land at any time in a fleet.
fn run_queue(s: &mut Session, mut state: PausedExec) {
    // In Redis no other client runs while EXEC does, so no ACL change from elsewhere lands
    // between two queued commands: read the rules once (again after a pause), and again only
    // after a queued command that may have changed them itself (an ACL subcommand, or
    // AUTH/HELLO/RESET switching user).
    let mut rules = s.user.snapshot();
    while state.next < state.queue.len() {
        let (cmd, argv) = &state.queue[state.next];
        let cmd: &'static Command = cmd;
        state.next += 1;
        if let Err(d) = rules.check(cmd, argv) {
            deny_queued(s, cmd, argv, d);
            continue;
        }
        let user = s.user.clone();
        call(s, cmd, argv);
        if s.store_job.is_some() {
            s.paused_exec = Some(state);
            return;
        }
        if cmd.fullname.starts_with("acl|") || !user.same_user(&s.user) {
            rules = s.user.snapshot();
        }
    }
    s.in_exec = false;
    s.exec_pausable = false;
    s.multi = None;
    s.sync_info();
}

/// Answers a queued command the user's rules no longer allow at EXEC, as Redis does: the
/// "ACLs rules changed" NOPERM in its slot and an ACL LOG entry with context `multi`.
pub(crate) fn deny_queued(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>], d: Denial) {
    let (reason, object, why): (LogReason, &[u8], &str) = match d.kind {
        DenialKind::Command => (
            LogReason::Command,
            cmd.fullname.as_bytes(),
            "no permission to execute the command or subcommand",
        ),
        DenialKind::Key => (
            LogReason::Key,
            argv.get(d.pos).map_or(&b""[..], |a| a),
            "no permission to touch the specified keys",
        ),
        DenialKind::Channel => (
            LogReason::Channel,
            argv.get(d.pos).map_or(&b""[..], |a| a),
            "no permission to access one of the channels used as arguments",
        ),
    };
    s.shared.acl.log_event(reason, LogContext::Multi, object, s.user.name(), s.client_line());
    let msg = format!("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: {why}");
    s.out.error_str(&msg);
}
