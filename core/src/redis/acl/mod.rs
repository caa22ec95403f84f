//! The Redis 7.0 AUTH/ACL engine.
//!
//! [`Acl`] holds the users and the ACL LOG and answers every question Redis' ACL system
//! answers, with Redis 7.0.15's exact texts: `setuser` applies rules all-or-nothing,
//! `check` decides a command line (`allowed` and `denial` answer a denial as a value, not
//! an error), `dryrun` explains a denial, `list`/`getuser` print the canonical description,
//! `load`/`save` handle aclfiles.
//!
//! ```
//! use authgate::acl::Acl;
//! let acl = Acl::new();
//! acl.setuser(b"alice", &[&b"on"[..], b">secret", b"~cache:*", b"+get"]).unwrap();
//! assert!(acl.authenticate(b"alice", b"secret"));
//! assert!(acl.check(b"alice", &[&b"GET"[..], b"cache:1"]).is_ok());
//! assert!(acl.check(b"alice", &[&b"SET"[..], b"cache:1", b"v"]).is_err());
//! ```

mod aclfile;
pub mod category;
mod command_rules;
pub mod declaration;
pub mod commands;
mod describe;
mod draft;
mod engine;
pub mod error;
pub mod glob;
mod intern;
pub mod keys;
mod log;
mod options;
mod password;
mod pattern_set;
mod patterns;
mod selector;
mod user;
mod user_ref;
mod verdict;

pub use category::Category;
pub use commands::{table, Command, CommandFlags, ResolveError};
pub use describe::{SelectorInfo, UserInfo};
pub use engine::{Acl, AclEvent, AclListener, ListSink};
pub use user_ref::{ChannelAllowList, UserRef, UserView};
pub use error::{AclError, RuleError};
pub use log::{LogContext, LogEntry, LogReason};
pub use options::{AclOptions, InvalidPubsubDefault, PubsubDefault, DEFAULT_LOG_MAX_LEN};
pub use selector::{Denial, DenialKind};

/// Redis' `ACL GENPASS` default: 256 bits, 64 hex digits.
pub const DEFAULT_GENPASS_BITS: u32 = 256;

/// The verdict of [`Acl::dryrun`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DryRun {
    /// The user may run the command.
    Allowed,
    /// The user may not; `message` is Redis' verbose DRYRUN text.
    Denied {
        /// What was denied.
        kind: DenialKind,
        /// Redis' text, e.g. `This user has no permissions to access the 'x' key`.
        message: Vec<u8>,
    },
}

impl DryRun {
    /// True for [`DryRun::Allowed`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, DryRun::Allowed)
    }

    /// What `ACL DRYRUN` replies: `OK` or the denial text.
    pub fn text(&self) -> &[u8] {
        match self {
            DryRun::Allowed => b"OK",
            DryRun::Denied { message, .. } => message,
        }
    }
}

/// The NOPERM text (after `NOPERM `) Redis sends for a denial.
pub fn noperm_message(kind: DenialKind, _command: &str) -> String {
    match kind {
        DenialKind::Command => {
            format!("this user has no permissions to run the '{_command}' command")
        }
        DenialKind::Key => {
            "this user has no permissions to access one of the keys used as arguments".to_string()
        }
        DenialKind::Channel => {
            "this user has no permissions to access one of the channels used as arguments"
                .to_string()
        }
    }
}

/// The verbose denial text of ACL DRYRUN (a bulk string, not an error). Redis formats the
/// key or channel with `%s`, so it stops at a NUL byte.
pub fn dryrun_message(kind: DenialKind, command: &str, object: &[u8]) -> Vec<u8> {
    let object = crate::redis::cstr::c_str(object);
    let mut out = Vec::new();
    match kind {
        DenialKind::Command => {
            out.extend_from_slice(b"This user has no permissions to run the '");
            out.extend_from_slice(command.as_bytes());
            out.extend_from_slice(b"' command");
        }
        DenialKind::Key => {
            out.extend_from_slice(b"This user has no permissions to access the '");
            out.extend_from_slice(object);
            out.extend_from_slice(b"' key");
        }
        DenialKind::Channel => {
            out.extend_from_slice(b"This user has no permissions to access the '");
            out.extend_from_slice(object);
            out.extend_from_slice(b"' channel");
        }
    }
    out
}

/// Redis' unknown-command / unknown-subcommand error text for `argv` (after `-`).
pub fn unknown_command_message<A: AsRef<[u8]>>(argv: &[A], err: ResolveError) -> Vec<u8> {
    let c = |b: &[u8]| crate::redis::cstr::c_str(b).to_vec();
    let mut out = Vec::new();
    match err {
        ResolveError::UnknownSubcommand => {
            let sub = c(argv[1].as_ref());
            out.extend_from_slice(b"ERR unknown subcommand '");
            out.extend_from_slice(&sub[..sub.len().min(128)]);
            out.extend_from_slice(b"'. Try ");
            out.extend_from_slice(&c(argv[0].as_ref()).to_ascii_uppercase());
            out.extend_from_slice(b" HELP.");
        }
        ResolveError::UnknownCommand => {
            let name = argv.first().map(|a| c(a.as_ref())).unwrap_or_default();
            out.extend_from_slice(b"ERR unknown command '");
            out.extend_from_slice(&name[..name.len().min(128)]);
            out.extend_from_slice(b"', with args beginning with: ");
            let mut args: Vec<u8> = Vec::new();
            for a in argv.get(1..).unwrap_or_default() {
                if args.len() >= 128 {
                    break;
                }
                let room = 128 - args.len();
                let a = c(a.as_ref());
                args.push(b'\'');
                args.extend_from_slice(&a[..a.len().min(room)]);
                args.extend_from_slice(b"' ");
            }
            out.extend_from_slice(&args);
        }
    }
    for b in out.iter_mut() {
        if *b == b'\r' || *b == b'\n' {
            *b = b' ';
        }
    }
    out
}

/// Redis' arity error text (after `-`).
pub fn arity_message(cmd: &Command) -> Vec<u8> {
    format!("ERR wrong number of arguments for '{}' command", cmd.fullname).into_bytes()
}

#[cfg(test)]
mod tests;
