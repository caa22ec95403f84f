//! Status codes, the thread-local last error, and the panic boundary every export runs in.

use std::os::raw::c_char;
use std::cell::RefCell;

/// Result of every fallible libauthgate function. Values are stable and never reused.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ag_status {
    /// Success; out parameters were written.
    AG_OK = 0,
    /// An error with Redis' `ERR ...` text (bad rule, unknown category, bad aclfile, ...).
    AG_ERR = 1,
    /// A permission denial (`NOPERM ...`).
    AG_NOPERM = 2,
    /// A required pointer argument was NULL (or NULL with a non-zero length).
    AG_NULL_PARAMETER = 3,
    /// An argument is out of range or malformed (e.g. a host that is not valid UTF-8).
    AG_INVALID_PARAMETER = 4,
    /// The named user does not exist.
    AG_NOT_FOUND = 5,
    /// An I/O error (file access, binding a socket).
    AG_IO = 6,
    /// A Rust panic was caught at the boundary; the message says where.
    AG_PANIC = 99,
}

/// An error on its way to C: a status and the message kept for ag_last_error_message.
pub(crate) struct FfiError {
    pub(crate) status: ag_status,
    pub(crate) message: Vec<u8>,
}

impl FfiError {
    pub(crate) fn new(status: ag_status, message: impl Into<Vec<u8>>) -> FfiError {
        FfiError { status, message: message.into() }
    }

    pub(crate) fn null(what: &str) -> FfiError {
        FfiError::new(ag_status::AG_NULL_PARAMETER, format!("{what} must not be NULL"))
    }
}

impl From<authgate::acl::AclError> for FfiError {
    fn from(e: authgate::acl::AclError) -> FfiError {
        let status = match e.code() {
            "NOPERM" => ag_status::AG_NOPERM,
            _ => match e {
                authgate::acl::AclError::UserNotFound(_) => ag_status::AG_NOT_FOUND,
                _ => ag_status::AG_ERR,
            },
        };
        FfiError::new(status, e.to_bytes())
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn set_last_error(message: Vec<u8>) {
    LAST_ERROR.with(|l| *l.borrow_mut() = message);
}

pub(crate) fn panic_message(payload: Box<dyn std::any::Any + Send>) -> Vec<u8> {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    };
    format!("panic in libauthgate: {text}").into_bytes()
}

/// Runs an export body (returning `Result<(), FfiError>`) behind `catch_unwind`, records the
/// error message for the calling thread, and turns the outcome into an `ag_status`.
macro_rules! ffi_boundary {
    ($body:block) => {{
        let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::boundary::FfiError> { $body },
        ));
        match outcome {
            Ok(Ok(())) => $crate::boundary::ag_status::AG_OK,
            Ok(Err(e)) => {
                $crate::boundary::set_last_error(e.message);
                e.status
            }
            Err(payload) => {
                $crate::boundary::set_last_error($crate::boundary::panic_message(payload));
                $crate::boundary::ag_status::AG_PANIC
            }
        }
    }};
}

/// Copies the calling thread's last error message into `buf` (at most `len - 1` bytes, then a
/// NUL) and returns the message's full length, so `ag_last_error_message(NULL, 0)` sizes the
/// buffer. The message is not cleared by successful calls. Never fails.
///
/// # Safety
/// `buf` must be NULL or point to `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_last_error_message(buf: *mut c_char, len: usize) -> usize {
    let result = std::panic::catch_unwind(|| {
        LAST_ERROR.with(|l| {
            let msg = l.borrow();
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
    });
    result.unwrap_or(0)
}

/// Panics on purpose inside the boundary, so tests can check that a panic becomes AG_PANIC
/// (with a message) instead of crossing into C.
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
