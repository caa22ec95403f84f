//! `ag_acl_store_options` and ag_acl_from_store: an engine attached to a fleet's etcd ACL
//! store. The options are set by their vocabulary names (`acl.store_options`); core checks
//! them and reads the TLS files.

use std::os::raw::c_char;

use authgate::acl_store::{EmbeddedAcl, StoreSettings};

use crate::acl::ag_acl;
use crate::boundary::ag_status;
use crate::bytes::{borrow, path_of, utf8};
use crate::ffi::{free_handle, into_handle, try_mut, Out};
use crate::options::{ag_acl_options, options_or_default};

/// The options of ag_acl_from_store besides the address. A new one has none set: no cache
/// file, plain HTTP to etcd. Owned by the caller (ag_acl_store_options_free); not shared
/// between threads while it is being changed.
pub struct ag_acl_store_options {
    inner: StoreSettings,
}

/// Creates store options with nothing set. The caller owns `*out` (ag_acl_store_options_free).
///
/// # Safety
/// `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_store_options_new(out: *mut *mut ag_acl_store_options) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let out = unsafe { Out::new(out, "out")? };
        out.write(into_handle(ag_acl_store_options { inner: StoreSettings::default() }));
        Ok(())
    })
}

/// Releases store options. NULL is a no-op.
///
/// # Safety
/// `options` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_store_options_free(options: *mut ag_acl_store_options) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(options) }
}

/// Sets one option by its vocabulary name to a path: `cache_file` (the last state seen, kept
/// to start from while etcd is unreachable), `ca_file` (PEM of the CA of etcd's certificate),
/// `cert_file` and `key_file` (a client certificate and its key, both or neither). Files are
/// read by ag_acl_from_store. AG_INVALID_PARAMETER for an unknown name (nothing changes) or a
/// name that is not UTF-8.
///
/// # Safety
/// `options` live and unshared; `name` and `path` readable for their lengths.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_store_options_set(
    options: *mut ag_acl_store_options,
    name: *const c_char,
    name_len: usize,
    path: *const c_char,
    path_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (o, name, path) =
            unsafe { (try_mut(options, "options")?, borrow(name, name_len, "name")?, borrow(path, path_len, "path")?) };
        o.inner.set(utf8(name, "name")?, path_of(path))?;
        Ok(())
    })
}

/// Creates an engine attached to the fleet's ACL store at `url`
/// (`etcd://[user:password@]host:port[,host:port...]/prefix`): it holds the store's users
/// (an empty store is first seeded with this engine's `default`) and follows every change
/// made by servers and other engines. ag_acl_setuser, ag_acl_deluser, ag_acl_load and
/// ag_acl_set_requirepass on it write through the store and return once applied here; every
/// other function reads the local engine. Blocks until etcd answered (or the request timed
/// out). `store_options` NULL: none set; `options` NULL: core's engine defaults; both stay
/// owned by the caller.
///
/// Errors (nothing written to `*out`): AG_INVALID_PARAMETER for an address that is not an
/// `etcd://` store, a URL that is not UTF-8, or a certificate without its key; AG_IO when
/// etcd is unreachable and there is no cache file to start from, or a TLS file cannot be
/// read. With a cache file and etcd unreachable the engine starts from the cache (stale) and
/// catches up once etcd answers. The caller owns `*out` (ag_acl_free, which detaches).
///
/// # Safety
/// `url` readable for `url_len` bytes; `store_options` and `options` NULL or live; `out` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_from_store(
    url: *const c_char,
    url_len: usize,
    store_options: *const ag_acl_store_options,
    options: *const ag_acl_options,
    out: *mut *mut ag_acl,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (url, acl_options, out) =
            unsafe { (borrow(url, url_len, "url")?, options_or_default(options), Out::new(out, "out")?) };
        // SAFETY: NULL or live per the contract.
        let settings = unsafe { store_options.as_ref() }.map(|o| o.inner.clone()).unwrap_or_default();
        let store = settings.options(utf8(url, "url")?)?;
        let engine = EmbeddedAcl::from_store(acl_options, store)?;
        out.write(into_handle(ag_acl { engine }));
        Ok(())
    })
}
