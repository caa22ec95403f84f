//! `ag_creds_options`: where an `ag_creds` store keeps its users (memory, a file, etcd) and every
//! option it applies, set by the option names every language uses (vocabulary.json's
//! `credentials.options` and `credentials.etcd_options`); core parses and checks the values.

use std::os::raw::c_char;

use authgate::credentials::{StoreLocation, StoreSettings};
use authgate::Error;

use crate::boundary::ag_status;
use crate::bytes::{borrow, path_of, utf8};
use crate::credentials::ag_creds;
use crate::ffi::{free_handle, into_handle, try_mut, try_ref, Out};

/// Settings for ag_creds_open: a store in memory with Milvus 2.3.5's settings until changed.
/// Owned by the caller (ag_creds_options_free); not shared between threads while changed.
pub struct ag_creds_options {
    inner: StoreSettings,
}

/// Creates settings holding core's defaults (in memory; Milvus 2.3.5's rules; bcrypt cost
/// 10). The caller owns `*out` (ag_creds_options_free).
///
/// # Safety
/// `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_options_new(out: *mut *mut ag_creds_options) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let out = unsafe { Out::new(out, "out")? };
        out.write(into_handle(ag_creds_options { inner: StoreSettings::default() }));
        Ok(())
    })
}

/// Releases settings. NULL is a no-op.
///
/// # Safety
/// `options` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_options_free(options: *mut ag_creds_options) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(options) }
}

/// Sets one option by its vocabulary name (`min_password_length`, `max_password_length`,
/// `max_user_num`, `default_root_password`, `super_users`, `bcrypt_cost`,
/// `verified_cache_ttl`; for etcd: `root_path`, `meta_sub_path`, `etcd_user`, `etcd_password`,
/// `etcd_ca`, `etcd_cert`, `etcd_key`) from its text: integers in decimal, `verified_cache_ttl`
/// in seconds, `super_users` comma-separated (as Milvus' `common.security.superUsers`), the
/// `etcd_ca` / `etcd_cert` / `etcd_key` values paths of PEM files (read by ag_creds_open).
/// AG_CREDENTIAL (Milvus' code 1100) for an unknown name or a value that does not parse;
/// nothing changes then. Ranges are checked by ag_creds_open.
///
/// # Safety
/// `options` live and unshared; `name` and `value` readable for their lengths.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_options_set(
    options: *mut ag_creds_options,
    name: *const c_char,
    name_len: usize,
    value: *const c_char,
    value_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (o, name, value) =
            unsafe { (try_mut(options, "options")?, borrow(name, name_len, "name")?, borrow(value, value_len, "value")?) };
        let (name, value) = (utf8(name, "name")?, utf8(value, "value")?);
        o.inner.set(name, value).map_err(Error::from)?;
        Ok(())
    })
}

/// Keeps the users in the JSON file at `path` (atomic writes, mode 0600, shared by processes).
///
/// # Safety
/// `options` live and unshared; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_options_set_file(options: *mut ag_creds_options, path: *const c_char, path_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (o, path) = unsafe { (try_mut(options, "options")?, borrow(path, path_len, "path")?) };
        o.inner.location = StoreLocation::File(path_of(path).to_path_buf());
        Ok(())
    })
}

/// Keeps the users in the etcd of a Milvus: `endpoints` is `host:port[,host:port...]` (or
/// URLs), as Milvus' `etcd.endpoints`. AG_INVALID_PARAMETER if not UTF-8.
///
/// # Safety
/// `options` live and unshared; `endpoints` readable for `endpoints_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_options_set_etcd(
    options: *mut ag_creds_options,
    endpoints: *const c_char,
    endpoints_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (o, endpoints) = unsafe { (try_mut(options, "options")?, borrow(endpoints, endpoints_len, "endpoints")?) };
        o.inner.location = StoreLocation::etcd_list(utf8(endpoints, "endpoints")?);
        Ok(())
    })
}

/// Opens the store `options` describe (NULL: in memory with the defaults), bootstrapping root
/// if it has none. AG_CREDENTIAL for an option out of range (1100), an etcd option on a store
/// not in etcd (1100), an unreadable file or PEM file, an etcd that cannot be reached or that
/// refuses the login (65535). The caller owns `*out` (ag_creds_free); `options` stays the
/// caller's.
///
/// # Safety
/// `options` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_creds_open(options: *const ag_creds_options, out: *mut *mut ag_creds) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let out = unsafe { Out::new(out, "out")? };
        let store = if options.is_null() {
            StoreSettings::default().open()
        } else {
            // SAFETY: forwarded contract.
            unsafe { try_ref(options, "options")? }.inner.open()
        };
        out.write(into_handle(ag_creds::new(store.map_err(Error::from)?)));
        Ok(())
    })
}
