//! [`NatsError`]: why a config was refused or a login failed, and its conversion into the one
//! error contract (`CONFIG` and `AUTH`).

use std::fmt;

use super::conf::ConfError;
use super::options::ConfigError;
use crate::{Error, ErrorKind};

/// nats-server's answer to a client whose CONNECT is refused (no reason is ever given).
pub const AUTHORIZATION_VIOLATION: &str = "Authorization Violation";

/// A NATS error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NatsError {
    /// The config could not be read, lexed or parsed (nats-server's text, no position).
    Parse(ConfError),
    /// The option processor refused the config: warnings then errors, in nats-server's
    /// `file:line:col: message` form.
    Invalid(Vec<ConfigError>),
    /// nats-server would refuse to start with this config (checks `-t` does not make).
    Startup(String),
    /// The config uses operator (JWT) mode, which authgate does not implement.
    OperatorMode(String),
    /// The login was refused: `Authorization Violation`.
    AuthorizationViolation,
}

impl NatsError {
    /// The lines `authgate nats check` prints, one per error.
    pub fn lines(&self) -> Vec<String> {
        match self {
            NatsError::Parse(e) => vec![e.message().to_string()],
            NatsError::Invalid(v) => v.iter().map(|e| e.to_string()).collect(),
            NatsError::Startup(m) | NatsError::OperatorMode(m) => vec![m.clone()],
            NatsError::AuthorizationViolation => vec![AUTHORIZATION_VIOLATION.to_string()],
        }
    }
}

impl fmt::Display for NatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for NatsError {}

impl From<ConfError> for NatsError {
    fn from(e: ConfError) -> NatsError {
        NatsError::Parse(e)
    }
}

impl From<NatsError> for Error {
    fn from(e: NatsError) -> Error {
        let kind = match e {
            NatsError::AuthorizationViolation => ErrorKind::Auth,
            _ => ErrorKind::Config,
        };
        Error::new(kind, e.to_string())
    }
}
