//! The error of the config language: nats-server's text, which for the lexer and parser
//! carries no file position (only `Parse error on line N`).

use std::fmt;

/// A lexer, parser, variable or include error, with nats-server 2.9.10's exact text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfError {
    message: String,
}

impl ConfError {
    pub(crate) fn new(message: impl Into<String>) -> ConfError {
        ConfError { message: message.into() }
    }

    /// The text nats-server prints (after its `nats-server: ` prefix).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfError {}

/// Go's text for a failed file read (`open X: no such file or directory`, `read X: is a
/// directory`), so include errors read as nats-server's.
pub(crate) fn go_io_error(op: &str, path: &str, e: &std::io::Error) -> String {
    let what = match e.raw_os_error() {
        Some(2) => "no such file or directory".to_string(),
        Some(13) => "permission denied".to_string(),
        Some(20) => "not a directory".to_string(),
        Some(21) => "is a directory".to_string(),
        Some(36) => "file name too long".to_string(),
        Some(40) => "too many levels of symbolic links".to_string(),
        _ => {
            let s = e.to_string();
            // Rust appends " (os error N)" to the strerror text Go prints in lower case.
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
    };
    format!("{op} {path}: {what}")
}
