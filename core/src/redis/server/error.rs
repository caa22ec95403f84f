//! Why a server could not start.

/// Errors starting a server.
#[derive(Debug)]
pub enum ServerError {
    /// The configuration is invalid (Redis' message).
    Config(String),
    /// Loading the ACL users failed at startup (Redis' message).
    Acl(String),
    /// Binding or runtime creation failed.
    Io(std::io::Error),
    /// [`ServerController::start`](super::ServerController::start) while it runs.
    AlreadyRunning,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerError::Config(m) | ServerError::Acl(m) => f.write_str(m),
            ServerError::Io(e) => write!(f, "{e}"),
            ServerError::AlreadyRunning => f.write_str("the server is already running"),
        }
    }
}

impl std::error::Error for ServerError {}

impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> Self {
        ServerError::Io(e)
    }
}

impl From<ServerError> for crate::Error {
    fn from(e: ServerError) -> crate::Error {
        use crate::{Error, ErrorKind};
        match e {
            ServerError::Io(io) => io.into(),
            ServerError::AlreadyRunning => Error::invalid_argument(e.to_string()),
            ServerError::Config(m) | ServerError::Acl(m) => Error::new(ErrorKind::Config, m),
        }
    }
}
