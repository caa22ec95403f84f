//! JNI bindings for authgate: the native half of the `io.authgate` Java package.
//!
//! Thin by design: conversions and error mapping only. Every native method runs its body in
//! `EnvUnowned::with_env` (which catches panics) and resolves the outcome with
//! [`error::ThrowAuthgate`], so every `authgate::Error` becomes its Java exception through one
//! mapper (by `ErrorKind`) and a panic becomes an `AuthgateException` with code `PANIC`;
//! nothing unwinds into the JVM.
//!
//! Strings cross as UTF-8 `byte[]`s, argument lists as one packed `byte[]` ([`wire`]).

mod acl;
mod aclfile;
mod cert;
mod cert_map;
mod convert;
mod credentials;
mod error;
mod fast;
mod nats;
mod server;
mod settings;
mod wire;

use authgate::ErrorKind;
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::{strings::JNIString, EnvUnowned};

use error::{invalid, Result, ThrowAuthgate};

/// `NativeLib.nativeVersion()`: the crate version, compared with the jar's.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NativeLib_nativeVersion<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JString<'local> {
    env.with_env(|env| -> Result<JString<'local>> {
        Ok(JString::from_jni_str(
            env,
            JNIString::from(env!("CARGO_PKG_VERSION")),
        )?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `NativeLib.nativeDebugPanic(message)`: panics on purpose, so tests can check that a panic
/// surfaces as `AuthgateException` with code `PANIC` and leaves the JVM running.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NativeLib_nativeDebugPanic<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    message: JString<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let text = message.try_to_string(env)?;
        panic!("{text}");
    })
    .resolve::<ThrowAuthgate>()
}

/// `NativeLib.nativeBoundary(packed, len)`: the argument path of `Acl.check` without the
/// engine (panic boundary, one array copy, split); returns the argument count. Used by the
/// benchmark to report the cost of crossing the boundary.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NativeLib_nativeBoundary<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    packed: JByteArray<'local>,
    len: jint,
) -> jint {
    fast::with_bytes(&mut env, &packed, len, |buf| {
        Ok(wire::split(buf)?.len() as jint)
    })
}

/// `NativeLib.nativeDebugPanicFast(packed, len)`: like `nativeDebugPanic`, but panics inside
/// the hot-path boundary of `Acl.check` ([`fast::with_bytes`]), so tests cover both roads.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NativeLib_nativeDebugPanicFast<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    packed: JByteArray<'local>,
    len: jint,
) {
    fast::with_bytes(&mut env, &packed, len, |buf| -> Result<()> {
        let args = wire::split(buf)?;
        let text = args
            .first()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .unwrap_or_default();
        panic!("{text}");
    })
}

/// `NativeLib.nativeDebugError(code, message, hasMilvusCode, milvusCode)`: fails with an
/// `authgate::Error` of the kind whose code is `code`, so tests can check the exception every
/// kind maps to, including kinds no ACL operation produces yet.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NativeLib_nativeDebugError<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    code: JString<'local>,
    message: JString<'local>,
    has_milvus_code: jboolean,
    milvus_code: jlong,
) {
    env.with_env(|env| -> Result<()> {
        let code = code.try_to_string(env)?;
        let kind =
            ErrorKind::from_code(&code).ok_or_else(|| invalid(format!("unknown code {code}")))?;
        let mut err = authgate::Error::new(kind, message.try_to_string(env)?);
        if has_milvus_code {
            err = err.with_milvus_code(milvus_code);
        }
        Err(err.into())
    })
    .resolve::<ThrowAuthgate>()
}
