//! JS errors: every error the package throws is an `Error` (or `TypeError` / `RangeError` for
//! bad arguments) with a stable `code` property and, for engine errors, Redis' full text as
//! its `message`. Permission denials also carry `reason`, `object` and `command`.

use std::ffi::CStr;
use std::ptr;

use authgate::acl::{AclError, DenialKind};
use napi::bindgen_prelude::{JsError, Unknown};
use napi::{sys, Env, Error, Status};
use napi_derive::napi;

/// The stable `code` of every error the package throws (`err.code`).
#[napi(string_enum)]
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
pub enum ErrorCode {
    /// A permission denial: the user may not run the command or touch a key or channel.
    NOPERM,
    /// Any other engine error (bad rule, unknown user, unknown command, bad aclfile, ...).
    ERR,
    /// Wrong user name or password (reported by the server to its clients).
    WRONGPASS,
    /// A connection that has not authenticated (reported by the server to its clients).
    NOAUTH,
    /// `Server.start()`: the server settings are invalid (e.g. a bad host).
    INVALID_CONFIG,
    /// `Server.start()`: the aclfile could not be loaded (Redis' startup message).
    ACL,
    /// `Server.start()`: binding failed (e.g. the port is in use).
    IO,
    /// `Server.start()` while the server is running.
    ERR_SERVER_ALREADY_LISTEN,
    /// `server.port` before the server was ever started.
    ERR_SERVER_NOT_RUNNING,
    /// An argument of the wrong type (Node's own code for this).
    ERR_INVALID_ARG_TYPE,
    /// An argument with the right type but an unusable value.
    ERR_OUT_OF_RANGE,
    /// A method called on an object that is not of its class.
    ERR_INVALID_THIS,
    /// A Rust panic caught at the boundary (napi-rs' code for it).
    GenericFailure,
}

/// Which JS error constructor to use.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Error,
    TypeError,
    RangeError,
}

/// A property value to attach to an error object.
pub(crate) enum Prop<'a> {
    Str(&'a str),
}

fn js_string(env: sys::napi_env, s: &str) -> Result<sys::napi_value, Status> {
    let mut out = ptr::null_mut();
    // SAFETY: `env` is the current callback's environment and `s` is valid UTF-8 of the given
    // length; napi copies it.
    let st =
        unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out) };
    if st == sys::Status::napi_ok {
        Ok(out)
    } else {
        Err(Status::from(st))
    }
}

/// Builds (without throwing) a JS error object with `code`, `message` and extra properties.
pub(crate) fn error_value(
    env: sys::napi_env,
    kind: Kind,
    code: &str,
    message: &str,
    props: &[(&CStr, Prop<'_>)],
) -> Result<sys::napi_value, Status> {
    let code_v = js_string(env, code)?;
    let msg_v = js_string(env, message)?;
    let mut err = ptr::null_mut();
    // SAFETY: both values were just created in `env`; `err` receives the new object.
    let st = unsafe {
        match kind {
            Kind::Error => sys::napi_create_error(env, code_v, msg_v, &mut err),
            Kind::TypeError => sys::napi_create_type_error(env, code_v, msg_v, &mut err),
            Kind::RangeError => sys::napi_create_range_error(env, code_v, msg_v, &mut err),
        }
    };
    if st != sys::Status::napi_ok {
        return Err(Status::from(st));
    }
    for (name, value) in props {
        let v = match value {
            Prop::Str(s) => js_string(env, s)?,
        };
        // SAFETY: `err` is an object of `env`, `name` is NUL-terminated.
        let st = unsafe { sys::napi_set_named_property(env, err, name.as_ptr(), v) };
        if st != sys::Status::napi_ok {
            return Err(Status::from(st));
        }
    }
    Ok(err)
}

/// Turns a freshly built JS error object into a `napi::Error` that rethrows that very object.
fn wrap(env: sys::napi_env, built: Result<sys::napi_value, Status>, fallback: &str) -> Error {
    match built {
        // SAFETY: `value` is a live value of `env` (the current callback scope).
        Ok(value) => Error::from(unsafe { Unknown::from_raw_unchecked(env, value) }),
        Err(status) => Error::new(status, fallback.to_string()),
    }
}

/// An error with a custom code and kind, ready to return from a napi function.
pub(crate) fn coded(env: sys::napi_env, kind: Kind, code: &str, message: &str) -> Error {
    wrap(env, error_value(env, kind, code, message, &[]), message)
}

/// `TypeError` with code `ERR_INVALID_ARG_TYPE`.
pub(crate) fn invalid_arg_type(env: sys::napi_env, message: &str) -> Error {
    coded(env, Kind::TypeError, "ERR_INVALID_ARG_TYPE", message)
}

/// `RangeError` with code `ERR_OUT_OF_RANGE`.
pub(crate) fn out_of_range(env: sys::napi_env, message: &str) -> Error {
    coded(env, Kind::RangeError, "ERR_OUT_OF_RANGE", message)
}

fn reason_name(kind: DenialKind) -> &'static str {
    match kind {
        DenialKind::Command => "command",
        DenialKind::Key => "key",
        DenialKind::Channel => "channel",
    }
}

/// Builds the JS error object for an engine error (not thrown).
pub(crate) fn acl_error_value(env: sys::napi_env, e: &AclError) -> Result<sys::napi_value, Status> {
    let message = e.to_string();
    match e {
        AclError::Denied {
            kind,
            command,
            object,
        } => {
            let object = if *kind == DenialKind::Command {
                command.clone()
            } else {
                String::from_utf8_lossy(object).into_owned()
            };
            let props = [
                (c"reason", Prop::Str(reason_name(*kind))),
                (c"object", Prop::Str(&object)),
                (c"command", Prop::Str(command)),
            ];
            error_value(env, Kind::Error, e.code(), &message, &props)
        }
        _ => error_value(env, Kind::Error, e.code(), &message, &[]),
    }
}

/// An engine error as a `napi::Error` (code `NOPERM` or `ERR`, Redis' message).
pub(crate) fn acl_error(env: sys::napi_env, e: &AclError) -> Error {
    wrap(env, acl_error_value(env, e), &e.to_string())
}

/// Same, from a safe `Env`.
pub(crate) fn acl_error_env(env: &Env, e: &AclError) -> Error {
    acl_error(env.raw(), e)
}

/// Throws `e` into `env` (used by the raw callbacks, which return a napi_value directly).
///
/// # Safety
/// `env` must be the environment of the current callback.
pub(crate) unsafe fn throw(env: sys::napi_env, e: Error) {
    // SAFETY: guaranteed by the caller.
    unsafe { JsError::from(e).throw_into(env) }
}

/// Throws a `GenericFailure` error for a caught panic.
///
/// # Safety
/// `env` must be the environment of the current callback.
pub(crate) unsafe fn throw_panic(env: sys::napi_env, payload: Box<dyn std::any::Any + Send>) {
    // Same error as napi-rs' own `catch_unwind` gives: code `GenericFailure`, the panic text.
    let e = napi::bindgen_prelude::panic_to_error(payload);
    // SAFETY: guaranteed by the caller.
    unsafe { throw(env, e) }
}
