//! The TLS listener settings of `ag_server_options` (`tls-port`, `tls-cert-file`, ...) and the
//! certificate users a server registers at every start. Each text option goes through
//! core's `TlsOptions::set`, so values are checked (and refused) with redis-server's texts
//! exactly as in every other language.

use std::os::raw::c_char;

use authgate::server::ServerOptions;
use authgate::tls::CertificateUser;

use crate::boundary::{ag_status, FfiError};
use crate::bytes::{borrow, utf8};
use crate::ffi::try_mut;
use crate::server_options::ag_server_options;

/// Changes the options behind `options` with `f`.
///
/// # Safety
/// `options` NULL or live and not used by another thread meanwhile.
unsafe fn update(options: *mut ag_server_options, f: impl FnOnce(&mut ServerOptions) -> Result<(), FfiError>) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        f(&mut unsafe { try_mut(options, "options")? }.inner)
    })
}

/// Sets the TLS option `name` (its vocabulary name) from `value_len` bytes at `value`.
///
/// # Safety
/// `options` live and unshared; `value` readable for `value_len` bytes.
unsafe fn set_text(options: *mut ag_server_options, name: &str, value: *const c_char, value_len: usize) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe {
        update(options, |o| {
            let value = borrow(value, value_len, "value")?;
            o.tls.set(name, value)?;
            Ok(())
        })
    }
}

/// `tls-port`: the TLS port. Unset or 0: with a certificate (ag_server_options_set_tls_cert_file)
/// the server opens its TLS listener on a free port at each start (see ag_server_tls_port).
///
/// # Safety
/// `options` live and unshared.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_port(options: *mut ag_server_options, port: u16) -> ag_status {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, |o| {
            o.tls.port = Some(port);
            Ok(())
        })
    }
}

/// `tls-cert-file`: the server's certificate chain (PEM, leaf first). AG_INVALID_PARAMETER
/// for an empty path; the file is read by ag_server_start (AG_CONFIG with redis-server's
/// text if it cannot be used).
///
/// # Safety
/// `options` live and unshared; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_cert_file(
    options: *mut ag_server_options,
    path: *const c_char,
    path_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_cert_file", path, path_len) }
}

/// `tls-key-file`: the server's private key (PEM; an encrypted PKCS#8 key needs
/// ag_server_options_set_tls_key_file_pass).
///
/// # Safety
/// `options` live and unshared; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_key_file(
    options: *mut ag_server_options,
    path: *const c_char,
    path_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_key_file", path, path_len) }
}

/// `tls-key-file-pass`: the key file's passphrase (binary safe; empty: none).
///
/// # Safety
/// `options` live and unshared; `pass` readable for `pass_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_key_file_pass(
    options: *mut ag_server_options,
    pass: *const c_char,
    pass_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_key_file_pass", pass, pass_len) }
}

/// `tls-ca-cert-file`: the CAs client certificates must chain to (PEM bundle).
///
/// # Safety
/// `options` live and unshared; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_ca_cert_file(
    options: *mut ag_server_options,
    path: *const c_char,
    path_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_ca_cert_file", path, path_len) }
}

/// `tls-ca-cert-dir`: a directory whose PEM files add CAs.
///
/// # Safety
/// `options` live and unshared; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_ca_cert_dir(
    options: *mut ag_server_options,
    path: *const c_char,
    path_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_ca_cert_dir", path, path_len) }
}

/// `tls-auth-clients`: `"yes"` (the default: a client certificate is required), `"no"` or
/// `"optional"`, in any case. AG_INVALID_PARAMETER with Redis' text for another value.
///
/// # Safety
/// `options` live and unshared; `value` readable for `value_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_auth_clients(
    options: *mut ag_server_options,
    value: *const c_char,
    value_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_auth_clients", value, value_len) }
}

/// `tls-auth-clients-user` (Valkey / Redis 8.6): `"off"` (the default), `"CN"` (the
/// certificate's first common name is the user) or `"URI"` (its first SAN URI naming an
/// enabled user), in any case.
///
/// # Safety
/// `options` live and unshared; `value` readable for `value_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_auth_clients_user(
    options: *mut ag_server_options,
    value: *const c_char,
    value_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_auth_clients_user", value, value_len) }
}

/// `tls-protocols`: e.g. `"TLSv1.2 TLSv1.3"` (empty: both); checked by ag_server_start.
///
/// # Safety
/// `options` live and unshared; `value` readable for `value_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_protocols(
    options: *mut ag_server_options,
    value: *const c_char,
    value_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_protocols", value, value_len) }
}

/// `tls-ciphersuites`: TLS 1.3 suites, colon-separated (empty: all); checked by
/// ag_server_start.
///
/// # Safety
/// `options` live and unshared; `value` readable for `value_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_ciphersuites(
    options: *mut ag_server_options,
    value: *const c_char,
    value_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_ciphersuites", value, value_len) }
}

/// `tls-ciphers`: TLS 1.2 suites in OpenSSL's names (empty: all); checked by ag_server_start.
///
/// # Safety
/// `options` live and unshared; `value` readable for `value_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_ciphers(
    options: *mut ag_server_options,
    value: *const c_char,
    value_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_text(options, "tls_ciphers", value, value_len) }
}

/// `tls-prefer-server-ciphers` (accepted for redis.conf compatibility: rustls always picks
/// by its own order).
///
/// # Safety
/// `options` live and unshared.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_set_tls_prefer_server_ciphers(
    options: *mut ag_server_options,
    prefer: bool,
) -> ag_status {
    // SAFETY: forwarded contract.
    unsafe {
        update(options, |o| {
            o.tls.prefer_server_ciphers = Some(prefer);
            Ok(())
        })
    }
}

/// Adds a certificate user (Redis Software's `auth_method: certificate`), registered at every
/// start: the ACL user `name` (created off if missing) gets `resetpass`, and a client
/// certificate whose RFC 2253 subject is exactly `subject_line` logs in as it. Both UTF-8.
/// A malformed line is refused by ag_server_new (AG_CERTIFICATE), a name given twice too
/// (AG_INVALID_PARAMETER).
///
/// # Safety
/// `options` live and unshared; `name` and `subject_line` readable for their lengths.
#[no_mangle]
pub unsafe extern "C" fn ag_server_options_add_certificate_user(
    options: *mut ag_server_options,
    name: *const c_char,
    name_len: usize,
    subject_line: *const c_char,
    subject_line_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe {
        update(options, |o| {
            let name = utf8(borrow(name, name_len, "name")?, "name")?.to_string();
            let line = utf8(borrow(subject_line, subject_line_len, "subject_line")?, "subject_line")?.to_string();
            o.certificate_users.push(CertificateUser { name, certificate_subject_line: line });
            Ok(())
        })
    }
}
