//! [`Error`] and [`ErrorKind`]: the one error contract of authgate.
//!
//! Every module has its own precise error type ([`AclError`](crate::acl::AclError),
//! [`ServerError`](crate::server::ServerError), ...) and converts into [`Error`]. The bindings
//! map only [`ErrorKind`], in one function each, so a new module adds no new mapper: the
//! stable [`code`](ErrorKind::code) string is what every language shows (`e.code` in Python,
//! `err.code` in Node, `code()` in Java, `ag_status` plus `ag_last_error_code` in C), the
//! [`message`](Error::message) is the source system's text (Redis' full error reply where Redis
//! has one), and the structured fields say what a caller may want to act on.

use std::fmt;

use crate::acl::DenialKind;

/// What kind of failure an [`Error`] is. The set grows with authgate's modules, so it is
/// `#[non_exhaustive]`; match on it with a fallback arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A permission denial (Redis' `NOPERM`); see [`Error::denial`].
    NoPerm,
    /// Wrong user name or password (Redis' `WRONGPASS`).
    WrongPass,
    /// Authentication is required first (Redis' `NOAUTH`).
    NoAuth,
    /// Any other error with a Redis `ERR ...` text: a bad rule, an unknown category, ...
    Err,
    /// The named object (a user) does not exist.
    NotFound,
    /// An operating-system error: reading or writing a file, binding a socket; see
    /// [`Error::os_error`].
    Io,
    /// An argument is out of range or malformed (a port above 65535, a name that is not
    /// UTF-8, a server started twice, ...).
    InvalidArgument,
    /// A bug: a panic inside authgate, caught at the language boundary.
    Panic,
    /// A configuration (redis.conf, aclfile, nats-server config) is invalid.
    Config,
    /// A login was refused by a non-Redis authentication scheme (NATS' Authorization
    /// Violation).
    Auth,
    /// A certificate could not be parsed, verified or mapped to a user.
    Certificate,
    /// A credential-store operation failed (Milvus' rules); see [`Error::milvus_code`].
    Credential,
}

impl ErrorKind {
    /// Every kind, in declaration order (for bindings that export the codes as constants).
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::NoPerm,
        ErrorKind::WrongPass,
        ErrorKind::NoAuth,
        ErrorKind::Err,
        ErrorKind::NotFound,
        ErrorKind::Io,
        ErrorKind::InvalidArgument,
        ErrorKind::Panic,
        ErrorKind::Config,
        ErrorKind::Auth,
        ErrorKind::Certificate,
        ErrorKind::Credential,
    ];

    /// The stable code string every language shows.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::NoPerm => "NOPERM",
            ErrorKind::WrongPass => "WRONGPASS",
            ErrorKind::NoAuth => "NOAUTH",
            ErrorKind::Err => "ERR",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::Io => "IO",
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Panic => "PANIC",
            ErrorKind::Config => "CONFIG",
            ErrorKind::Auth => "AUTH",
            ErrorKind::Certificate => "CERTIFICATE",
            ErrorKind::Credential => "CREDENTIAL",
        }
    }

    /// The kind whose [`code`](ErrorKind::code) is `code`.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.iter().copied().find(|k| k.code() == code)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a permission denial refused: the fields of an ACL LOG entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denied {
    /// Command, key or channel.
    pub kind: DenialKind,
    /// The full name of the command that was checked (`get`, `client|kill`).
    pub command: String,
    /// What was refused, as ACL LOG's `object`: the command's full name for a command denial,
    /// else the key or channel.
    pub object: Vec<u8>,
}

/// An authgate error: a [`kind`](Error::kind), the source system's text, and the structured
/// fields that apply to it. `Display` is the text (lossy UTF-8; [`Error::message_bytes`] is
/// exact).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    text: Vec<u8>,
    denied: Option<Box<Denied>>,
    os_error: Option<i32>,
    milvus_code: Option<i64>,
    detail: Option<String>,
}

/// `Result<T, authgate::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with this text.
    pub fn new(kind: ErrorKind, text: impl Into<Vec<u8>>) -> Error {
        Error { kind, text: text.into(), denied: None, os_error: None, milvus_code: None, detail: None }
    }

    /// [`ErrorKind::InvalidArgument`] with this text.
    pub fn invalid_argument(text: impl Into<Vec<u8>>) -> Error {
        Error::new(ErrorKind::InvalidArgument, text)
    }

    /// The error a binding reports for a caught panic: [`ErrorKind::Panic`], with the panic's
    /// message when it has one.
    pub fn from_panic(payload: &(dyn std::any::Any + Send)) -> Error {
        let what = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic payload".to_string()
        };
        Error::new(ErrorKind::Panic, format!("panic in authgate: {what}"))
    }

    /// A permission denial with Redis' NOPERM text.
    pub(crate) fn denied(text: Vec<u8>, denied: Denied) -> Error {
        Error { denied: Some(Box::new(denied)), ..Error::new(ErrorKind::NoPerm, text) }
    }

    /// Adds Milvus' numeric error code (credential errors).
    pub fn with_milvus_code(mut self, code: i64) -> Error {
        self.milvus_code = Some(code);
        self
    }

    /// Adds a detail meant for logs, not for the reply (Redis keeps such details in its log).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Error {
        self.detail = Some(detail.into());
        self
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code string (`self.kind().code()`).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The exact text (binary-safe): Redis' full error reply where Redis has one, code
    /// included (`NOPERM this user has no permissions to run the 'del' command`).
    pub fn message_bytes(&self) -> &[u8] {
        &self.text
    }

    /// The text as a string (invalid UTF-8 replaced).
    pub fn message(&self) -> String {
        String::from_utf8_lossy(&self.text).into_owned()
    }

    /// For a permission denial: what was refused.
    pub fn denial(&self) -> Option<&Denied> {
        self.denied.as_deref()
    }

    /// For an I/O error: the OS error number, when there is one.
    pub fn os_error(&self) -> Option<i32> {
        self.os_error
    }

    /// For a credential error: Milvus' numeric error code.
    pub fn milvus_code(&self) -> Option<i64> {
        self.milvus_code
    }

    /// A detail for logs (for example why an aclfile could not be written, where the reply is
    /// Redis' fixed text).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.text))
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error { os_error: e.raw_os_error(), ..Error::new(ErrorKind::Io, e.to_string()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for (i, k) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(ErrorKind::from_code(k.code()), Some(*k));
            for other in &ErrorKind::ALL[i + 1..] {
                assert_ne!(k.code(), other.code());
            }
        }
        assert_eq!(ErrorKind::from_code("nope"), None);
    }

    #[test]
    fn io_errors_keep_the_os_error() {
        let e: Error = std::io::Error::from_raw_os_error(2).into();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(e.os_error(), Some(2));
        assert!(e.message().contains("No such file"));
    }

    #[test]
    fn panics_keep_their_message() {
        let p: Box<dyn std::any::Any + Send> = Box::new(format!("at {}", 3));
        let e = Error::from_panic(p.as_ref());
        assert_eq!(e.code(), "PANIC");
        assert_eq!(e.message(), "panic in authgate: at 3");
        let p: Box<dyn std::any::Any + Send> = Box::new(17u8);
        assert_eq!(Error::from_panic(p.as_ref()).message(), "panic in authgate: unknown panic payload");
    }
}
