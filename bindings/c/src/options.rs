//! `ag_acl_options` (the engine settings Redis keeps in its config) and the `ag_acl_get_*` /
//! `ag_acl_set_*` functions that read and change them on a live engine.

use std::os::raw::c_char;

use authgate::acl::{AclOptions, PubsubDefault};

use crate::acl::{acl_ref, ag_acl};
use crate::boundary::{ag_status, FfiError};
use crate::bytes::{borrow, lend};
use crate::ffi::{free_handle, into_handle, try_mut, try_ref, Out};

/// Engine settings: `acl-pubsub-default` and `acllog-max-len`. A new one holds core's defaults
/// (Redis 7.0's). Owned by the caller (ag_acl_options_free); not shared between threads
/// while it is being changed.
pub struct ag_acl_options {
    pub(crate) inner: AclOptions,
}

/// The options behind `options`, or core's defaults for NULL.
///
/// # Safety
/// `options` must be NULL or a live `ag_acl_options`.
pub(crate) unsafe fn options_or_default(options: *const ag_acl_options) -> AclOptions {
    // SAFETY: NULL or live per the contract.
    unsafe { options.as_ref() }.map_or_else(AclOptions::default, |o| o.inner)
}

/// Parses an `acl-pubsub-default` value (`allchannels` / `resetchannels`, any case, as Redis'
/// config parser); AG_INVALID_PARAMETER with Redis' text otherwise.
///
/// # Safety
/// `value` readable for `value_len` bytes.
unsafe fn pubsub_value(value: *const c_char, value_len: usize) -> Result<PubsubDefault, FfiError> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { borrow(value, value_len, "value")? };
    PubsubDefault::from_bytes(bytes).map_err(|e| FfiError::invalid(e.to_string()))
}

/// Creates options holding core's defaults, which are Redis 7.0's `acl-pubsub-default` and
/// `acllog-max-len`. The caller owns `*out` and must release it with ag_acl_options_free.
///
/// # Safety
/// `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_options_new(out: *mut *mut ag_acl_options) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let out = unsafe { Out::new(out, "out")? };
        out.write(into_handle(ag_acl_options { inner: AclOptions::default() }));
        Ok(())
    })
}

/// Releases options. NULL is a no-op.
///
/// # Safety
/// `options` NULL or options from libauthgate that were not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_options_free(options: *mut ag_acl_options) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(options) }
}

/// Sets `acl-pubsub-default` from its config value, `allchannels` or `resetchannels` (any
/// case). AG_INVALID_PARAMETER with Redis' text for anything else (the options are unchanged).
///
/// # Safety
/// `options` live and not used by another thread meanwhile; `value` readable for `value_len`.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_options_set_pubsub_default(
    options: *mut ag_acl_options,
    value: *const c_char,
    value_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (options, value) = unsafe { (try_mut(options, "options")?, pubsub_value(value, value_len)?) };
        options.inner.pubsub_default = value;
        Ok(())
    })
}

/// The `acl-pubsub-default` value (`allchannels` or `resetchannels`): `*out` is static (never
/// freed), not NUL-terminated, `*out_len` bytes long.
///
/// # Safety
/// `options` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_options_get_pubsub_default(
    options: *const ag_acl_options,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (options, out, out_len) =
            unsafe { (try_ref(options, "options")?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, options.inner.pubsub_default.as_str().as_bytes());
        Ok(())
    })
}

/// Sets `acllog-max-len`: how many entries the ACL LOG keeps.
///
/// # Safety
/// `options` live and not used by another thread meanwhile.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_options_set_log_max_len(options: *mut ag_acl_options, max_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        unsafe { try_mut(options, "options")? }.inner.log_max_len = max_len;
        Ok(())
    })
}

/// Writes `acllog-max-len` to `*out`.
///
/// # Safety
/// `options` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_options_get_log_max_len(options: *const ag_acl_options, out: *mut usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (options, out) = unsafe { (try_ref(options, "options")?, Out::new(out, "out")?) };
        out.write(options.inner.log_max_len);
        Ok(())
    })
}

/// The engine's current options, as a new `ag_acl_options` the caller owns (release it with
/// ag_acl_options_free); changing it does not change the engine (see ag_acl_set_options).
///
/// # Safety
/// `acl` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_get_options(acl: *const ag_acl, out: *mut *mut ag_acl_options) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, out) = unsafe { (acl_ref(acl)?, Out::new(out, "out")?) };
        out.write(into_handle(ag_acl_options { inner: acl.options() }));
        Ok(())
    })
}

/// Applies both options to the engine at once, as the two `CONFIG SET`s would
/// (ag_acl_set_pubsub_default, ag_acl_set_log_max_len). `options` stays owned by the caller.
///
/// # Safety
/// `acl` live; `options` live.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_set_options(acl: *const ag_acl, options: *const ag_acl_options) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, options) = unsafe { (acl_ref(acl)?, try_ref(options, "options")?) };
        acl.set_options(options.inner);
        Ok(())
    })
}

/// The engine's `acl-pubsub-default` (`allchannels` or `resetchannels`): `*out` is static,
/// not NUL-terminated, `*out_len` bytes long.
///
/// # Safety
/// `acl` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_get_pubsub_default(
    acl: *const ag_acl,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, out, out_len) = unsafe { (acl_ref(acl)?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, acl.pubsub_default().as_str().as_bytes());
        Ok(())
    })
}

/// `CONFIG SET acl-pubsub-default value` (`allchannels` or `resetchannels`, any case): affects
/// users and selectors created (or `reset`) afterwards, as in Redis. AG_INVALID_PARAMETER with
/// Redis' text for another value (nothing changes).
///
/// # Safety
/// `acl` live; `value` readable for `value_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_set_pubsub_default(
    acl: *const ag_acl,
    value: *const c_char,
    value_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, value) = unsafe { (acl_ref(acl)?, pubsub_value(value, value_len)?) };
        acl.set_pubsub_default(value);
        Ok(())
    })
}

/// Writes the engine's `acllog-max-len` to `*out`.
///
/// # Safety
/// `acl` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_get_log_max_len(acl: *const ag_acl, out: *mut usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, out) = unsafe { (acl_ref(acl)?, Out::new(out, "out")?) };
        out.write(acl.log_max_len());
        Ok(())
    })
}

/// `CONFIG SET acllog-max-len`: the ACL LOG keeps at most `max_len` entries (trimmed at once).
///
/// # Safety
/// `acl` live.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_set_log_max_len(acl: *const ag_acl, max_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        unsafe { acl_ref(acl)? }.set_log_max_len(max_len);
        Ok(())
    })
}

/// `CONFIG SET requirepass`: `resetpass` then `>password` on the `default` user; an empty
/// password gives `nopass` (Redis' compatibility layer). Existing connections stay
/// authenticated. Through the store for an engine from ag_acl_from_store (AG_IO when etcd is
/// unreachable: nothing changed).
///
/// # Safety
/// `acl` live; `password` readable for `password_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_set_requirepass(
    acl: *const ag_acl,
    password: *const c_char,
    password_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, password) = unsafe { (crate::acl::engine_ref(acl)?, borrow(password, password_len, "password")?) };
        acl.set_requirepass(password)?;
        Ok(())
    })
}
