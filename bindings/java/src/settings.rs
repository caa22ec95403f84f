//! Native methods for the engine settings: core's defaults and checks for
//! `io.authgate.AclOptions` (declared on `Acl`: a record cannot declare native methods), and
//! `Acl.options()` / `setOptions` / `pubsubDefault` / `logMaxLen` / `setRequirepass`. Values
//! cross as core's config texts (`allchannels`) and ints.

use authgate::acl::AclOptions;
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;

use crate::acl::acl_ref;
use crate::convert;
use crate::error::{Result, ThrowAuthgate};
use crate::wire;

/// `Acl.nativeDefaultOptions()`, for `AclOptions.defaults()`: core's `AclOptions::default()`, packed.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeDefaultOptions<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        convert::pack_options(&AclOptions::default()).into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.nativeNormalizeOptions(...)`, the `AclOptions` constructor's check: both values as core accepts them; returns the
/// canonical `acl-pubsub-default` text.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeNormalizeOptions<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    pubsub: JByteArray<'local>,
    log_max_len: jint,
) -> JString<'local> {
    env.with_env(|env| -> Result<JString<'local>> {
        let options = convert::acl_options(env, &pubsub, log_max_len)?;
        Ok(env.new_string(options.pubsub_default.as_str())?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.options()`, packed like `AclOptions.defaults()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeOptions<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        convert::pack_options(&acl_ref(handle)?.options()).into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.setOptions(options)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeSetOptions<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    pubsub: JByteArray<'local>,
    log_max_len: jint,
) {
    env.with_env(|env| -> Result<()> {
        let acl = acl_ref(handle)?;
        acl.set_options(convert::acl_options(env, &pubsub, log_max_len)?);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.pubsubDefault()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativePubsubDefault<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JString<'local> {
    env.with_env(|env| -> Result<JString<'local>> {
        let value = acl_ref(handle)?.pubsub_default();
        Ok(env.new_string(value.as_str())?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.setPubsubDefault(value)`: `CONFIG SET acl-pubsub-default`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeSetPubsubDefault<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    value: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let acl = acl_ref(handle)?;
        acl.set_pubsub_default(convert::pubsub_default(&wire::bytes(env, &value)?)?);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.logMaxLen()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeLogMaxLen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jint {
    env.with_env(|_env| -> Result<jint> { Ok(convert::to_jint(acl_ref(handle)?.log_max_len())) })
        .resolve::<ThrowAuthgate>()
}

/// `Acl.setLogMaxLen(n)`: `CONFIG SET acllog-max-len`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeSetLogMaxLen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    n: jint,
) {
    env.with_env(|_env| -> Result<()> {
        let acl = acl_ref(handle)?;
        acl.set_log_max_len(convert::unsigned("logMaxLen", n)?);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.setRequirepass(password)`: the `default` user's password (empty: `nopass`); through
/// the store for an engine from `fromStore`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeSetRequirepass<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    password: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let acl = crate::acl::engine_ref(handle)?;
        Ok(acl.set_requirepass(&wire::bytes(env, &password)?)?)
    })
    .resolve::<ThrowAuthgate>()
}
