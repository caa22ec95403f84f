//! `ag_server`: the RESP server (`authgate serve`) running inside a C program.

use std::ffi::CStr;
use std::os::raw::c_char;

use authgate::server::{Server, ServerBuilder, ServerHandle};

use crate::acl::{acl_ref, ag_acl};
use crate::boundary::{ag_status, FfiError};

/// A running RESP server. It enforces the `ag_acl` it was started with: changes made through
/// that engine (ag_acl_setuser, ag_acl_deluser, ...) apply to its connections at once.
pub struct ag_server {
    handle: Option<ServerHandle>,
    port: u16,
}

/// Builds and starts the server, mapping failures to statuses, and writes the handle to `out`.
///
/// # Safety
/// `out` must be non-NULL and writable.
unsafe fn start_into(builder: ServerBuilder, out: *mut *mut ag_server) -> Result<(), FfiError> {
    let handle = builder.build().and_then(Server::start).map_err(|e| {
        let status = if e.code() == "IO" { ag_status::AG_IO } else { ag_status::AG_INVALID_PARAMETER };
        FfiError::new(status, e.to_string())
    })?;
    let server = Box::new(ag_server { port: handle.port(), handle: Some(handle) });
    // SAFETY: the caller guarantees `out` is non-NULL and writable.
    unsafe { *out = Box::into_raw(server) };
    Ok(())
}

/// Starts a server on `host` (a NUL-terminated address such as "127.0.0.1"; NULL means
/// 127.0.0.1) and `port` (0 picks a free port; see ag_server_port), serving on its own
/// threads. The server keeps its own reference to the engine, so `acl` may be freed before
/// the server. AG_IO if the address cannot be bound. Release with ag_server_free (which also
/// stops it).
///
/// # Safety
/// `acl` live; `host` NULL or a NUL-terminated string; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_server_start(
    acl: *const ag_acl,
    host: *const c_char,
    port: u16,
    out: *mut *mut ag_server,
) -> ag_status {
    ffi_boundary!({
        if out.is_null() {
            return Err(FfiError::null("out"));
        }
        // SAFETY: forwarded contract.
        let acl = unsafe { acl_ref(acl)? };
        let host = if host.is_null() {
            "127.0.0.1".to_string()
        } else {
            // SAFETY: non-NULL and NUL-terminated per the contract.
            let raw = unsafe { CStr::from_ptr(host) };
            raw.to_str()
                .map_err(|_| FfiError::new(ag_status::AG_INVALID_PARAMETER, "host is not valid UTF-8"))?
                .to_string()
        };
        let builder = Server::builder(acl.inner.clone()).bind(host).port(port);
        // SAFETY: `out` checked non-NULL; writable per the contract.
        unsafe { start_into(builder, out) }
    })
}

/// Starts a server configured by a redis.conf-style file at `config_path` (`port`, `bind`,
/// `requirepass`, `aclfile`, `dir`, `user ...`, `acl-pubsub-default`, `acllog-max-len`,
/// `maxclients`), exactly as `authgate serve --config` does, sharing `acl`. The file's users or
/// aclfile are loaded into `acl`. AG_INVALID_PARAMETER with Redis' message for a bad file
/// (file, line, directive), AG_IO if the address cannot be bound.
///
/// # Safety
/// `acl` live; `config_path` readable for `config_path_len` bytes; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_server_start_config(
    acl: *const ag_acl,
    config_path: *const c_char,
    config_path_len: usize,
    out: *mut *mut ag_server,
) -> ag_status {
    ffi_boundary!({
        if out.is_null() {
            return Err(FfiError::null("out"));
        }
        // SAFETY: forwarded contracts.
        let (acl, path) = unsafe {
            (acl_ref(acl)?, crate::bytes::borrow(config_path, config_path_len, "config_path")?)
        };
        use std::os::unix::ffi::OsStrExt;
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
        let mut config = authgate::server::Config::default();
        config.apply_file(path).map_err(|e| FfiError::new(ag_status::AG_INVALID_PARAMETER, e))?;
        let builder = Server::builder(acl.inner.clone()).config(config);
        // SAFETY: `out` checked non-NULL; writable per the contract.
        unsafe { start_into(builder, out) }
    })
}

/// The port the server listens on (0 for NULL).
///
/// # Safety
/// `server` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_server_port(server: *const ag_server) -> u16 {
    // SAFETY: NULL or live per the contract.
    unsafe { server.as_ref() }.map_or(0, |s| s.port)
}

/// Stops the server: closes the listener and every connection and waits for its threads.
/// Stopping twice is harmless. The handle stays valid until ag_server_free.
///
/// # Safety
/// `server` live.
#[no_mangle]
pub unsafe extern "C" fn ag_server_stop(server: *mut ag_server) -> ag_status {
    ffi_boundary!({
        // SAFETY: live per the contract; only this thread mutates it.
        let s = unsafe { server.as_mut() }.ok_or_else(|| FfiError::null("server"))?;
        if let Some(h) = s.handle.take() {
            h.stop();
        }
        Ok(())
    })
}

/// Stops (if needed) and releases a server. NULL is a no-op.
///
/// # Safety
/// `server` NULL or a server from ag_server_start that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_server_free(server: *mut ag_server) {
    if !server.is_null() {
        // SAFETY: from Box::into_raw in ag_server_start; freed once per the contract.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(unsafe { Box::from_raw(server) })));
    }
}
