//! Errors of the ACL engine, with Redis' exact texts.

use std::fmt;

/// Why one ACL rule could not be applied. Mirrors the errno values of Redis' `ACLSetUser`, whose
/// messages appear in SETUSER and aclfile errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// ENOENT: unknown command or category.
    UnknownCommand,
    /// EINVAL: anything malformed.
    Syntax,
    /// EEXIST: a key pattern after `allkeys`.
    KeyAfterAll,
    /// EISDIR: a channel pattern after `allchannels`.
    ChannelAfterAll,
    /// ENODEV: removing a password the user does not have.
    NoSuchPassword,
    /// EBADMSG: a `#`/`!` hash that is not 64 lowercase hex characters.
    BadHash,
    /// EALREADY: a user defined twice in config files.
    DuplicateUser,
    /// ECHILD: `+cmd|sub|arg` first-arg of a subcommand.
    FirstArgOfSubcommand,
}

impl RuleError {
    /// Redis' message for this error.
    pub fn message(self) -> &'static str {
        match self {
            RuleError::UnknownCommand => "Unknown command or category name in ACL",
            RuleError::Syntax => "Syntax error",
            RuleError::KeyAfterAll => "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            RuleError::ChannelAfterAll => "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
            RuleError::NoSuchPassword => "The password you are trying to remove from the user does not exist",
            RuleError::BadHash => "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
            RuleError::DuplicateUser => "Duplicate user found. A user can only be defined once in config files",
            RuleError::FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// An error from an [`Acl`](super::Acl) operation. `Display` gives Redis' full error text (what
/// follows the `-` on the wire, code included); [`AclError::code`] the stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AclError {
    /// The user name contains whitespace or NUL.
    InvalidUsername,
    /// A `(` selector argument was never closed; holds that argument.
    UnmatchedParenthesis(Vec<u8>),
    /// A rule failed; holds the (merged) rule as Redis echoes it and the reason.
    Rule {
        /// The offending rule.
        rule: Vec<u8>,
        /// Why it failed.
        error: RuleError,
    },
    /// `ACL DELUSER default`.
    DeleteDefault,
    /// `ACL CAT` of an unknown category.
    UnknownCategory(Vec<u8>),
    /// A `GENPASS` bit count outside 1..=4096.
    GenpassRange,
    /// A number argument that is not an integer.
    NotAnInteger,
    /// `ACL DRYRUN` of an unknown user.
    UserNotFound(Vec<u8>),
    /// `ACL DRYRUN` of an unknown command (holds argv\[0\] as typed).
    CommandNotFound(Vec<u8>),
    /// Wrong number of arguments for a command (holds the full command name).
    WrongArity(String),
    /// An aclfile could not be loaded: Redis' concatenated per-line messages.
    Load(Vec<u8>),
    /// No aclfile is configured.
    NoAclFile,
    /// Writing the aclfile failed (the detail stays in logs; the reply is Redis' fixed text).
    Save(String),
    /// A permission denial from [`Acl::check`](super::Acl::check).
    Denied {
        /// What was denied.
        kind: super::DenialKind,
        /// The command's full name, for command denials.
        command: String,
        /// The offending key or channel.
        object: Vec<u8>,
    },
    /// An unknown command or subcommand; holds Redis' full error text.
    UnknownCommand(Vec<u8>),
}

use crate::redis::cstr::{c_str, c_str_truncated as truncated};

impl AclError {
    /// The stable error code: `ERR` or `NOPERM`.
    pub fn code(&self) -> &'static str {
        match self {
            AclError::Denied { .. } => "NOPERM",
            _ => "ERR",
        }
    }

    /// The exact error reply bytes (without the leading `-` and trailing CRLF).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::new();
        let cat = |out: &mut Vec<u8>, parts: &[&[u8]]| {
            for p in parts {
                out.extend_from_slice(p);
            }
        };
        match self {
            AclError::InvalidUsername => {
                cat(&mut out, &[b"ERR Usernames can't contain spaces or null characters"])
            }
            AclError::UnmatchedParenthesis(arg) => cat(
                &mut out,
                &[b"ERR Unmatched parenthesis in acl selector starting at '", c_str(arg), b"'."],
            ),
            AclError::Rule { rule, error } => cat(
                &mut out,
                &[
                    b"ERR Error in ACL SETUSER modifier '",
                    c_str(rule),
                    b"': ",
                    error.message().as_bytes(),
                ],
            ),
            AclError::DeleteDefault => cat(&mut out, &[b"ERR The 'default' user cannot be removed"]),
            AclError::UnknownCategory(c) => {
                cat(&mut out, &[b"ERR Unknown category '", truncated(c, 128), b"'"])
            }
            AclError::GenpassRange => cat(&mut out, &[b"ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"]),
            AclError::NotAnInteger => cat(&mut out, &[b"ERR value is not an integer or out of range"]),
            AclError::UserNotFound(u) => cat(&mut out, &[b"ERR User '", c_str(u), b"' not found"]),
            AclError::CommandNotFound(c) => {
                cat(&mut out, &[b"ERR Command '", c_str(c), b"' not found"])
            }
            AclError::WrongArity(name) => cat(
                &mut out,
                &[b"ERR wrong number of arguments for '", name.as_bytes(), b"' command"],
            ),
            AclError::Load(msg) => cat(&mut out, &[b"ERR ", msg]),
            AclError::NoAclFile => cat(&mut out, &[b"ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."]),
            AclError::Save(_) => cat(&mut out, &[b"ERR There was an error trying to save the ACLs. Please check the server logs for more information"]),
            AclError::Denied { kind, command, .. } => {
                out.extend_from_slice(b"NOPERM ");
                out.extend_from_slice(super::noperm_message(*kind, command).as_bytes());
            }
            AclError::UnknownCommand(text) => cat(&mut out, &[text]),
        }
        // Redis never lets CR or LF into an error line.
        for b in out.iter_mut() {
            if *b == b'\r' || *b == b'\n' {
                *b = b' ';
            }
        }
        out
    }

    /// The message without the code prefix.
    pub fn message(&self) -> String {
        let full = String::from_utf8_lossy(&self.to_bytes()).into_owned();
        let code = self.code();
        full.strip_prefix(code).map(|s| s.trim_start().to_string()).unwrap_or(full)
    }
}

impl From<AclError> for crate::Error {
    fn from(e: AclError) -> crate::Error {
        use crate::{Error, ErrorKind};
        let text = e.to_bytes();
        match e {
            AclError::Denied { kind, command, object } => {
                Error::denied(text, crate::Denied { kind, command, object })
            }
            AclError::UserNotFound(_) => Error::new(ErrorKind::NotFound, text),
            AclError::Load(_) | AclError::NoAclFile => Error::new(ErrorKind::Config, text),
            AclError::Save(detail) => Error::new(ErrorKind::Io, text).with_detail(detail),
            _ => Error::new(ErrorKind::Err, text),
        }
    }
}

impl fmt::Display for AclError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

impl std::error::Error for AclError {}
