//! `CertUserMap` / `CertLogin`: which ACL user a verified client certificate logs in as (core's
//! `tls::CertUserMap`, the lookup `authgate serve` runs at handshake): certificate users by
//! subject line first, then `tls-auth-clients-user`, then `default`. Refused modes and subject
//! lines are core's `CERTIFICATE` errors, mapped by `error.rs` like every other error.

use authgate::tls::{CertLogin as CoreLogin, CertUserMap as CoreMap, SubjectLine, TlsAuthClientsUser};
use napi::bindgen_prelude::{JsValue, Unknown, ValueType};
use napi::{Env, Result};
use napi_derive::napi;

use crate::acl::unwrap_acl;
use crate::args::Bytes;
use crate::cert::ClientCert;
use crate::error::{guard, invalid_argument, OrThrow};
use crate::records::lossy;

/// Certificate users (Redis Software's `auth_method: certificate` with their
/// `certificate_subject_line`) and the `tls-auth-clients-user` mode, mapping a verified client
/// certificate to the user it logs in as, in `authgate serve`'s order: a certificate user
/// whose subject line equals the certificate's RFC 2253 subject (the first by name when several
/// do), then the mode's CN or SAN URI, then `default`.
#[napi]
pub struct CertUserMap {
    inner: CoreMap,
}

/// What a certificate mapped to (`CertUserMap.map`). Immutable.
#[napi]
pub struct CertLogin {
    inner: CoreLogin,
}

/// A string or Buffer argument as UTF-8 text (`INVALID_ARGUMENT` naming `what` otherwise);
/// another type is already a `TypeError`, as for every other argument.
fn text(env: &Env, value: Bytes, what: &str) -> Result<String> {
    String::from_utf8(value.0).map_err(|_| invalid_argument(env.raw(), format!("{what} must be valid UTF-8")))
}

fn mode_of(env: &Env, mode: Bytes) -> Result<TlsAuthClientsUser> {
    text(env, mode, "mode")?.parse::<TlsAuthClientsUser>().or_throw(env)
}

#[napi]
impl CertUserMap {
    /// `mode` is `tls-auth-clients-user`: `off`, `CN` or `URI` in any case, as redis.conf
    /// reads it (core's default, `off`, when left out). Throws `CERTIFICATE` with core's text
    /// for another value.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, #[napi(ts_arg_type = "string | undefined | null")] mode: Option<Bytes>) -> Result<Self> {
        guard(&env, || {
            let mode = match mode {
                Some(m) => mode_of(&env, m)?,
                None => TlsAuthClientsUser::default(),
            };
            Ok(CertUserMap { inner: CoreMap::new(mode) })
        })
    }

    /// The mode as redis.conf writes it (`off`, `CN`, `URI`).
    #[napi(getter, catch_unwind)]
    pub fn mode(&self, env: Env) -> Result<&'static str> {
        guard(&env, || Ok(self.inner.mode().as_str()))
    }

    /// Sets the mode (any case); throws `CERTIFICATE` for another value, changing nothing.
    #[napi(setter, js_name = "mode", catch_unwind)]
    pub fn set_mode(&mut self, env: Env, #[napi(ts_arg_type = "string")] mode: Bytes) -> Result<()> {
        guard(&env, || {
            let mode = mode_of(&env, mode)?;
            self.inner.set_mode(mode);
            Ok(())
        })
    }

    /// The certificate users' names, in name order.
    #[napi(getter, catch_unwind)]
    pub fn users(&self, env: Env) -> Result<Vec<String>> {
        guard(&env, || Ok(self.inner.users().map(|(name, _)| name.to_string()).collect()))
    }

    /// Makes `user` a certificate user whose `certificate_subject_line` is `subjectLine`
    /// (replacing its previous line). The line must be the certificate's subject exactly as
    /// `openssl x509 -noout -subject -nameopt RFC2253` prints it; otherwise throws
    /// `CERTIFICATE` with core's text (saying how to write it) and nothing changes.
    #[napi(catch_unwind)]
    pub fn set_user(
        &mut self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] user: Bytes,
        #[napi(ts_arg_type = "string | Buffer")] subject_line: Bytes,
    ) -> Result<()> {
        guard(&env, || {
            let user = text(&env, user, "user")?;
            let line = SubjectLine::parse(&text(&env, subject_line, "subjectLine")?).or_throw(&env)?;
            self.inner.set_user(&user, line);
            Ok(())
        })
    }

    /// Stops `user` being a certificate user; true if it was one.
    #[napi(catch_unwind)]
    pub fn remove_user(&mut self, env: Env, #[napi(ts_arg_type = "string | Buffer")] user: Bytes) -> Result<bool> {
        guard(&env, || Ok(self.inner.remove_user(&text(&env, user, "user")?).is_some()))
    }

    /// The subject line of `user`, or `null` if it is not a certificate user.
    #[napi(catch_unwind)]
    pub fn subject_line(&self, env: Env, #[napi(ts_arg_type = "string | Buffer")] user: Bytes) -> Result<Option<String>> {
        guard(&env, || Ok(self.inner.subject_line(&text(&env, user, "user")?).map(|l| l.as_str().to_string())))
    }

    /// Which user `cert` (its chain already verified) logs in as. With `acl`, a candidate must
    /// be a user of that engine and enabled, as the server sees it; without (`undefined` or
    /// `null`), every name is a candidate, for a program that checks the user itself.
    #[napi(catch_unwind)]
    pub fn map(
        &self,
        env: Env,
        cert: &ClientCert,
        #[napi(ts_arg_type = "Acl | undefined | null")] acl: Option<Unknown>,
    ) -> Result<CertLogin> {
        guard(&env, || {
            let engine = match acl {
                Some(v) if !matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) => {
                    Some(unwrap_acl(env.raw(), v.raw(), "acl", "ERR_INVALID_ARG_TYPE")?)
                }
                _ => None,
            };
            let login = self.inner.map_acl(&cert.inner, engine.map(|a| &**a.acl()));
            Ok(CertLogin { inner: login })
        })
    }
}

#[napi]
impl CertLogin {
    /// The user the connection is authenticated as, or `null`: it stays `default`.
    #[napi(getter, catch_unwind)]
    pub fn user(&self, env: Env) -> Result<Option<String>> {
        guard(&env, || Ok(self.inner.user().map(lossy)))
    }

    /// Which rule decided: `certificate_user` (a subject line matched), `tls_auth_clients_user`
    /// (the CN or a SAN URI named an enabled user), `default` (nothing matched and the mode is
    /// off: Redis 7.0.15's behaviour, nothing logged) or `no_match` (the mode is on and found
    /// no user: the server logs `logLine` and writes an ACL LOG entry with reason `tls-cert`).
    #[napi(getter, catch_unwind)]
    pub fn outcome(&self, env: Env) -> Result<&'static str> {
        guard(&env, || Ok(self.inner.outcome()))
    }

    /// The server's log line (`TLS: Auto-authenticated client as alice`, `TLS: No matching
    /// user found ...`) for `tls_auth_clients_user` and `no_match`, else `null`.
    #[napi(getter, catch_unwind)]
    pub fn log_line(&self, env: Env) -> Result<Option<String>> {
        guard(&env, || Ok(self.inner.log_line().map(str::to_string)))
    }
}
