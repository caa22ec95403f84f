//! `ag_server_options`: the settings of an embedded server, each left to core's default
//! until set.

use std::os::raw::c_char;

use authgate::server::ServerOptions;

use crate::boundary::ag_status;
use crate::bytes::{borrow, path_of, utf8};
use crate::ffi::{free_handle, into_handle, try_mut, Out};

/// The settings of an `ag_server`. A new one has nothing set, which means core's defaults for
/// an embedded server: loopback (`authgate::server::DEFAULT_HOST`), a free port chosen at
/// start, Redis' `maxclients`, no `requirepass`, no aclfile. With a config file, the file's
/// values and Redis' defaults apply instead, and every option set here overrides the file, as
/// a redis-server command-line option does. Owned by the caller (ag_server_options_free); not
/// shared between threads while it is being changed.
pub struct ag_server_options {
    pub(crate) inner: ServerOptions,
}

/// Creates options with nothing set (core's defaults). The caller owns `*out` and must
/// release it with ag_server_options_free.
///
/// # Safety
/// `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_new(out: *mut *mut ag_server_options) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let out = unsafe { Out::new(out, "out")? };
        out.write(into_handle(ag_server_options { inner: ServerOptions::default() }));
        Ok(())
    })
}

/// Releases options. NULL is a no-op. Servers made from them keep their own copy.
///
/// # Safety
/// `options` NULL or options from libauthgate that were not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_free(options: *mut ag_server_options) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(options) }
}

/// Changes the options behind `options` with `f`.
///
/// # Safety
/// `options` NULL or live and not used by another thread meanwhile.
unsafe fn update(
    options: *mut ag_server_options,
    f: impl FnOnce(&mut ServerOptions) -> Result<(), crate::boundary::FfiError>,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        f(&mut unsafe { try_mut(options, "options")? }.inner)
    })
}

/// The address(es) to listen on, in redis.conf's `bind` syntax (several space-separated
/// addresses, `-` marking an optional one, `*` for all). AG_INVALID_PARAMETER if not UTF-8
/// (nothing changes); an empty list is refused by ag_server_new.
///
/// # Safety
/// `options` live and unshared; `host` readable for `host_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_host(
    options: *mut ag_server_options,
    host: *const c_char,
    host_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe {
        update(options, |o| {
            o.host = Some(utf8(borrow(host, host_len, "host")?, "host")?.to_string());
            Ok(())
        })
    }
}

/// The TCP port; 0 picks a free port at each start (see ag_server_port).
///
/// # Safety
/// `options` live and unshared.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_port(options: *mut ag_server_options, port: u16) -> ag_status {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, |o| {
            o.port = Some(port);
            Ok(())
        })
    }
}

/// `requirepass`: the `default` user's password, set on the shared engine at start (binary
/// safe; an empty password gives `nopass`, as in Redis).
///
/// # Safety
/// `options` live and unshared; `password` readable for `password_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_requirepass(
    options: *mut ag_server_options,
    password: *const c_char,
    password_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe {
        update(options, |o| {
            o.requirepass = Some(borrow(password, password_len, "password")?.to_vec());
            Ok(())
        })
    }
}

/// `aclfile`: loaded into the shared engine at start (a bad file makes ag_server_start fail
/// with AG_CONFIG), and the file ACL LOAD and ACL SAVE use.
///
/// # Safety
/// `options` live and unshared; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_aclfile(
    options: *mut ag_server_options,
    path: *const c_char,
    path_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe {
        update(options, |o| {
            o.aclfile = Some(path_of(borrow(path, path_len, "path")?).to_path_buf());
            Ok(())
        })
    }
}

/// `maxclients`: the most simultaneous clients (at least 1; 0 is refused by ag_server_new).
///
/// # Safety
/// `options` live and unshared.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_maxclients(
    options: *mut ag_server_options,
    maxclients: usize,
) -> ag_status {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, |o| {
            o.maxclients = Some(maxclients);
            Ok(())
        })
    }
}

/// A redis.conf-style file (`port`, `bind`, `requirepass`, `aclfile`, `dir`, `user ...`,
/// `acl-pubsub-default`, `acllog-max-len`, `maxclients`), read by ag_server_new exactly as
/// `authgate serve --config` reads it; its errors are AG_CONFIG with Redis' text (file, line,
/// directive).
///
/// # Safety
/// `options` live and unshared; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_config_file(
    options: *mut ag_server_options,
    path: *const c_char,
    path_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe {
        update(options, |o| {
            o.config_file = Some(path_of(borrow(path, path_len, "path")?).to_path_buf());
            Ok(())
        })
    }
}
