//! `ag_creds`: core's Milvus 2.3.5 user store (Milvus' rules, codes and texts, bcrypt, the
//! root user) in memory, in a JSON file or in etcd (ag_creds_open with `ag_creds_options`;
//! ag_creds_memory and ag_creds_file are shorthands taking only a bcrypt cost). A refusal is
//! AG_CREDENTIAL with Milvus' text (ag_last_error_message) and numeric code
//! (ag_last_error_milvus_code).

use std::os::raw::c_char;
use std::sync::Arc;

use authgate::credentials::{milvus_authorization, CredentialError, CredentialOptions, CredentialStore, MemoryBackend};
use authgate::Error;

use crate::boundary::ag_status;
use crate::bytes::{borrow, give, path_of, utf8};
use crate::ffi::{free_handle, into_handle, try_ref, Out};
use crate::list::{ag_list, give_list};

/// A Milvus-compatible user store. Every function taking `const ag_creds *` may be called from
/// any number of threads at once; bcrypt makes create, update and verify slow on purpose.
pub struct ag_creds {
    inner: CredentialStore,
}

impl ag_creds {
    pub(crate) fn new(inner: CredentialStore) -> ag_creds {
        ag_creds { inner }
    }
}

/// Core's credential error as the one error contract (`CREDENTIAL`, Milvus' code and text).
fn core<T>(r: Result<T, CredentialError>) -> Result<T, Error> {
    r.map_err(Error::from)
}

/// Core's options with `bcrypt_cost` (0: core's default, 10).
fn options(bcrypt_cost: u32) -> CredentialOptions {
    let d = CredentialOptions::default();
    CredentialOptions { bcrypt_cost: if bcrypt_cost == 0 { d.bcrypt_cost } else { bcrypt_cost }, ..d }
}

/// A store in memory with Milvus 2.3.5's settings (root bootstrapped with `Milvus`), hashing
/// at `bcrypt_cost` (0: core's default; 4..31). The caller owns `*out` (ag_creds_free).
///
/// # Safety
/// `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_memory(bcrypt_cost: u32, out: *mut *mut ag_creds) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let out = unsafe { Out::new(out, "out")? };
        let store = core(CredentialStore::open(Arc::new(MemoryBackend::new()), options(bcrypt_cost)))?;
        out.write(into_handle(ag_creds { inner: store }));
        Ok(())
    })
}

/// A store in the JSON file at `path` (created on the first write; atomic writes, mode 0600,
/// shared safely by processes). AG_CREDENTIAL for an unreadable file. The caller owns `*out`.
///
/// # Safety
/// `path` readable for `path_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_file(path: *const c_char, path_len: usize, bcrypt_cost: u32, out: *mut *mut ag_creds) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (path, out) = unsafe { (borrow(path, path_len, "path")?, Out::new(out, "out")?) };
        let store = core(CredentialStore::file(path_of(path), options(bcrypt_cost)))?;
        out.write(into_handle(ag_creds { inner: store }));
        Ok(())
    })
}

/// Releases a store. NULL is a no-op.
///
/// # Safety
/// `creds` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_free(creds: *mut ag_creds) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(creds) }
}

/// Creates a user (the name must be UTF-8: AG_INVALID_PARAMETER otherwise).
///
/// # Safety
/// `creds` live; `name` and `password` readable for their lengths.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_create_user(
    creds: *const ag_creds,
    name: *const c_char,
    name_len: usize,
    password: *const c_char,
    password_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (c, name, password) =
            unsafe { (try_ref(creds, "creds")?, borrow(name, name_len, "name")?, borrow(password, password_len, "password")?) };
        Ok(core(c.inner.create_user(utf8(name, "name")?, password))?)
    })
}

/// Changes a password; `old` must verify unless `caller` (NULL: none) is a super user.
///
/// # Safety
/// `creds` live; the byte arguments readable for their lengths (`caller` may be NULL).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ag_creds_update_password(
    creds: *const ag_creds,
    name: *const c_char,
    name_len: usize,
    old: *const c_char,
    old_len: usize,
    new: *const c_char,
    new_len: usize,
    caller: *const c_char,
    caller_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (c, name, old, new) = unsafe {
            (try_ref(creds, "creds")?, borrow(name, name_len, "name")?, borrow(old, old_len, "old")?, borrow(new, new_len, "new")?)
        };
        let caller = if caller.is_null() {
            None
        } else {
            // SAFETY: forwarded contract.
            Some(utf8(unsafe { borrow(caller, caller_len, "caller")? }, "caller")?)
        };
        Ok(core(c.inner.update_password(utf8(name, "name")?, old, new, caller))?)
    })
}

/// Deletes a user (not root: AG_CREDENTIAL 1401); an unknown user is not an error.
///
/// # Safety
/// `creds` live; `name` readable for `name_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_delete_user(creds: *const ag_creds, name: *const c_char, name_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (c, name) = unsafe { (try_ref(creds, "creds")?, borrow(name, name_len, "name")?) };
        Ok(core(c.inner.delete_user(utf8(name, "name")?))?)
    })
}

/// Every user, root included, in byte order. The caller owns `*out` (ag_list_free).
///
/// # Safety
/// `creds` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_list_users(creds: *const ag_creds, out: *mut *mut ag_list) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (c, out) = unsafe { (try_ref(creds, "creds")?, Out::new(out, "out")?) };
        give_list(out, core(c.inner.list_users())?.into_iter().map(String::into_bytes).collect());
        Ok(())
    })
}

/// Writes whether `password` is `name`'s password to `*out` (an unknown user: false).
///
/// # Safety
/// `creds` live; `name` and `password` readable for their lengths; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_verify(
    creds: *const ag_creds,
    name: *const c_char,
    name_len: usize,
    password: *const c_char,
    password_len: usize,
    out: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (c, name, password, out) = unsafe {
            (try_ref(creds, "creds")?, borrow(name, name_len, "name")?, borrow(password, password_len, "password")?, Out::new(out, "out")?)
        };
        out.write(core(c.inner.verify(utf8(name, "name")?, password))?);
        Ok(())
    })
}

/// The user and password of a Milvus client's gRPC `authorization` metadata value (base64 of
/// `user:password`), each an owned string (ag_string_free); AG_CREDENTIAL (Milvus' login
/// failure text) for anything else.
///
/// # Safety
/// `value` readable for `value_len` bytes; the four outputs NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_milvus_authorization(
    value: *const c_char,
    value_len: usize,
    user: *mut *mut c_char,
    user_len: *mut usize,
    password: *mut *mut c_char,
    password_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (value, user, user_len, password, password_len) = unsafe {
            (
                borrow(value, value_len, "value")?,
                Out::new(user, "user")?,
                Out::new(user_len, "user_len")?,
                Out::new(password, "password")?,
                Out::new(password_len, "password_len")?,
            )
        };
        let (u, p) = core(milvus_authorization(utf8(value, "value")?))?;
        give(user, user_len, u.as_bytes());
        give(password, password_len, p.as_bytes());
        Ok(())
    })
}
