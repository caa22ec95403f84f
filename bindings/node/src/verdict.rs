//! The values `Acl.allowed` and `Acl.denial` return, and the cheap `NOPERM` error of
//! `Acl.check`.
//!
//! Creating any JS `Error` makes V8 capture a stack trace, which costs many times the
//! permission check itself. The non-throwing forms create no `Error` at all: a boolean, or a
//! plain object (`{ reason, command, object, message }`) built by a small JS constructor. For the throwing form a denial is an expected answer, not a bug,
//! so its `Error` is created with `Error.stackTraceLimit` set to 0 for that one creation (it
//! has no stack frames; every other error keeps its stack). Node-API offers no other way to
//! create an `Error` without capturing a stack.

use std::cell::Cell;
use std::ffi::CStr;
use std::ptr;

use authgate::Denied;
use napi::{sys, Error, Status};

fn ok(st: sys::napi_status, what: &str) -> Result<(), Error> {
    if st == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(st), format!("{what} failed")))
    }
}

fn string(env: sys::napi_env, b: &[u8]) -> Result<sys::napi_value, Error> {
    let s = String::from_utf8_lossy(b);
    let mut v = ptr::null_mut();
    // SAFETY: `s` is valid UTF-8 of the given length; napi copies it.
    let st = unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v) };
    ok(st, "napi_create_string_utf8")?;
    Ok(v)
}

/// A JS boolean.
pub(crate) fn boolean(env: sys::napi_env, value: bool) -> Result<sys::napi_value, Error> {
    let mut v = ptr::null_mut();
    // SAFETY: plain value lookup in the current scope.
    ok(unsafe { sys::napi_get_boolean(env, value, &mut v) }, "napi_get_boolean")?;
    Ok(v)
}

/// JS `null`.
pub(crate) fn null(env: sys::napi_env) -> Result<sys::napi_value, Error> {
    let mut v = ptr::null_mut();
    // SAFETY: plain value lookup in the current scope.
    ok(unsafe { sys::napi_get_null(env, &mut v) }, "napi_get_null")?;
    Ok(v)
}

/// The constructor of denial objects: it stores the four fields in a fixed order, so every
/// denial shares one hidden class and V8 builds it with its fast property stores (defining
/// four properties through Node-API on a fresh object cost several times the check). Its
/// `prototype` is `Object.prototype`, so a denial is a plain object, like the literal
/// `{ reason, command, object, message }`.
const DENIAL_CLASS: &CStr = c"(() => { function Denial(reason, command, object, message) { \
    this.reason = reason; this.command = command; this.object = object; this.message = message } \
    Denial.prototype = Object.prototype; return Denial })()";

thread_local! {
    /// The denial constructor of this thread's Node-API environment (a worker thread has its
    /// own environment), made by [`install`]; the reference lives as long as the environment.
    static DENIAL_CTOR: Cell<(sys::napi_env, sys::napi_ref)> =
        const { Cell::new((ptr::null_mut(), ptr::null_mut())) };
}

/// Creates this environment's denial constructor (once per module load).
pub(crate) fn install(env: sys::napi_env) -> Result<(), Error> {
    let source = string(env, DENIAL_CLASS.to_bytes())?;
    let mut ctor = ptr::null_mut();
    let mut reference = ptr::null_mut();
    // SAFETY: `source` is a string of the current scope; the script only defines a function.
    // The reference keeps the function alive for the environment's lifetime.
    unsafe {
        ok(sys::napi_run_script(env, source, &mut ctor), "napi_run_script")?;
        ok(sys::napi_create_reference(env, ctor, 1, &mut reference), "napi_create_reference")?;
    }
    DENIAL_CTOR.with(|c| c.set((env, reference)));
    Ok(())
}

/// `{ reason, command, object, message }` for a denial: the fields of a `NOPERM` error, and
/// its message, as a plain object.
pub(crate) fn denial(env: sys::napi_env, d: &Denied) -> Result<sys::napi_value, Error> {
    let args = [
        string(env, d.kind.as_str().as_bytes())?,
        string(env, d.command.as_bytes())?,
        string(env, &d.object)?,
        string(env, d.message().as_bytes())?,
    ];
    let (installed_for, reference) = DENIAL_CTOR.with(Cell::get);
    if installed_for != env {
        return Err(Error::new(Status::GenericFailure, "denial class not installed in this environment"));
    }
    let mut ctor = ptr::null_mut();
    let mut obj = ptr::null_mut();
    // SAFETY: `reference` was made in this environment by `install`; the arguments are values
    // of the current scope.
    unsafe {
        ok(sys::napi_get_reference_value(env, reference, &mut ctor), "napi_get_reference_value")?;
        ok(sys::napi_new_instance(env, ctor, args.len(), args.as_ptr(), &mut obj), "napi_new_instance")?;
    }
    Ok(obj)
}

/// Runs `create` (which creates an `Error`) with the global `Error.stackTraceLimit` at 0, and
/// puts the previous value back (whatever `create` returned). If the limit cannot be read or
/// set, `create` simply runs with the stack trace.
pub(crate) fn without_stack<T>(env: sys::napi_env, create: impl FnOnce() -> T) -> T {
    let mut global = ptr::null_mut();
    let mut error_ctor = ptr::null_mut();
    let mut previous = ptr::null_mut();
    let mut zero = ptr::null_mut();
    // SAFETY: lookups and one property write in the current scope; every status is checked
    // before a value is used.
    let saved = unsafe {
        sys::napi_get_global(env, &mut global) == sys::Status::napi_ok
            && sys::napi_get_named_property(env, global, c"Error".as_ptr(), &mut error_ctor)
                == sys::Status::napi_ok
            && sys::napi_get_named_property(env, error_ctor, c"stackTraceLimit".as_ptr(), &mut previous)
                == sys::Status::napi_ok
            && sys::napi_create_int32(env, 0, &mut zero) == sys::Status::napi_ok
            && sys::napi_set_named_property(env, error_ctor, c"stackTraceLimit".as_ptr(), zero)
                == sys::Status::napi_ok
    };
    let made = create();
    if saved {
        // SAFETY: as above; `previous` is the value read before.
        unsafe { sys::napi_set_named_property(env, error_ctor, c"stackTraceLimit".as_ptr(), previous) };
    }
    made
}
