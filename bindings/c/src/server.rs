//! `ag_server`: the RESP server (`authgate serve`) inside a C program, built on core's
//! restartable `ServerController`.

use std::os::raw::c_char;

use authgate::server::{ServerController, ServerOptions};

use crate::acl::{ag_acl, engine_ref};
use crate::boundary::{ag_status, FfiError};
use crate::bytes::lend;
use crate::ffi::{free_handle, into_handle, try_ref, Out};
use crate::server_options::ag_server_options;

/// A RESP server that can be started, stopped and started again. It enforces the `ag_acl` it
/// was made with: changes made through that engine (ag_acl_setuser, ag_acl_deluser, ...) apply
/// to its connections at once. Every function taking `const ag_server *` may be called from
/// any thread. Owned by the caller; ag_server_free stops and releases it.
pub struct ag_server {
    inner: ServerController,
    /// `inner.host()`, kept so ag_server_host can lend it for the handle's lifetime.
    host: String,
}

/// Borrows the controller behind `server`.
///
/// # Safety
/// `server` NULL or live.
unsafe fn server_ref<'a>(server: *const ag_server) -> Result<&'a ServerController, FfiError> {
    // SAFETY: forwarded contract.
    Ok(&unsafe { try_ref(server, "server") }?.inner)
}

/// Creates a stopped server sharing `acl`, with `options` (NULL: nothing set, core's
/// defaults). A config file among the options is read now: AG_CONFIG with Redis' text if it
/// is bad; AG_INVALID_PARAMETER for an invalid option (`maxclients` 0, an empty host). The
/// server keeps its own reference to the engine, so `acl` may be freed first; `options` stays
/// the caller's and may be freed at once. The caller owns `*out` and must release it with
/// ag_server_free.
///
/// # Safety
/// `acl` live; `options` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_server_new(
    acl: *const ag_acl,
    options: *const ag_server_options,
    out: *mut *mut ag_server,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (engine, options, out) = unsafe { (engine_ref(acl)?, options.as_ref(), Out::new(out, "out")?) };
        let defaults = ServerOptions::default();
        let options = options.map_or(&defaults, |o| &o.inner);
        let inner = ServerController::for_engine(engine, options)?;
        let host = inner.host();
        out.write(into_handle(ag_server { inner, host }));
        Ok(())
    })
}

/// Starts the server on its own threads: applies the startup settings to the shared engine
/// (`requirepass`, the aclfile or a config file's `user` lines), binds, and writes the bound
/// port to `*out_port` (optional: NULL if not wanted). AG_INVALID_PARAMETER if it is already
/// running, AG_CONFIG for a bad aclfile, AG_IO (with ag_last_error_os_error) if the address
/// cannot be bound; the server then stays stopped.
///
/// # Safety
/// `server` live; `out_port` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_server_start(server: *const ag_server, out_port: *mut u16) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (server, out) = unsafe { (server_ref(server)?, Out::optional(out_port)) };
        let port = server.start()?;
        if let Some(out) = out {
            out.write(port);
        }
        Ok(())
    })
}

/// Stops the server: closes the listener and every connection and waits for its threads.
/// `*out_was_running` (optional: NULL if not wanted) is false if it was not running, which is
/// not an error. The handle stays valid (ag_server_start again, or ag_server_free).
///
/// # Safety
/// `server` live; `out_was_running` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_server_stop(server: *const ag_server, out_was_running: *mut bool) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (server, out) = unsafe { (server_ref(server)?, Out::optional(out_was_running)) };
        let was_running = server.stop();
        if let Some(out) = out {
            out.write(was_running);
        }
        Ok(())
    })
}

/// Stops the server if it runs, then starts it again with the same settings (port 0 picks a
/// new free port) and writes the bound port to `*out_port` (optional). Errors as
/// ag_server_start.
///
/// # Safety
/// `server` live; `out_port` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_server_restart(server: *const ag_server, out_port: *mut u16) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (server, out) = unsafe { (server_ref(server)?, Out::optional(out_port)) };
        let port = server.restart()?;
        if let Some(out) = out {
            out.write(port);
        }
        Ok(())
    })
}

/// True while the server runs (false for NULL).
///
/// # Safety
/// `server` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_server_running(server: *const ag_server) -> bool {
    // SAFETY: NULL or live per the contract.
    ffi_boundary!(or false, { unsafe { server.as_ref() }.is_some_and(|s| s.inner.running()) })
}

/// The bound port while running, the last bound port after a stop, and 0 before the first
/// start (or for NULL): 0 is never a bound port.
///
/// # Safety
/// `server` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_server_port(server: *const ag_server) -> u16 {
    // SAFETY: NULL or live per the contract.
    ffi_boundary!(or 0, { unsafe { server.as_ref() }.and_then(|s| s.inner.port()).unwrap_or(0) })
}

/// The TLS port while running, the last one after a stop, and 0 before the first start, for
/// a server without a TLS listener (or for NULL).
///
/// # Safety
/// `server` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_server_tls_port(server: *const ag_server) -> u16 {
    // SAFETY: NULL or live per the contract.
    ffi_boundary!(or 0, { unsafe { server.as_ref() }.and_then(|s| s.inner.tls_port()).unwrap_or(0) })
}

/// The configured address(es), space-separated as in redis.conf's `bind`: lent until
/// ag_server_free, not NUL-terminated.
///
/// # Safety
/// `server` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_server_host(
    server: *const ag_server,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (server, out, out_len) =
            unsafe { (try_ref(server, "server")?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, server.host.as_bytes());
        Ok(())
    })
}

/// Stops the server if it runs (waiting for its threads) and releases it. NULL is a no-op.
///
/// # Safety
/// `server` NULL or a server from ag_server_new that was not freed yet, not in use by another
/// thread.
#[no_mangle]
pub unsafe extern "C" fn ag_server_free(server: *mut ag_server) {
    // SAFETY: NULL or live per the contract.
    if let Some(s) = unsafe { server.as_ref() } {
        ffi_boundary!(or false, { s.inner.stop() });
    }
    // SAFETY: forwarded contract.
    unsafe { free_handle(server) }
}
