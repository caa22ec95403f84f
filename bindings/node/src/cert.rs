//! `ClientCert` / `SubjectPolicy`: core's certificate identity (`tls::ClientCert`) and Redis
//! Software's mTLS subject check (`tls::SubjectPolicy`). Refusals are core's `CERTIFICATE`
//! errors, mapped by `error.rs` like every other error.

use authgate::tls::{AuthorizedSubject, CertError, ClientCert as CoreCert, SubjectPolicy as CorePolicy, SubjectValidation};
use napi::bindgen_prelude::{FromNapiValue, JsValue, Unknown, ValueType};
use napi::{Env, Result};
use napi_derive::napi;

use crate::args::Bytes;
use crate::error::{guard, invalid_arg_type, invalid_argument, OrThrow};

/// A parsed X.509 client certificate: its subject exactly as `openssl x509 -noout -subject
/// -nameopt RFC2253` prints it, its first common name, its subject alternative names and its
/// validity dates. Immutable. Malformed input throws `CERTIFICATE` with core's reason (at
/// most 64 KiB is read).
#[napi]
pub struct ClientCert {
    pub(crate) inner: CoreCert,
}

#[napi]
impl ClientCert {
    /// Parses the first `CERTIFICATE` block of PEM text (other blocks, such as a private key
    /// in the same file, are skipped).
    #[napi(factory, catch_unwind)]
    pub fn from_pem(env: Env, #[napi(ts_arg_type = "string | Buffer")] data: Bytes) -> Result<Self> {
        guard(&env, || CoreCert::from_pem(data.as_slice()).map(|inner| ClientCert { inner }).or_throw(&env))
    }

    /// Parses one DER certificate (nothing may follow it).
    #[napi(factory, catch_unwind)]
    pub fn from_der(env: Env, #[napi(ts_arg_type = "Buffer")] data: Bytes) -> Result<Self> {
        guard(&env, || CoreCert::from_der(data.as_slice()).map(|inner| ClientCert { inner }).or_throw(&env))
    }

    /// The subject as `openssl x509 -noout -subject -nameopt RFC2253` prints it, without
    /// `subject=` (empty for a certificate without subject): what a Redis Software
    /// certificate user's `certificate_subject_line` must equal.
    #[napi(getter, catch_unwind)]
    pub fn subject(&self, env: Env) -> Result<String> {
        guard(&env, || Ok(self.inner.subject().to_string()))
    }

    /// The subject's first common name in DER order (the one Valkey's
    /// `tls-auth-clients-user CN` uses), or `null`.
    #[napi(getter, catch_unwind)]
    pub fn common_name(&self, env: Env) -> Result<Option<String>> {
        guard(&env, || Ok(self.inner.common_name()))
    }

    /// The SAN e-mail addresses, in certificate order.
    #[napi(getter, catch_unwind)]
    pub fn san_emails(&self, env: Env) -> Result<Vec<String>> {
        guard(&env, || Ok(self.inner.san_emails().to_vec()))
    }

    /// The SAN DNS names, in certificate order.
    #[napi(getter, catch_unwind)]
    pub fn san_dns(&self, env: Env) -> Result<Vec<String>> {
        guard(&env, || Ok(self.inner.san_dns().to_vec()))
    }

    /// The SAN URIs, in certificate order.
    #[napi(getter, catch_unwind)]
    pub fn san_uris(&self, env: Env) -> Result<Vec<String>> {
        guard(&env, || Ok(self.inner.san_uris().to_vec()))
    }

    /// The SAN IP addresses as text (`127.0.0.1`, `::1`), in certificate order.
    #[napi(getter, catch_unwind)]
    pub fn san_ips(&self, env: Env) -> Result<Vec<String>> {
        guard(&env, || Ok(self.inner.san_ips().iter().map(|ip| ip.to_string()).collect()))
    }

    /// The start of the validity period (notBefore), seconds since the Unix epoch.
    #[napi(getter, catch_unwind)]
    pub fn not_before(&self, env: Env) -> Result<i64> {
        guard(&env, || Ok(self.inner.not_before()))
    }

    /// The end of the validity period (notAfter), seconds since the Unix epoch.
    #[napi(getter, catch_unwind)]
    pub fn not_after(&self, env: Env) -> Result<i64> {
        guard(&env, || Ok(self.inner.not_after()))
    }
}

/// Redis Software's mTLS subject check, applied to a certificate whose chain was already
/// verified. Immutable.
#[napi]
pub struct SubjectPolicy {
    inner: CorePolicy,
}

/// Core's policy for the JS arguments.
fn policy(validation: Option<&str>, subjects: &[String]) -> std::result::Result<CorePolicy, authgate::Error> {
    let validation = match validation {
        Some(v) => v.parse::<SubjectValidation>()?,
        None => SubjectValidation::default(),
    };
    let subjects =
        subjects.iter().map(|s| AuthorizedSubject::from_subject_line(s)).collect::<std::result::Result<Vec<_>, CertError>>()?;
    Ok(CorePolicy::new(validation, subjects)?)
}

/// The `authorizedSubjects` argument: `undefined`/`null` for none, else an array of strings or
/// Buffers (UTF-8); anything else is a `TypeError`, as for every other argument.
fn subject_lines(env: &Env, v: Option<&Unknown>) -> Result<Vec<String>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    match v.get_type()? {
        ValueType::Undefined | ValueType::Null => return Ok(Vec::new()),
        ValueType::Object if v.is_array()? => {}
        _ => {
            return Err(invalid_arg_type(
                env.raw(),
                "The \"authorizedSubjects\" argument must be an array of strings",
            ))
        }
    }
    // SAFETY: `v` is an array value of the current call.
    let items = unsafe { Vec::<Bytes>::from_napi_value(env.raw(), v.raw()) }?;
    items
        .into_iter()
        .map(|b| {
            String::from_utf8(b.0).map_err(|_| invalid_argument(env.raw(), "an authorized subject must be valid UTF-8".into()))
        })
        .collect()
}

#[napi]
impl SubjectPolicy {
    /// `validation` is `mtls_client_cert_subject_validation_type` (`disabled`, `san_cn`,
    /// `full_subject`; core's default, `disabled`, when left out) and `authorizedSubjects` the
    /// `mtls_authorized_subjects`, each written as a DN (`CN=alice,OU=Platform,O=Acme Corp`: CN
    /// required and once; O, L, ST, C at most once; OU any number of times, compared as a set).
    /// Throws `CERTIFICATE` with core's text for an unknown type or a subject it refuses.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        validation: Option<String>,
        #[napi(ts_arg_type = "Array<string | Buffer> | undefined | null")] authorized_subjects: Option<Unknown>,
    ) -> Result<Self> {
        guard(&env, || {
            let lines = subject_lines(&env, authorized_subjects.as_ref())?;
            policy(validation.as_deref(), &lines)
                .map(|inner| SubjectPolicy { inner })
                .or_throw(&env)
        })
    }

    /// The validation type as Redis Software writes it.
    #[napi(getter, catch_unwind)]
    pub fn validation(&self, env: Env) -> Result<&'static str> {
        guard(&env, || Ok(self.inner.validation().as_str()))
    }

    /// Returns when `cert` passes; throws `CERTIFICATE` naming, for each authorized subject,
    /// the attribute that differs.
    #[napi(catch_unwind)]
    pub fn check(&self, env: Env, cert: &ClientCert) -> Result<()> {
        guard(&env, || self.inner.authorize(&cert.inner).or_throw(&env))
    }
}
