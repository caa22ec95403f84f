//! `ag_denial`: what ag_acl_denial reports for a refused command line. Opaque, read through
//! accessors that lend pointer + length (binary-safe, not NUL-terminated) until
//! ag_denial_free.

use std::os::raw::c_char;

use authgate::Denied;

use crate::boundary::ag_status;
use crate::ffi::free_handle;
use crate::records::lend_field;

/// A permission denial as a value: the reason (`command`, `key` or `channel`), the command's
/// full name, the refused object, and Redis' NOPERM text. Made by ag_acl_denial, owned by the
/// caller, released with ag_denial_free.
pub struct ag_denial {
    denied: Denied,
    message: String,
}

pub(crate) fn denial(denied: Denied) -> ag_denial {
    let message = denied.message();
    ag_denial { denied, message }
}

/// What was denied, as ACL LOG's `reason`: `command`, `key` or `channel` (static).
///
/// # Safety
/// `denial` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_denial_reason(
    denial: *const ag_denial,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(denial, "denial", out, out_len, |d| d.denied.kind.as_str().as_bytes()) }
}

/// The checked command's full name, lower case (`get`, `client|kill`), lent until
/// ag_denial_free.
///
/// # Safety
/// `denial` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_denial_command(
    denial: *const ag_denial,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(denial, "denial", out, out_len, |d| d.denied.command.as_bytes()) }
}

/// What was refused, as ACL LOG's `object`: the command's full name for a command denial,
/// else the key or channel byte for byte; lent until ag_denial_free.
///
/// # Safety
/// `denial` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_denial_object(
    denial: *const ag_denial,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(denial, "denial", out, out_len, |d| &d.denied.object) }
}

/// Redis' error reply for the denial, code included (`NOPERM this user has no permissions to
/// run the 'del' command`): what ag_acl_check reports through ag_last_error_message. Lent until
/// ag_denial_free.
///
/// # Safety
/// `denial` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_denial_message(
    denial: *const ag_denial,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(denial, "denial", out, out_len, |d| d.message.as_bytes()) }
}

/// Releases a denial (NULL is ignored).
///
/// # Safety
/// `denial` NULL or a record from ag_acl_denial that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_denial_free(denial: *mut ag_denial) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(denial) }
}
