//! Native methods of `io.authgate.ClientCert` and `io.authgate.SubjectPolicy`: core's
//! certificate identity ([`ClientCert`]) and Redis Software's mTLS subject check
//! ([`SubjectPolicy`]). Both handles are a `Box` as a `jlong` (the helpers of `nats.rs`); the
//! Java `Handle` guarantees no call is in flight when `nativeFree` runs. Refusals are core's
//! `CERTIFICATE` errors, mapped by the one policy.

use authgate::tls::{AuthorizedSubject, CertError, ClientCert, SubjectPolicy, SubjectValidation};
use jni::objects::{JByteArray, JClass};
use jni::sys::jlong;
use jni::EnvUnowned;

use crate::error::{invalid, Result, ThrowAuthgate};
use crate::nats::{borrow, free};
use crate::wire::{self, split};

/// Parses `data` with `parse` into a new handle.
fn parse_handle(
    env: &jni::Env<'_>,
    data: &JByteArray<'_>,
    parse: fn(&[u8]) -> std::result::Result<ClientCert, CertError>,
) -> Result<jlong> {
    let cert = parse(&wire::bytes(env, data)?).map_err(authgate::Error::from)?;
    Ok(Box::into_raw(Box::new(cert)) as jlong)
}

/// `ClientCert.fromPem(data)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_ClientCert_nativeFromPem<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    data: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> { parse_handle(env, &data, ClientCert::from_pem) })
        .resolve::<ThrowAuthgate>()
}

/// `ClientCert.fromDer(data)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_ClientCert_nativeFromDer<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    data: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> { parse_handle(env, &data, ClientCert::from_der) })
        .resolve::<ThrowAuthgate>()
}

/// `ClientCert.close()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_ClientCert_nativeFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        free::<ClientCert>(handle);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `ClientCert` construction reads every property once, packed in this order: the subject,
/// `1` and the common name or `0` and nothing, the SAN e-mails, DNS names, URIs and IPs (each
/// a counted list), notBefore, notAfter (decimal Unix seconds).
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_ClientCert_nativeProperties<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let cert = borrow::<ClientCert>(handle, "ClientCert")?;
        let mut p = wire::Packer::new();
        p.push(cert.subject());
        match cert.common_name() {
            Some(cn) => p.push("1").push(cn),
            None => p.push("0"),
        };
        let ips: Vec<String> = cert.san_ips().iter().map(|ip| ip.to_string()).collect();
        p.list(cert.san_emails()).list(cert.san_dns()).list(cert.san_uris()).list(&ips);
        p.push_num(cert.not_before()).push_num(cert.not_after());
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `new SubjectPolicy(validation, authorizedSubjects)`: `packed` holds the validation type
/// (empty: core's default) and then each authorized subject line.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_SubjectPolicy_nativeNew<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    packed: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let buf = wire::bytes(env, &packed)?;
        let args = split(&buf)?;
        let text = |b: &[u8]| std::str::from_utf8(b).map(str::to_owned).map_err(|_| invalid("not valid UTF-8"));
        let (validation, subjects) = args.split_first().ok_or_else(|| invalid("truncated argument buffer"))?;
        let validation = match *validation {
            b"" => SubjectValidation::default(),
            v => text(v)?.parse::<SubjectValidation>().map_err(authgate::Error::from)?,
        };
        let subjects = subjects
            .iter()
            .map(|s| Ok(AuthorizedSubject::from_subject_line(&text(s)?).map_err(authgate::Error::from)?))
            .collect::<Result<Vec<_>>>()?;
        let policy = SubjectPolicy::new(validation, subjects).map_err(authgate::Error::from)?;
        Ok(Box::into_raw(Box::new(policy)) as jlong)
    })
    .resolve::<ThrowAuthgate>()
}

/// `SubjectPolicy.close()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_SubjectPolicy_nativeFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        free::<SubjectPolicy>(handle);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `SubjectPolicy.validation()`, read once at construction.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_SubjectPolicy_nativeValidation<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let policy = borrow::<SubjectPolicy>(handle, "SubjectPolicy")?;
        Ok(env.byte_array_from_slice(policy.validation().as_str().as_bytes())?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `SubjectPolicy.check(cert)`: returns, or throws `CertificateException` with core's reason.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_SubjectPolicy_nativeCheck<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    cert: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        let policy = borrow::<SubjectPolicy>(handle, "SubjectPolicy")?;
        let cert = borrow::<ClientCert>(cert, "ClientCert")?;
        Ok(policy.authorize(cert).map_err(authgate::Error::from)?)
    })
    .resolve::<ThrowAuthgate>()
}
