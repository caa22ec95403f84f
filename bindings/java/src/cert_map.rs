//! Native methods of `io.authgate.CertUserMap`: which ACL user a verified client certificate
//! logs in as (core's [`CertUserMap`], the lookup `authgate serve` runs at handshake). The
//! handle is `Box<RwLock<CertUserMap>>` as a `jlong` (the helpers of `nats.rs`): Java threads
//! may change and read one map at once; the Java `Handle` guarantees no call is in flight when
//! `nativeFree` runs. Refused modes and subject lines are core's `CERTIFICATE` errors, mapped by
//! the one policy. Results cross packed ([`wire`]); `CertLogin` is a Java value built from them.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use authgate::tls::{CertUserMap, ClientCert, SubjectLine, TlsAuthClientsUser};
use jni::objects::{JByteArray, JClass};
use jni::sys::{jboolean, jlong};
use jni::EnvUnowned;

use crate::acl::acl_ref;
use crate::error::{invalid, Result, ThrowAuthgate};
use crate::nats::{borrow, free};
use crate::wire;

type Map = RwLock<CertUserMap>;

/// A panic while the lock was held (a bug) leaves the map usable: every change is one insert or
/// remove, never half done.
fn read(handle: jlong) -> Result<RwLockReadGuard<'static, CertUserMap>> {
    Ok(borrow::<Map>(handle, "CertUserMap")?.read().unwrap_or_else(|p| p.into_inner()))
}

fn write(handle: jlong) -> Result<RwLockWriteGuard<'static, CertUserMap>> {
    Ok(borrow::<Map>(handle, "CertUserMap")?.write().unwrap_or_else(|p| p.into_inner()))
}

/// Text from a Java `byte[]` (the Java side encodes strings as UTF-8).
fn text(env: &jni::Env<'_>, array: &JByteArray<'_>) -> Result<String> {
    String::from_utf8(wire::bytes(env, array)?).map_err(|_| invalid("not valid UTF-8"))
}

fn mode_of(env: &jni::Env<'_>, mode: &JByteArray<'_>) -> Result<TlsAuthClientsUser> {
    Ok(text(env, mode)?.parse::<TlsAuthClientsUser>().map_err(authgate::Error::from)?)
}

/// `new CertUserMap(mode)`: `mode` null is core's default (`off`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeNew<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    mode: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let mode = if mode.is_null() { TlsAuthClientsUser::default() } else { mode_of(env, &mode)? };
        Ok(Box::into_raw(Box::new(RwLock::new(CertUserMap::new(mode)))) as jlong)
    })
    .resolve::<ThrowAuthgate>()
}

/// `CertUserMap.close()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        free::<Map>(handle);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `CertUserMap.mode()`, as redis.conf writes it.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeMode<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let mode = read(handle)?.mode();
        Ok(env.byte_array_from_slice(mode.as_str().as_bytes())?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `CertUserMap.setMode(mode)`: a refused value changes nothing.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeSetMode<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    mode: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let mode = mode_of(env, &mode)?;
        write(handle)?.set_mode(mode);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `CertUserMap.setUser(user, subjectLine)`: the line is validated before anything changes.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeSetUser<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    user: JByteArray<'local>,
    line: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let user = text(env, &user)?;
        let line = SubjectLine::parse(&text(env, &line)?).map_err(authgate::Error::from)?;
        write(handle)?.set_user(&user, line);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `CertUserMap.removeUser(user)`: whether it was a certificate user.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeRemoveUser<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    user: JByteArray<'local>,
) -> jboolean {
    env.with_env(|env| -> Result<jboolean> {
        let user = text(env, &user)?;
        Ok(write(handle)?.remove_user(&user).is_some())
    })
    .resolve::<ThrowAuthgate>()
}

/// `CertUserMap.subjectLine(user)`, packed: `1` and the line, or `0`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeSubjectLine<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    user: JByteArray<'local>,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let user = text(env, &user)?;
        let mut p = wire::Packer::new();
        match read(handle)?.subject_line(&user) {
            Some(line) => p.push("1").push(line.as_str()),
            None => p.push("0"),
        };
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `CertUserMap.users()`, packed: the names in name order.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeUsers<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let mut p = wire::Packer::new();
        p.extend(read(handle)?.users().map(|(name, _)| name));
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `CertUserMap.map(cert[, acl])`: `acl` 0 is no engine. Packed: `1` and the user or `0`, the
/// outcome, `1` and the log line or `0`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CertUserMap_nativeMap<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    cert: jlong,
    acl: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let cert = borrow::<ClientCert>(cert, "ClientCert")?;
        let acl = if acl == 0 { None } else { Some(&**acl_ref(acl)?) };
        let login = read(handle)?.map_acl(cert, acl);
        let mut p = wire::Packer::new();
        match login.user() {
            Some(user) => p.push("1").push(user),
            None => p.push("0"),
        };
        p.push(login.outcome());
        match login.log_line() {
            Some(line) => p.push("1").push(line),
            None => p.push("0"),
        };
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}
