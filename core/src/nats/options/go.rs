//! The mechanics of nats-server's option processor that shape its error output: config
//! errors with the position of the token they concern, Go type assertions that panic, and
//! the functions that recover such a panic into an error at the last token they unwrapped
//! (then return Go's zero values, which their callers may dereference into a second,
//! nil-pointer error, exactly as nats-server 2.9.10 prints).

use std::fmt;

use crate::nats::conf::{go_quote, Map, Node, Position, Value};

/// The text of Go's nil pointer dereference panic.
pub(crate) const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// What a config error is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// An error with a reason.
    Error,
    /// `unknown field "NAME"`.
    UnknownField(Vec<u8>),
    /// A warning: `invalid use of field "NAME": reason` (nats-server -t fails on warnings too).
    Warning(Vec<u8>),
}

/// One error or warning of the option processor, printed as nats-server prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Error, unknown field or warning.
    pub kind: ConfigErrorKind,
    /// The token it concerns (none for the errors nats-server prints without a position).
    pub position: Option<Position>,
    /// The reason (empty for an unknown field).
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn at(position: Option<Position>, reason: impl Into<String>) -> ConfigError {
        ConfigError { kind: ConfigErrorKind::Error, position, reason: reason.into() }
    }

    /// Whether this is a warning.
    pub fn is_warning(&self) -> bool {
        matches!(self.kind, ConfigErrorKind::Warning(_))
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let src = self.position.as_ref().map(|p| p.to_string()).unwrap_or_default();
        match &self.kind {
            ConfigErrorKind::Error if self.position.is_some() => write!(f, "{src}: {}", self.reason),
            ConfigErrorKind::Error => f.write_str(&self.reason),
            ConfigErrorKind::UnknownField(k) => write!(f, "{src}: unknown field {}", go_quote(k)),
            ConfigErrorKind::Warning(k) => {
                write!(f, "{src}: invalid use of field {}: {}", go_quote(k), self.reason)
            }
        }
    }
}

/// The error and warning lists nats-server collects over the whole file.
#[derive(Default, Debug)]
pub(crate) struct Errs {
    pub errors: Vec<ConfigError>,
    pub warnings: Vec<ConfigError>,
}

impl Errs {
    pub(crate) fn err(&mut self, position: Option<Position>, reason: impl Into<String>) {
        self.errors.push(ConfigError::at(position, reason));
    }

    pub(crate) fn push(&mut self, e: ConfigError) {
        self.errors.push(e);
    }

    pub(crate) fn warn(&mut self, position: Option<Position>, field: &[u8], reason: impl Into<String>) {
        self.warnings.push(ConfigError {
            kind: ConfigErrorKind::Warning(field.to_vec()),
            position,
            reason: reason.into(),
        });
    }

    /// An `unknown field` error for `key`, unless its token was used as a variable. A key
    /// without a token (a bare value from the environment) is a nil-pointer panic in Go.
    pub(crate) fn unknown(&mut self, tk: Tk<'_>, key: &[u8]) -> R<()> {
        match tk {
            None => Err(Fail::Panic(NIL_DEREF.into())),
            Some(n) if n.is_used_variable() => Ok(()),
            Some(n) => {
                self.errors.push(ConfigError {
                    kind: ConfigErrorKind::UnknownField(key.to_vec()),
                    position: n.position.clone(),
                    reason: String::new(),
                });
                Ok(())
            }
        }
    }

    fn recovered(&mut self, lt: &Lt, msg: String) {
        match lt {
            Some(p) => self.err(Some(p.clone()), msg),
            None => self.err(None, format!("encountered panic without a token {msg}")),
        }
    }
}

/// How a Go function stops: a panic (recovered further up) or a returned error.
#[derive(Debug)]
pub(crate) enum Fail {
    Panic(String),
    Err(ConfigError),
}

impl From<ConfigError> for Fail {
    fn from(e: ConfigError) -> Fail {
        Fail::Err(e)
    }
}

/// A Go function's outcome.
pub(crate) type R<T> = Result<T, Fail>;

/// The last token a function unwrapped (where a recovered panic is reported).
pub(crate) type Lt = Option<Position>;

/// A token as `unwrapValue` returns it: none for a bare value.
pub(crate) type Tk<'a> = Option<&'a Node>;

/// unwrapValue: the token (also recorded as the last token) and its value.
pub(crate) fn unwrap<'a>(n: &'a Node, lt: &mut Lt) -> (Tk<'a>, &'a Value) {
    match &n.position {
        Some(p) => {
            *lt = Some(p.clone());
            (Some(n), &n.value)
        }
        None => (None, &n.value),
    }
}

/// The position of a token (none for a bare value).
pub(crate) fn pos(tk: Tk<'_>) -> Option<Position> {
    tk.and_then(|n| n.position.clone())
}

/// A function with `defer convertPanicToErrorList(&lt, errors)`: a panic becomes an error at
/// the last token and the function returns its zero values (`Ok(None)`).
pub(crate) fn recovering<T>(
    e: &mut Errs,
    f: impl FnOnce(&mut Lt, &mut Errs) -> R<T>,
) -> Result<Option<T>, ConfigError> {
    let mut lt = None;
    match f(&mut lt, e) {
        Ok(v) => Ok(Some(v)),
        Err(Fail::Err(ce)) => Err(ce),
        Err(Fail::Panic(m)) => {
            e.recovered(&lt, m);
            Ok(None)
        }
    }
}

/// A function with `defer convertPanicToError(&lt, &retErr)`: a panic becomes the returned
/// error.
pub(crate) fn recovering_single<T>(
    e: &mut Errs,
    f: impl FnOnce(&mut Lt, &mut Errs) -> R<T>,
) -> Result<T, ConfigError> {
    let mut lt = None;
    match f(&mut lt, e) {
        Ok(v) => Ok(v),
        Err(Fail::Err(ce)) => Err(ce),
        Err(Fail::Panic(m)) => Err(ConfigError::at(lt.clone(), m)),
    }
}

fn conversion(v: &Value, want: &str) -> Fail {
    Fail::Panic(format!("interface conversion: interface {{}} is {}, not {want}", v.go_type()))
}

/// `v.(string)`.
pub(crate) fn as_string(v: &Value) -> R<Vec<u8>> {
    match v {
        Value::String(s) => Ok(s.clone()),
        _ => Err(conversion(v, "string")),
    }
}

/// `v.(int64)`.
pub(crate) fn as_i64(v: &Value) -> R<i64> {
    match v {
        Value::Integer(i) => Ok(*i),
        _ => Err(conversion(v, "int64")),
    }
}

/// `v.(bool)`.
pub(crate) fn as_bool(v: &Value) -> R<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(conversion(v, "bool")),
    }
}

/// `v.(map[string]interface{})`.
pub(crate) fn as_map(v: &Value) -> R<&Map> {
    match v {
        Value::Map(m) => Ok(m),
        _ => Err(conversion(v, "map[string]interface {}")),
    }
}

/// `v.([]interface{})`.
pub(crate) fn as_array(v: &Value) -> R<&[Node]> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(conversion(v, "[]interface {}")),
    }
}

/// `v.([]string)`: never true of a parsed value.
pub(crate) fn as_string_slice(v: &Value) -> Fail {
    conversion(v, "[]string")
}

/// strings.ToLower of a key.
pub(crate) fn lower(k: &[u8]) -> String {
    String::from_utf8_lossy(k).to_lowercase()
}

/// A Go string for messages.
pub(crate) fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
