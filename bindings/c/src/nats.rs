//! `ag_nats_auth`: a nats-server config's client authentication, and `ag_nats_connect`, the
//! credentials of one CONNECT, set field by field as rustls-ffi builds its configs.

use std::os::raw::c_char;

use authgate::nats::{Connect, ConnectionType, NatsAuth};

use crate::boundary::{ag_status, FfiError};
use crate::bytes::{borrow, utf8};
use crate::ffi::{free_handle, into_handle, try_mut, try_ref, Out};
use crate::nats_identity::ag_nats_identity;

/// A nats-server (2.9.10, config mode) client authentication: the users, nkeys, token or
/// single user of a config, and their permissions. Immutable once made: every function taking
/// `const ag_nats_auth *` may be called from any number of threads at once.
pub struct ag_nats_auth {
    inner: NatsAuth,
}

/// The credentials of one CONNECT. A new one sends nothing (no user, password, token, nkey,
/// signature or nonce) on a standard client connection. Owned by the caller
/// (ag_nats_connect_free); not shared between threads while it is being changed.
pub struct ag_nats_connect {
    url: Option<String>,
    user: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
    token: Option<Vec<u8>>,
    nkey: Option<Vec<u8>>,
    sig: Option<Vec<u8>>,
    nonce: Option<Vec<u8>>,
    connection_type: ConnectionType,
    certificate: Option<std::sync::Arc<authgate::tls::ClientCert>>,
}

impl ag_nats_connect {
    /// The CONNECT core decides: the URL's credentials (as nats clients take them), each
    /// replaced by a field set explicitly.
    fn connect(&self) -> Connect {
        let mut c = self.url.as_deref().map(Connect::from_url).unwrap_or_default();
        for (given, field) in [
            (&self.user, &mut c.user),
            (&self.password, &mut c.password),
            (&self.token, &mut c.token),
            (&self.nkey, &mut c.nkey),
            (&self.sig, &mut c.sig),
            (&self.nonce, &mut c.nonce),
        ] {
            if let Some(v) = given {
                field.clone_from(v);
            }
        }
        c.connection_type = self.connection_type;
        c.certificate.clone_from(&self.certificate);
        c
    }
}

/// An optional UTF-8 argument: NULL means not given (core's default), unlike an empty string.
///
/// # Safety
/// `ptr` NULL or readable for `len` bytes.
unsafe fn optional_utf8<'a>(ptr: *const c_char, len: usize, what: &str) -> Result<Option<&'a str>, FfiError> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    Ok(Some(utf8(unsafe { borrow(ptr, len, what)? }, what)?))
}

/// Reads the config file at `path` as `nats-server -c PATH` does (includes relative to the
/// file's directory, `$VAR` from the config or the environment), with every check of
/// `nats-server -t` and those it makes at start-up. AG_CONFIG with nats-server's text (one
/// line per error, `file:line:col: message`) for a missing or refused file, operator (JWT)
/// mode included; AG_INVALID_PARAMETER for a path that is not UTF-8. The caller owns `*out`
/// (ag_nats_auth_free).
///
/// # Safety
/// `path` readable for `path_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_auth_from_file(
    path: *const c_char,
    path_len: usize,
    out: *mut *mut ag_nats_auth,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (path, out) = unsafe { (borrow(path, path_len, "path")?, Out::new(out, "out")?) };
        let auth = NatsAuth::from_file(utf8(path, "path")?)?;
        out.write(into_handle(ag_nats_auth { inner: auth }));
        Ok(())
    })
}

/// Parses config text like ag_nats_auth_from_file. `filename` (NULL: none) is the name error
/// positions carry; `base_dir` (NULL: that of `filename`) the directory includes are relative
/// to. Both must be UTF-8 when given (AG_INVALID_PARAMETER). Errors as ag_nats_auth_from_file.
/// The caller owns `*out` (ag_nats_auth_free).
///
/// # Safety
/// `text` readable for `text_len` bytes; `filename` and `base_dir` NULL or readable for their
/// lengths; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_auth_parse(
    text: *const c_char,
    text_len: usize,
    filename: *const c_char,
    filename_len: usize,
    base_dir: *const c_char,
    base_dir_len: usize,
    out: *mut *mut ag_nats_auth,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (text, filename, base_dir, out) = unsafe {
            (
                borrow(text, text_len, "text")?,
                optional_utf8(filename, filename_len, "filename")?,
                optional_utf8(base_dir, base_dir_len, "base_dir")?,
                Out::new(out, "out")?,
            )
        };
        let auth = NatsAuth::parse(text, filename, base_dir)?;
        out.write(into_handle(ag_nats_auth { inner: auth }));
        Ok(())
    })
}

/// nats-server's single-user command-line mode (`nats-server --user U --pass P`): one user in
/// the global account, no permissions. The caller owns `*out` (ag_nats_auth_free).
///
/// # Safety
/// `user` and `password` readable for their lengths; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_auth_single_user(
    user: *const c_char,
    user_len: usize,
    password: *const c_char,
    password_len: usize,
    out: *mut *mut ag_nats_auth,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (user, password, out) = unsafe {
            (borrow(user, user_len, "user")?, borrow(password, password_len, "password")?, Out::new(out, "out")?)
        };
        out.write(into_handle(ag_nats_auth { inner: NatsAuth::single_user(user, password) }));
        Ok(())
    })
}

/// nats-server's token command-line mode (`nats-server --auth TOKEN`). The caller owns
/// `*out` (ag_nats_auth_free).
///
/// # Safety
/// `token` readable for `token_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_auth_token(
    token: *const c_char,
    token_len: usize,
    out: *mut *mut ag_nats_auth,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (token, out) = unsafe { (borrow(token, token_len, "token")?, Out::new(out, "out")?) };
        out.write(into_handle(ag_nats_auth { inner: NatsAuth::token(token) }));
        Ok(())
    })
}

/// Releases an authentication. NULL is a no-op. Identities it gave stay valid.
///
/// # Safety
/// `auth` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_auth_free(auth: *mut ag_nats_auth) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(auth) }
}

/// Writes the auth timeout in seconds to `*out`: `authorization.timeout`, else nats-server's
/// default (larger with TLS).
///
/// # Safety
/// `auth` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_auth_timeout(auth: *const ag_nats_auth, out: *mut f64) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (auth, out) = unsafe { (try_ref(auth, "auth")?, Out::new(out, "out")?) };
        out.write(auth.inner.auth_timeout());
        Ok(())
    })
}

/// Decides a CONNECT with the credentials in `connect`, as nats-server does. On success the
/// caller owns `*out` (ag_nats_identity_free), whose subscribe checks apply the config's
/// `max_sub_tokens`. A refused login is AG_AUTH with nats-server's `Authorization Violation`
/// (it never says why). bcrypt passwords make this slow on purpose: call it off any thread
/// that must stay responsive; it is safe from many threads at once.
///
/// # Safety
/// `auth` and `connect` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_authenticate(
    auth: *const ag_nats_auth,
    connect: *const ag_nats_connect,
    out: *mut *mut ag_nats_identity,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (auth, connect, out) =
            unsafe { (try_ref(auth, "auth")?, try_ref(connect, "connect")?, Out::new(out, "out")?) };
        let identity = auth.inner.authenticate(&connect.connect())?;
        out.write(into_handle(ag_nats_identity::new(identity)));
        Ok(())
    })
}

/// Creates credentials that send nothing, on a standard connection. The caller owns `*out`
/// (ag_nats_connect_free).
///
/// # Safety
/// `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_new(out: *mut *mut ag_nats_connect) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let out = unsafe { Out::new(out, "out")? };
        out.write(into_handle(ag_nats_connect {
            url: None,
            user: None,
            password: None,
            token: None,
            nkey: None,
            sig: None,
            nonce: None,
            connection_type: ConnectionType::default(),
            certificate: None,
        }));
        Ok(())
    })
}

/// Releases credentials. NULL is a no-op.
///
/// # Safety
/// `connect` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_free(connect: *mut ag_nats_connect) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(connect) }
}

/// Sets one byte-string field of `connect` to the `len` bytes at `ptr`.
///
/// # Safety
/// `connect` NULL or live and unshared; `ptr` readable for `len` bytes.
unsafe fn set_bytes(
    connect: *mut ag_nats_connect,
    ptr: *const c_char,
    len: usize,
    what: &str,
    field: fn(&mut ag_nats_connect) -> &mut Option<Vec<u8>>,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (connect, value) = unsafe { (try_mut(connect, "connect")?, borrow(ptr, len, what)?) };
        *field(connect) = Some(value.to_vec());
        Ok(())
    })
}

/// CONNECT's `user` (binary safe; replaces a user taken from the URL).
///
/// # Safety
/// `connect` live and unshared; `user` readable for `user_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_user(
    connect: *mut ag_nats_connect,
    user: *const c_char,
    user_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_bytes(connect, user, user_len, "user", |c| &mut c.user) }
}

/// CONNECT's `pass` (binary safe; replaces a password taken from the URL).
///
/// # Safety
/// `connect` live and unshared; `password` readable for `password_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_password(
    connect: *mut ag_nats_connect,
    password: *const c_char,
    password_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_bytes(connect, password, password_len, "password", |c| &mut c.password) }
}

/// CONNECT's `auth_token` (binary safe; replaces a token taken from the URL).
///
/// # Safety
/// `connect` live and unshared; `token` readable for `token_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_token(
    connect: *mut ag_nats_connect,
    token: *const c_char,
    token_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_bytes(connect, token, token_len, "token", |c| &mut c.token) }
}

/// CONNECT's `nkey`: the user's public nkey.
///
/// # Safety
/// `connect` live and unshared; `nkey` readable for `nkey_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_nkey(
    connect: *mut ag_nats_connect,
    nkey: *const c_char,
    nkey_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_bytes(connect, nkey, nkey_len, "nkey", |c| &mut c.nkey) }
}

/// CONNECT's `sig`: the nonce's signature by the nkey (base64url or base64).
///
/// # Safety
/// `connect` live and unshared; `sig` readable for `sig_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_sig(
    connect: *mut ag_nats_connect,
    sig: *const c_char,
    sig_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_bytes(connect, sig, sig_len, "sig", |c| &mut c.sig) }
}

/// The nonce the server sent in INFO, which `sig` signs.
///
/// # Safety
/// `connect` live and unshared; `nonce` readable for `nonce_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_nonce(
    connect: *mut ag_nats_connect,
    nonce: *const c_char,
    nonce_len: usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { set_bytes(connect, nonce, nonce_len, "nonce", |c| &mut c.nonce) }
}

/// How the client connects, by nats' name (`STANDARD`, `WEBSOCKET`, `LEAFNODE`,
/// `LEAFNODE_WS`, `MQTT`, `MQTT_WS`; case-insensitive). AG_INVALID_PARAMETER for any other
/// name (nothing changes).
///
/// # Safety
/// `connect` live and unshared; `connection_type` readable for `connection_type_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_connection_type(
    connect: *mut ag_nats_connect,
    connection_type: *const c_char,
    connection_type_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (connect, name) =
            unsafe { (try_mut(connect, "connect")?, borrow(connection_type, connection_type_len, "connection_type")?) };
        let name = utf8(name, "connection_type")?;
        connect.connection_type = ConnectionType::from_name(name)
            .ok_or_else(|| FfiError::invalid(format!("unknown connection_type {name:?}")))?;
        Ok(())
    })
}

/// A `nats://user:pass@host:port` or `nats://token@host:port` URL whose credentials are sent
/// as nats clients send them (no percent-decoding); a user, password or token set explicitly
/// replaces the URL's. AG_INVALID_PARAMETER if not UTF-8 (nothing changes).
///
/// # Safety
/// `connect` live and unshared; `url` readable for `url_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_url(
    connect: *mut ag_nats_connect,
    url: *const c_char,
    url_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (connect, url) = unsafe { (try_mut(connect, "connect")?, borrow(url, url_len, "url")?) };
        connect.url = Some(utf8(url, "url")?.to_string());
        Ok(())
    })
}

/// The client's certificate (a copy of `cert`; NULL: none), for configs with
/// `tls { verify_and_map: true }`, which map it to a user as nats-server does (SAN e-mails,
/// DNS names, URIs, then the subject). It is taken as already verified against the
/// listener's CA: check the chain first.
///
/// # Safety
/// `connect` live and unshared; `cert` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_connect_set_certificate(
    connect: *mut ag_nats_connect,
    cert: *const crate::cert::ag_client_cert,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts (NULL `cert` is allowed: no certificate).
        let (connect, cert) = unsafe { (try_mut(connect, "connect")?, cert.as_ref()) };
        connect.certificate = cert.map(|c| std::sync::Arc::new(c.cert().clone()));
        Ok(())
    })
}
