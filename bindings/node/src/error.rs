//! JS errors. Every error authgate reports is an `Error` built by [`error_value`], the one place
//! that maps core's [`authgate::ErrorKind`]: `code` is the kind's stable string (`NOPERM`,
//! `WRONGPASS`, ..., `PANIC`), `message` core's text (Redis' full error reply where Redis has
//! one), plus the structured fields of the kind. A panic becomes core's `PANIC` error through
//! the same function ([`panic_error`]).
//!
//! The only other errors are JS type errors for arguments of the wrong JS type (`TypeError`
//! with Node's own codes `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_THIS`), the counterpart of the
//! `TypeError` Python raises for such arguments.

use std::any::Any;
use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use authgate::ErrorKind;
use napi::bindgen_prelude::{JsError, Unknown};
use napi::{sys, Env, Error, Result, Status};
use napi_derive::napi;

/// The stable `code` of every error the package throws or rejects with (`err.code`): core's
/// codes (the same strings in every language), then Node's own two codes for arguments of the
/// wrong JS type.
#[napi(string_enum)]
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
pub enum ErrorCode {
    /// A permission denial; the error also has `reason`, `object` and `command`.
    NOPERM,
    /// Wrong user name or password (what the server answers a failed AUTH).
    WRONGPASS,
    /// Authentication is required first (what the server answers before AUTH).
    NOAUTH,
    /// Any other Redis `ERR ...` error: a bad rule, an unknown category or command, ...
    ERR,
    /// The named user does not exist (`check` of an unknown user; the text is Redis' `ERR`).
    NOT_FOUND,
    /// An operating-system error (a file, a port in use); `errno` when the OS gave one.
    IO,
    /// An argument with an unusable value (a port above 65535, a server started twice, ...).
    INVALID_ARGUMENT,
    /// A bug: a panic inside authgate, caught at the boundary (Node keeps running).
    PANIC,
    /// An invalid configuration: an aclfile (Redis' ACL LOAD text), a config file, a setting.
    CONFIG,
    /// A login refused by a non-Redis scheme (NATS).
    AUTH,
    /// A certificate could not be parsed, verified or mapped to a user.
    CERTIFICATE,
    /// A credential-store error; the error also has `milvusCode`.
    CREDENTIAL,
    /// An argument of the wrong JS type (a `TypeError`, Node's own code).
    ERR_INVALID_ARG_TYPE,
    /// A method called on an object that is not of its class (a `TypeError`, Node's own code).
    ERR_INVALID_THIS,
}

fn check(st: sys::napi_status) -> std::result::Result<(), Status> {
    if st == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Status::from(st))
    }
}

fn js_string(env: sys::napi_env, s: &str) -> std::result::Result<sys::napi_value, Status> {
    let mut out = ptr::null_mut();
    // SAFETY: `env` is the current callback's environment and `s` is valid UTF-8 of the given
    // length; napi copies it.
    check(unsafe {
        sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out)
    })?;
    Ok(out)
}

fn js_number(env: sys::napi_env, n: f64) -> std::result::Result<sys::napi_value, Status> {
    let mut out = ptr::null_mut();
    // SAFETY: plain value creation in the current scope.
    check(unsafe { sys::napi_create_double(env, n, &mut out) })?;
    Ok(out)
}

fn set(
    env: sys::napi_env,
    obj: sys::napi_value,
    name: &CStr,
    v: sys::napi_value,
) -> std::result::Result<(), Status> {
    // SAFETY: `obj` and `v` are values of `env`, `name` is NUL-terminated.
    check(unsafe { sys::napi_set_named_property(env, obj, name.as_ptr(), v) })
}

/// A JS `Error` (or `TypeError`) with `code` and `message`, not thrown.
fn new_error(
    env: sys::napi_env,
    type_error: bool,
    code: &str,
    message: &str,
) -> std::result::Result<sys::napi_value, Status> {
    let code_v = js_string(env, code)?;
    let msg_v = js_string(env, message)?;
    let mut err = ptr::null_mut();
    // SAFETY: both values were just created in `env`; `err` receives the new object.
    check(unsafe {
        if type_error {
            sys::napi_create_type_error(env, code_v, msg_v, &mut err)
        } else {
            sys::napi_create_error(env, code_v, msg_v, &mut err)
        }
    })?;
    Ok(err)
}

/// The JS error object for a core error (not thrown): the one mapping of [`ErrorKind`].
pub(crate) fn error_value(
    env: sys::napi_env,
    e: &authgate::Error,
) -> std::result::Result<sys::napi_value, Status> {
    let err = new_error(env, false, e.code(), &e.message())?;
    // `code` covers every kind; the arms add the fields that only some kinds carry.
    match e.kind() {
        ErrorKind::NoPerm => {
            if let Some(d) = e.denial() {
                set(env, err, c"reason", js_string(env, d.kind.as_str())?)?;
                set(
                    env,
                    err,
                    c"object",
                    js_string(env, &String::from_utf8_lossy(&d.object))?,
                )?;
                set(env, err, c"command", js_string(env, &d.command)?)?;
            }
        }
        ErrorKind::Credential => {
            if let Some(code) = e.milvus_code() {
                set(env, err, c"milvusCode", js_number(env, code as f64)?)?;
            }
        }
        ErrorKind::Io => {
            if let Some(errno) = e.os_error() {
                set(env, err, c"errno", js_number(env, f64::from(errno))?)?;
            }
        }
        _ => {}
    }
    if let Some(detail) = e.detail() {
        set(env, err, c"detail", js_string(env, detail)?)?;
    }
    Ok(err)
}

/// Turns a freshly built JS error object into a `napi::Error` that rethrows that very object.
fn wrap(
    env: sys::napi_env,
    built: std::result::Result<sys::napi_value, Status>,
    fallback: String,
) -> Error {
    match built {
        // SAFETY: `value` is a live value of `env` (the current callback scope).
        Ok(value) => Error::from(unsafe { Unknown::from_raw_unchecked(env, value) }),
        Err(status) => Error::new(status, fallback),
    }
}

/// A core error as a `napi::Error`, ready to return from a napi function or task.
pub(crate) fn js_error(env: sys::napi_env, e: &authgate::Error) -> Error {
    wrap(env, error_value(env, e), e.message())
}

/// Core's `PANIC` error for a caught panic.
pub(crate) fn panic_error(payload: &(dyn Any + Send)) -> authgate::Error {
    authgate::Error::from_panic(payload)
}

/// `TypeError` with code `ERR_INVALID_ARG_TYPE` (or another of Node's type-error codes).
pub(crate) fn type_error(env: sys::napi_env, code: &str, message: &str) -> Error {
    wrap(
        env,
        new_error(env, true, code, message),
        message.to_string(),
    )
}

/// `TypeError` with code `ERR_INVALID_ARG_TYPE`.
pub(crate) fn invalid_arg_type(env: sys::napi_env, message: &str) -> Error {
    type_error(env, "ERR_INVALID_ARG_TYPE", message)
}

/// Core's `INVALID_ARGUMENT` error as a JS error.
pub(crate) fn invalid_argument(env: sys::napi_env, message: String) -> Error {
    js_error(env, &authgate::Error::invalid_argument(message))
}

/// Converts a core result (any module error) into a napi result, mapping the error.
pub(crate) trait OrThrow<T> {
    /// `Err(e)` becomes the JS error for `e.into()`.
    fn or_throw(self, env: &Env) -> Result<T>;
}

impl<T, E: Into<authgate::Error>> OrThrow<T> for std::result::Result<T, E> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| js_error(env.raw(), &e.into()))
    }
}

/// The panic boundary of every generated export: runs `f`, and turns a panic into core's
/// `PANIC` error (napi-rs' own `catch_unwind` would make it a `GenericFailure`).
pub(crate) fn guard<T>(env: &Env, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(js_error(env.raw(), &panic_error(p.as_ref()))))
}

/// Throws `e` into `env` (used by the raw callbacks, which return a napi_value directly).
///
/// # Safety
/// `env` must be the environment of the current callback.
pub(crate) unsafe fn throw(env: sys::napi_env, e: Error) {
    // SAFETY: guaranteed by the caller.
    unsafe { JsError::from(e).throw_into(env) }
}
