//! `ag_cert_user_map` and `ag_cert_login`: which ACL user a verified client certificate logs
//! in as (core's `tls::CertUserMap`, the lookup `authgate serve` runs at handshake):
//! certificate users by subject line first, then `tls-auth-clients-user off|CN|URI`, then
//! `default`.

use std::os::raw::c_char;

use authgate::tls::{CertLogin, CertUserMap, SubjectLine, TlsAuthClientsUser};

use crate::acl::ag_acl;
use crate::boundary::{ag_status, FfiError};
use crate::bytes::{borrow, lend, utf8};
use crate::cert::ag_client_cert;
use crate::ffi::{free_handle, into_handle, try_mut, try_ref, Out};
use crate::list::{ag_list, give_list};

/// Certificate users (user name to `certificate_subject_line`) and the
/// `tls-auth-clients-user` mode. Functions taking `const ag_cert_user_map *` may run on any
/// number of threads at once; the ones taking `ag_cert_user_map *` (set_mode, set_user,
/// remove_user) need the map to themselves, and end the loans of ag_cert_user_map_subject_line.
/// Free it with ag_cert_user_map_free.
pub struct ag_cert_user_map {
    inner: CertUserMap,
}

/// What a certificate mapped to: the user (or none: the connection stays `default`), the
/// rule that decided and the server's log line. Immutable; free it with ag_cert_login_free.
pub struct ag_cert_login {
    inner: CertLogin,
}

/// Core's mode for `len` bytes at `mode`.
///
/// # Safety
/// `mode` readable for `len` bytes.
unsafe fn mode_of(mode: *const c_char, len: usize) -> Result<TlsAuthClientsUser, FfiError> {
    // SAFETY: forwarded contract.
    let text = utf8(unsafe { borrow(mode, len, "mode") }?, "mode")?;
    Ok(text.parse::<TlsAuthClientsUser>().map_err(authgate::Error::from)?)
}

/// Makes a map without certificate users. `mode` is `tls-auth-clients-user`: `off`, `CN` or
/// `URI`, without regard to case as redis.conf reads it (NULL: core's default, `off`).
/// AG_CERTIFICATE with core's text (`argument(s) must be one of the following: off, CN, URI`)
/// for another value; AG_INVALID_PARAMETER for text that is not UTF-8. The caller owns `*out`
/// (ag_cert_user_map_free).
///
/// # Safety
/// `mode` NULL or readable for `mode_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_new(
    mode: *const c_char,
    mode_len: usize,
    out: *mut *mut ag_cert_user_map,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (mode, out) = unsafe {
            let mode = if mode.is_null() { TlsAuthClientsUser::default() } else { mode_of(mode, mode_len)? };
            (mode, Out::new(out, "out")?)
        };
        out.write(into_handle(ag_cert_user_map { inner: CertUserMap::new(mode) }));
        Ok(())
    })
}

/// Releases a map. NULL is a no-op.
///
/// # Safety
/// `map` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_free(map: *mut ag_cert_user_map) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(map) }
}

/// The mode as redis.conf writes it (`off`, `CN`, `URI`; static, not NUL-terminated).
///
/// # Safety
/// `map` NULL or live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_mode(
    map: *const ag_cert_user_map,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (map, out, out_len) = unsafe { (try_ref(map, "map")?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, map.inner.mode().as_str().as_bytes());
        Ok(())
    })
}

/// Sets the mode (values and errors as ag_cert_user_map_new; on error nothing changes).
///
/// # Safety
/// `map` NULL or live and not in use by another thread; `mode` readable for `mode_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_set_mode(
    map: *mut ag_cert_user_map,
    mode: *const c_char,
    mode_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (map, mode) = unsafe { (try_mut(map, "map")?, mode_of(mode, mode_len)?) };
        map.inner.set_mode(mode);
        Ok(())
    })
}

/// Makes `user` a certificate user (Redis Software's `auth_method: certificate`) whose
/// `certificate_subject_line` is `line`, replacing its previous line. The line must be the
/// certificate's subject exactly as `openssl x509 -noout -subject -nameopt RFC2253` prints it:
/// AG_CERTIFICATE with core's text otherwise (`invalid certificate_subject_line: ...`, saying
/// how to write it), and nothing changes; AG_INVALID_PARAMETER for text that is not UTF-8.
///
/// # Safety
/// `map` NULL or live and not in use by another thread; `user` and `line` readable for their
/// lengths.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_set_user(
    map: *mut ag_cert_user_map,
    user: *const c_char,
    user_len: usize,
    line: *const c_char,
    line_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (map, user, line) =
            unsafe { (try_mut(map, "map")?, borrow(user, user_len, "user")?, borrow(line, line_len, "line")?) };
        let user = utf8(user, "user")?;
        let line = SubjectLine::parse(utf8(line, "line")?).map_err(authgate::Error::from)?;
        map.inner.set_user(user, line);
        Ok(())
    })
}

/// Stops `user` being a certificate user; `*out_removed` says whether it was one.
///
/// # Safety
/// `map` NULL or live and not in use by another thread; `user` readable for `user_len` bytes;
/// `out_removed` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_remove_user(
    map: *mut ag_cert_user_map,
    user: *const c_char,
    user_len: usize,
    out_removed: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (map, user, out_removed) =
            unsafe { (try_mut(map, "map")?, borrow(user, user_len, "user")?, Out::new(out_removed, "out_removed")?) };
        let removed = map.inner.remove_user(utf8(user, "user")?).is_some();
        out_removed.write(removed);
        Ok(())
    })
}

/// The subject line of `user` (lent, not NUL-terminated, valid until the map is changed or
/// freed). A user that is not a certificate user writes `*out_present = false`, `*out =
/// NULL`, `*out_len = 0`.
///
/// # Safety
/// `map` NULL or live; `user` readable for `user_len` bytes; `out`, `out_len` and
/// `out_present` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_subject_line(
    map: *const ag_cert_user_map,
    user: *const c_char,
    user_len: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
    out_present: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (map, user, out, out_len, out_present) = unsafe {
            (
                try_ref(map, "map")?,
                borrow(user, user_len, "user")?,
                Out::new(out, "out")?,
                Out::new(out_len, "out_len")?,
                Out::new(out_present, "out_present")?,
            )
        };
        // A name that is not UTF-8 cannot be a certificate user (set_user refuses it).
        let line = std::str::from_utf8(user).ok().and_then(|u| map.inner.subject_line(u));
        lend_optional(out, out_len, out_present, line.map(|l| l.as_str().as_bytes()));
        Ok(())
    })
}

/// The certificate users' names in byte order, as a new list the caller frees with
/// ag_list_free.
///
/// # Safety
/// `map` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_users(map: *const ag_cert_user_map, out: *mut *mut ag_list) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (map, out) = unsafe { (try_ref(map, "map")?, Out::new(out, "out")?) };
        give_list(out, map.inner.users().map(|(name, _)| name.as_bytes().to_vec()).collect());
        Ok(())
    })
}

/// Which user `cert` (its chain already verified) logs in as, with `acl`'s users as the server
/// sees them: a candidate must exist there and be enabled. `acl` NULL: no engine, every name
/// is a candidate (for a program that checks the user itself). The caller owns `*out`
/// (ag_cert_login_free).
///
/// # Safety
/// `map` and `cert` NULL or live; `acl` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_user_map_map(
    map: *const ag_cert_user_map,
    cert: *const ag_client_cert,
    acl: *const ag_acl,
    out: *mut *mut ag_cert_login,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts; `acl` is optional, so NULL is not an error here.
        let (map, cert, acl, out) = unsafe {
            (try_ref(map, "map")?, try_ref(cert, "cert")?, acl.as_ref(), Out::new(out, "out")?)
        };
        let login = map.inner.map_acl(cert.cert(), acl.map(|a| &**a.engine.acl()));
        out.write(into_handle(ag_cert_login { inner: login }));
        Ok(())
    })
}

/// Releases a login. NULL is a no-op.
///
/// # Safety
/// `login` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_login_free(login: *mut ag_cert_login) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(login) }
}

/// Writes `value` lent, or NULL / 0 / absent.
fn lend_optional(out: Out<*const c_char>, out_len: Out<usize>, out_present: Out<bool>, value: Option<&[u8]>) {
    match value {
        Some(v) => {
            lend(out, out_len, v);
            out_present.write(true);
        }
        None => {
            out.write(std::ptr::null());
            out_len.write(0);
            out_present.write(false);
        }
    }
}

/// The user the connection is authenticated as (its bytes as the certificate or the
/// certificate user carries them; lent until the login is freed). None (the connection stays
/// `default`) writes `*out_present = false`, `*out = NULL`, `*out_len = 0`.
///
/// # Safety
/// `login` NULL or live; `out`, `out_len` and `out_present` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_login_user(
    login: *const ag_cert_login,
    out: *mut *const c_char,
    out_len: *mut usize,
    out_present: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (login, out, out_len, out_present) = unsafe {
            (
                try_ref(login, "login")?,
                Out::new(out, "out")?,
                Out::new(out_len, "out_len")?,
                Out::new(out_present, "out_present")?,
            )
        };
        lend_optional(out, out_len, out_present, login.inner.user());
        Ok(())
    })
}

/// Which rule decided (static, not NUL-terminated): `certificate_user` (a subject line
/// matched), `tls_auth_clients_user` (the CN or a SAN URI named an enabled user), `default`
/// (nothing matched and the mode is off: nothing to log, Redis 7.0.15's behaviour) or
/// `no_match` (the mode is on and found no user: the server logs the line and writes an ACL
/// LOG entry with reason `tls-cert`).
///
/// # Safety
/// `login` NULL or live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_login_outcome(
    login: *const ag_cert_login,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (login, out, out_len) =
            unsafe { (try_ref(login, "login")?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, login.inner.outcome().as_bytes());
        Ok(())
    })
}

/// The server's log line for the outcome (`TLS: Auto-authenticated client as alice`, `TLS: No
/// matching user found ...`; lent until the login is freed), present for
/// `tls_auth_clients_user` and `no_match`; otherwise `*out_present = false`, `*out = NULL`,
/// `*out_len = 0`.
///
/// # Safety
/// `login` NULL or live; `out`, `out_len` and `out_present` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_cert_login_log_line(
    login: *const ag_cert_login,
    out: *mut *const c_char,
    out_len: *mut usize,
    out_present: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (login, out, out_len, out_present) = unsafe {
            (
                try_ref(login, "login")?,
                Out::new(out, "out")?,
                Out::new(out_len, "out_len")?,
                Out::new(out_present, "out_present")?,
            )
        };
        lend_optional(out, out_len, out_present, login.inner.log_line().map(str::as_bytes));
        Ok(())
    })
}
