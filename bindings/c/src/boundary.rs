//! Status codes, the thread-local last error, and the panic boundary every export runs in.
//!
//! The last error is the whole `authgate::Error`, so C sees the same code string, message and
//! structured fields (denial, OS error, Milvus code) as every other language. The mapping from
//! `authgate::ErrorKind` to `ag_status` is [`status_of`], the only one in this crate.

use std::cell::RefCell;
use std::ffi::CString;
use std::os::raw::c_char;
use std::sync::OnceLock;

use authgate::{Error, ErrorKind};

/// Result of every fallible libauthgate function. Values are stable and never reused; each
/// error kind of authgate (the code string of ag_last_error_code) has its own value.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ag_status {
    /// Success; out parameters were written.
    AG_OK = 0,
    /// An error with Redis' `ERR ...` text (bad rule, unknown category, wrong arity, ...).
    /// Code `ERR`.
    AG_ERR = 1,
    /// A permission denial (`NOPERM ...`); ag_last_error_denial says what was refused.
    /// Code `NOPERM`.
    AG_NOPERM = 2,
    /// A required pointer argument was NULL (or NULL with a non-zero length). Code
    /// `INVALID_ARGUMENT`, as every other language reports a missing argument.
    AG_NULL_PARAMETER = 3,
    /// An argument is out of range or malformed (a host that is not UTF-8, an unknown
    /// `acl-pubsub-default` value, a server started twice, ...). Code `INVALID_ARGUMENT`.
    AG_INVALID_PARAMETER = 4,
    /// The named user does not exist. Code `NOT_FOUND`.
    AG_NOT_FOUND = 5,
    /// An operating-system error (file access, binding a socket); see ag_last_error_os_error.
    /// Code `IO`.
    AG_IO = 6,
    /// Wrong user name or password (Redis' `WRONGPASS`). Code `WRONGPASS`.
    AG_WRONGPASS = 7,
    /// Authentication is required first (Redis' `NOAUTH`). Code `NOAUTH`.
    AG_NOAUTH = 8,
    /// A configuration (aclfile, redis.conf) is invalid; the message is Redis' text. Code
    /// `CONFIG`.
    AG_CONFIG = 9,
    /// A login was refused by a non-Redis scheme (NATS' Authorization Violation). Code `AUTH`.
    AG_AUTH = 10,
    /// A certificate could not be parsed, verified or mapped to a user. Code `CERTIFICATE`.
    AG_CERTIFICATE = 11,
    /// A credential-store operation failed; see ag_last_error_milvus_code. Code `CREDENTIAL`.
    AG_CREDENTIAL = 12,
    /// A Rust panic was caught at the boundary (a bug in authgate). Code `PANIC`.
    AG_PANIC = 99,
}

/// The status C sees for an error of `kind`: the one `ErrorKind` mapping of the C binding.
pub(crate) fn status_of(kind: ErrorKind) -> ag_status {
    match kind {
        ErrorKind::NoPerm => ag_status::AG_NOPERM,
        ErrorKind::WrongPass => ag_status::AG_WRONGPASS,
        ErrorKind::NoAuth => ag_status::AG_NOAUTH,
        ErrorKind::Err => ag_status::AG_ERR,
        ErrorKind::NotFound => ag_status::AG_NOT_FOUND,
        ErrorKind::Io => ag_status::AG_IO,
        ErrorKind::InvalidArgument => ag_status::AG_INVALID_PARAMETER,
        ErrorKind::Panic => ag_status::AG_PANIC,
        ErrorKind::Config => ag_status::AG_CONFIG,
        ErrorKind::Auth => ag_status::AG_AUTH,
        ErrorKind::Certificate => ag_status::AG_CERTIFICATE,
        ErrorKind::Credential => ag_status::AG_CREDENTIAL,
        // A kind added to core after this binding was built is still an error, with its code
        // string intact in ag_last_error_code.
        _ => ag_status::AG_ERR,
    }
}

/// An error on its way to C: the status to return and the error kept as the last error.
pub(crate) struct FfiError {
    status: ag_status,
    error: Error,
}

impl FfiError {
    /// A NULL pointer where one is required: `AG_NULL_PARAMETER`, code `INVALID_ARGUMENT`.
    pub(crate) fn null(what: &str) -> FfiError {
        FfiError {
            status: ag_status::AG_NULL_PARAMETER,
            error: Error::invalid_argument(format!("{what} must not be NULL")),
        }
    }

    /// A malformed argument the binding itself detects (`AG_INVALID_PARAMETER`).
    pub(crate) fn invalid(text: impl Into<Vec<u8>>) -> FfiError {
        Error::invalid_argument(text).into()
    }
}

impl From<Error> for FfiError {
    fn from(error: Error) -> FfiError {
        FfiError { status: status_of(error.kind()), error }
    }
}

impl From<authgate::acl::AclError> for FfiError {
    fn from(e: authgate::acl::AclError) -> FfiError {
        Error::from(e).into()
    }
}

impl From<authgate::acl_store::StoreError> for FfiError {
    fn from(e: authgate::acl_store::StoreError) -> FfiError {
        Error::from(e).into()
    }
}

impl From<authgate::nats::NatsError> for FfiError {
    fn from(e: authgate::nats::NatsError) -> FfiError {
        Error::from(e).into()
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Records `e` as the calling thread's last error and returns its status.
pub(crate) fn fail(e: FfiError) -> ag_status {
    // try_with: a call during thread teardown must not panic over a destroyed thread-local.
    let _ = LAST_ERROR.try_with(|l| *l.borrow_mut() = Some(e.error));
    e.status
}

/// Records a caught panic (code `PANIC`, core's message) and returns `AG_PANIC`.
pub(crate) fn fail_panic(payload: &(dyn std::any::Any + Send)) -> ag_status {
    fail(Error::from_panic(payload).into())
}

/// Runs `f` with the calling thread's last error, if any. (Only these accessors borrow the
/// cell, never re-entrantly; callers run inside `ffi_boundary!` in any case.)
fn with_last<R>(f: impl FnOnce(Option<&Error>) -> R) -> R {
    LAST_ERROR.with(|l| f(l.borrow().as_ref()))
}

/// Runs an export body behind `catch_unwind`, so no panic ever unwinds into C.
///
/// `ffi_boundary!({ ... })`: the body returns `Result<(), FfiError>`; an error is recorded as
/// the thread's last error and its status returned, a panic becomes `AG_PANIC`.
///
/// `ffi_boundary!(or DEFAULT, { ... })`: the body returns a plain value (accessors, `_free`);
/// a panic is recorded and `DEFAULT` returned.
macro_rules! ffi_boundary {
    ($body:block) => {{
        let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::boundary::FfiError> { $body },
        ));
        match outcome {
            Ok(Ok(())) => $crate::boundary::ag_status::AG_OK,
            Ok(Err(e)) => $crate::boundary::fail(e),
            Err(payload) => $crate::boundary::fail_panic(payload.as_ref()),
        }
    }};
    (or $default:expr, $body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(payload) => {
                $crate::boundary::fail_panic(payload.as_ref());
                $default
            }
        }
    }};
}

/// Copies the calling thread's last error message into `buf` (at most `len - 1` bytes, then a
/// NUL) and returns the message's full length, so `ag_last_error_message(NULL, 0)` sizes the
/// buffer (allocate the result + 1). The message is Redis' exact error text where Redis has
/// one, code included (`NOPERM this user has no permissions to run the 'del' command`), and
/// may contain NUL bytes (a user name or key from the call): the returned length counts them.
/// 0 and an empty string when no call on this thread has failed yet. Successful calls leave
/// the last error as it was. Never fails.
///
/// # Safety
/// `buf` must be NULL or point to `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_last_error_message(buf: *mut c_char, len: usize) -> usize {
    ffi_boundary!(or 0, {
        with_last(|e| {
            let msg = e.map(Error::message_bytes).unwrap_or_default();
            if !buf.is_null() && len > 0 {
                let n = msg.len().min(len - 1);
                // SAFETY: the caller guarantees `buf` has `len` writable bytes; n < len.
                unsafe {
                    std::ptr::copy_nonoverlapping(msg.as_ptr() as *const c_char, buf, n);
                    *buf.add(n) = 0;
                }
            }
            msg.len()
        })
    })
}

/// The code strings as static C strings, built once from core's `ErrorKind::ALL`.
fn code_cstr(kind: ErrorKind) -> *const c_char {
    static CODES: OnceLock<Vec<(ErrorKind, CString)>> = OnceLock::new();
    let codes = CODES.get_or_init(|| {
        ErrorKind::ALL
            .iter()
            .map(|k| (*k, CString::new(k.code()).expect("codes have no NUL")))
            .collect()
    });
    match codes.iter().find(|(k, _)| *k == kind) {
        Some((_, c)) => c.as_ptr(),
        None => EMPTY.as_ptr(),
    }
}

/// What ag_last_error_code returns before any failure.
const EMPTY: &std::ffi::CStr = c"";

/// The stable code string of the calling thread's last error: `NOPERM`, `WRONGPASS`,
/// `NOAUTH`, `ERR`, `NOT_FOUND`, `IO`, `INVALID_ARGUMENT` (also for AG_NULL_PARAMETER),
/// `PANIC`, `CONFIG`, `AUTH`, `CERTIFICATE` or `CREDENTIAL`: the same string every other
/// language shows as the error's code. The pointer is static and NUL-terminated: never free
/// it. An empty string when no call on this thread has failed yet. Never fails.
#[no_mangle]
pub extern "C" fn ag_last_error_code() -> *const c_char {
    ffi_boundary!(or EMPTY.as_ptr(), {
        with_last(|e| match e {
            Some(e) => code_cstr(e.kind()),
            None => EMPTY.as_ptr(),
        })
    })
}

/// For a credential error (AG_CREDENTIAL): writes Milvus' numeric error code to `*out`.
/// Returns AG_NOT_FOUND (leaving `*out` alone) when the last error has no such code,
/// AG_NULL_PARAMETER for a NULL `out`. Like every `ag_last_error_*` function it never
/// changes the last error.
///
/// # Safety
/// `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_last_error_milvus_code(out: *mut i64) -> ag_status {
    // SAFETY: forwarded contract.
    unsafe { last_field(out, Error::milvus_code) }
}

/// For an I/O error (AG_IO): writes the operating system's error number (`errno`) to `*out`.
/// Returns AG_NOT_FOUND (leaving `*out` alone) when the last error has none. Never changes
/// the last error.
///
/// # Safety
/// `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_last_error_os_error(out: *mut i32) -> ag_status {
    // SAFETY: forwarded contract.
    unsafe { last_field(out, Error::os_error) }
}

/// The last error's detail, meant for logs rather than for the reply (why an aclfile could not
/// be written, where the message is Redis' fixed text and Redis writes the reason to its log):
/// copied into `buf` like ag_last_error_message (at most `len - 1` bytes, then a NUL), its full
/// length written to `*out_len`, so `(NULL, 0, &n)` sizes the buffer. Returns AG_NOT_FOUND
/// (writing nothing) when the last error has no detail. Never changes the last error.
///
/// # Safety
/// `buf` must be NULL or point to `len` writable bytes; `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_last_error_detail(buf: *mut c_char, len: usize, out_len: *mut usize) -> ag_status {
    ffi_boundary!(or ag_status::AG_PANIC, {
        if out_len.is_null() {
            return ag_status::AG_NULL_PARAMETER;
        }
        with_last(|e| match e.and_then(Error::detail) {
            Some(detail) => {
                if !buf.is_null() && len > 0 {
                    let n = detail.len().min(len - 1);
                    // SAFETY: the caller guarantees `buf` has `len` writable bytes; n < len.
                    unsafe {
                        std::ptr::copy_nonoverlapping(detail.as_ptr() as *const c_char, buf, n);
                        *buf.add(n) = 0;
                    }
                }
                // SAFETY: non-NULL and writable per the caller's contract.
                unsafe { out_len.write(detail.len()) };
                ag_status::AG_OK
            }
            None => ag_status::AG_NOT_FOUND,
        })
    })
}

/// Writes `field(last error)` to `out`, without recording anything.
///
/// # Safety
/// `out` must be NULL or writable.
unsafe fn last_field<T>(out: *mut T, field: fn(&Error) -> Option<T>) -> ag_status {
    ffi_boundary!(or ag_status::AG_PANIC, {
        if out.is_null() {
            return ag_status::AG_NULL_PARAMETER;
        }
        match with_last(|e| e.and_then(field)) {
            Some(v) => {
                // SAFETY: non-NULL and writable per the caller's contract.
                unsafe { out.write(v) };
                ag_status::AG_OK
            }
            None => ag_status::AG_NOT_FOUND,
        }
    })
}

/// For a permission denial (AG_NOPERM): what was refused, as ACL LOG reports it.
/// `*kind`/`*kind_len` get `command`, `key` or `channel` (static, not NUL-terminated);
/// `*object`/`*object_len` get the object: the command's full name (`get`, `client|kill`) for
/// a command denial, else the key or channel, byte for byte (not NUL-terminated). The object
/// stays valid until the next failing libauthgate call on this thread. Returns AG_NOT_FOUND
/// (writing nothing) when the last error is not a denial, AG_NULL_PARAMETER if an out pointer
/// is NULL. Never changes the last error.
///
/// # Safety
/// All four pointers must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_last_error_denial(
    kind: *mut *const c_char,
    kind_len: *mut usize,
    object: *mut *const c_char,
    object_len: *mut usize,
) -> ag_status {
    ffi_boundary!(or ag_status::AG_PANIC, {
        if kind.is_null() || kind_len.is_null() || object.is_null() || object_len.is_null() {
            return ag_status::AG_NULL_PARAMETER;
        }
        with_last(|e| match e.and_then(Error::denial) {
            Some(d) => {
                let k = d.kind.as_str();
                // SAFETY: all four checked non-NULL and writable per the contract. The object
                // lives in the thread-local error, which only a later failure replaces.
                unsafe {
                    kind.write(k.as_ptr() as *const c_char);
                    kind_len.write(k.len());
                    object.write(d.object.as_ptr() as *const c_char);
                    object_len.write(d.object.len());
                }
                ag_status::AG_OK
            }
            None => ag_status::AG_NOT_FOUND,
        })
    })
}

/// Panics on purpose inside the boundary, so tests can check that a panic becomes AG_PANIC
/// with code `PANIC` and a message instead of crossing into C.
#[no_mangle]
pub extern "C" fn ag_debug_panic() -> ag_status {
    ffi_boundary!({
        let v: Vec<u8> = Vec::new();
        if v.is_empty() {
            panic!("deliberate panic from ag_debug_panic");
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    /// Every kind core knows has its own status (none falls to the fallback arm), and the
    /// last error reports its code string.
    #[test]
    fn every_error_kind_has_its_own_status_and_code() {
        let mut seen = Vec::new();
        for &kind in ErrorKind::ALL {
            let status = fail(Error::new(kind, "x").into());
            assert_ne!(status, ag_status::AG_OK);
            assert!(kind == ErrorKind::Err || status != ag_status::AG_ERR, "{kind} uses the fallback");
            assert!(!seen.contains(&status), "{kind} shares {status:?}");
            seen.push(status);
            // SAFETY: ag_last_error_code returns a static NUL-terminated string.
            let code = unsafe { CStr::from_ptr(ag_last_error_code()) };
            assert_eq!(code.to_str().unwrap(), kind.code());
        }
    }

    #[test]
    fn panics_become_code_panic() {
        assert_eq!(ag_debug_panic(), ag_status::AG_PANIC);
        // SAFETY: as above.
        let code = unsafe { CStr::from_ptr(ag_last_error_code()) };
        assert_eq!(code.to_str().unwrap(), "PANIC");
    }
}
