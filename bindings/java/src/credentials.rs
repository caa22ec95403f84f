//! Native methods of `io.authgate.CredentialStore`: core's Milvus 2.3.5 user store
//! ([`CredentialStore`]). The options arrive as name/value pairs packed by
//! `CredentialStoreOptions` and are applied by core's [`StoreSettings::set`], so names,
//! defaults and checks are core's. Errors are core's `CREDENTIAL` errors (Milvus' code and
//! text), mapped by `error.rs` like every other error.
//!
//! The handle is a `Box` as a `jlong`; the Java `Handle` guarantees that no call is in flight
//! when `nativeFree` runs.

use authgate::credentials::{self, CredentialError, CredentialStore, StoreLocation, StoreSettings};
use jni::objects::{JByteArray, JClass, JString};
use jni::strings::JNIString;
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned};

use crate::convert::path_from;
use crate::error::{invalid, Result, ThrowAuthgate};
use crate::wire::{self, split, Packer};

/// Core's credential error as the one error contract.
fn core<T>(r: std::result::Result<T, CredentialError>) -> Result<T> {
    r.map_err(|e| authgate::Error::from(e).into())
}

/// Borrows the store behind a non-zero handle.
fn store<'a>(handle: jlong) -> Result<&'a CredentialStore> {
    if handle == 0 {
        return Err(invalid("CredentialStore is closed"));
    }
    // SAFETY: a non-zero handle came from `Box::into_raw` in `nativeOpen` and is freed only by
    // `nativeFree`, which the Java side calls once, after every other call returned.
    Ok(unsafe { &*(handle as *const CredentialStore) })
}

/// A text argument (core's names and passwords here are UTF-8; Java's are by construction).
fn text(env: &Env<'_>, what: &str, array: &JByteArray<'_>) -> Result<String> {
    String::from_utf8(wire::bytes(env, array)?).map_err(|_| invalid(format!("{what} is not valid UTF-8")))
}

/// `CredentialStore.nativeDefaults()`: core's default of every option, as name/value pairs.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeDefaults<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let mut p = Packer::new();
        for (name, value) in StoreSettings::defaults() {
            p.push(name).push(value);
        }
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.nativeOpen(kind, location, options)`: kind 0 memory, 1 file (location: the
/// path), 2 etcd (location: comma-separated endpoints); `options` the pairs set in Java.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeOpen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    kind: jint,
    location: JByteArray<'local>,
    options: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let location = match kind {
            0 => StoreLocation::Memory,
            1 => StoreLocation::File(path_from(wire::bytes(env, &location)?)?),
            2 => StoreLocation::etcd_list(&text(env, "endpoints", &location)?),
            _ => return Err(invalid(format!("unknown store kind {kind}"))),
        };
        let mut settings = StoreSettings::new(location);
        let packed = wire::bytes(env, &options)?;
        let items = split(&packed)?;
        if items.len() % 2 != 0 {
            return Err(invalid("malformed store options"));
        }
        for pair in items.chunks(2) {
            let name = std::str::from_utf8(pair[0]).map_err(|_| invalid("option name is not valid UTF-8"))?;
            let value = std::str::from_utf8(pair[1]).map_err(|_| invalid(format!("{name} is not valid UTF-8")))?;
            core(settings.set(name, value))?;
        }
        Ok(Box::into_raw(Box::new(core(settings.open())?)) as jlong)
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.close()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        if handle != 0 {
            // SAFETY: see `store`; this is the single release of the box.
            drop(unsafe { Box::from_raw(handle as *mut CredentialStore) });
        }
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.createUser(name, password)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeCreateUser<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JByteArray<'local>,
    password: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let (name, password) = (text(env, "name", &name)?, wire::bytes(env, &password)?);
        core(store(handle)?.create_user(&name, &password))
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.updatePassword(name, old, new, caller)`; a null caller is none.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeUpdatePassword<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JByteArray<'local>,
    old: JByteArray<'local>,
    new: JByteArray<'local>,
    caller: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let name = text(env, "name", &name)?;
        let (old, new) = (wire::bytes(env, &old)?, wire::bytes(env, &new)?);
        let caller = if caller.is_null() { None } else { Some(text(env, "caller", &caller)?) };
        core(store(handle)?.update_password(&name, &old, &new, caller.as_deref()))
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.deleteUser(name)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeDeleteUser<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let name = text(env, "name", &name)?;
        core(store(handle)?.delete_user(&name))
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.listUsers()`: the names, packed.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeListUsers<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let mut p = Packer::new();
        p.extend(core(store(handle)?.list_users())?);
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.verify(name, password)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeVerify<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JByteArray<'local>,
    password: JByteArray<'local>,
) -> jboolean {
    env.with_env(|env| -> Result<jboolean> {
        let (name, password) = (text(env, "name", &name)?, wire::bytes(env, &password)?);
        core(store(handle)?.verify(&name, &password))
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.toString()`: which backend (no secrets).
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeDescribe<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JString<'local> {
    env.with_env(|env| -> Result<JString<'local>> {
        let what = format!("CredentialStore({:?})", store(handle)?.backend());
        Ok(JString::from_jni_str(env, JNIString::from(what))?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `CredentialStore.milvusAuthorization(value)`: the user and the password, packed.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_CredentialStore_nativeMilvusAuthorization<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    value: JByteArray<'local>,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let value = text(env, "headerValue", &value)?;
        let (user, password) = core(credentials::milvus_authorization(&value))?;
        let mut p = Packer::new();
        p.push(user).push(password);
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}
