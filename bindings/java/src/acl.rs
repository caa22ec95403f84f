//! Native methods of `io.authgate.Acl`.
//!
//! The handle is `Box<EmbeddedAcl>` as a `jlong`: the engine (an `Arc`, so a `Server` can
//! share it) and, for `Acl.fromStore`, the store its writes go through (core decides).
//! The Java side guarantees that no call is in flight when `nativeFree` runs.

use std::sync::Arc;

use authgate::acl::{Acl, LogEntry, SelectorInfo, DEFAULT_GENPASS_BITS};
use authgate::acl_store::EmbeddedAcl;
use jni::objects::{JByteArray, JClass};
use jni::sys::{jboolean, jint, jlong};
use jni::EnvUnowned;

use crate::convert;
use crate::error::{invalid, Result, ThrowAuthgate};
use crate::fast;
use crate::wire::{self, split, Packer};

/// Borrows the engine and its store behind a handle: the writes a fleet shares (setuser,
/// deluser, load, requirepass).
pub(crate) fn engine_ref<'a>(handle: jlong) -> Result<&'a EmbeddedAcl> {
    if handle == 0 {
        return Err(invalid("Acl is closed"));
    }
    // SAFETY: a non-zero handle came from `into_handle` / `into_engine_handle` and is freed
    // only by `nativeFree`, which the Java side calls once, after every other call on it has
    // returned.
    Ok(unsafe { &*(handle as *const EmbeddedAcl) })
}

/// Borrows the engine behind a handle (reads, local settings, what a `Server` shares).
pub(crate) fn acl_ref<'a>(handle: jlong) -> Result<&'a Arc<Acl>> {
    Ok(engine_ref(handle)?.acl())
}

/// Boxes a local engine into the handle the Java `Acl` keeps.
pub(crate) fn into_handle(acl: Acl) -> jlong {
    into_engine_handle(EmbeddedAcl::new(Arc::new(acl)))
}

/// Boxes an engine (attached to a store or not) into the handle the Java `Acl` keeps.
pub(crate) fn into_engine_handle(engine: EmbeddedAcl) -> jlong {
    Box::into_raw(Box::new(engine)) as jlong
}

fn first_and_rest<'a>(args: &'a [&'a [u8]]) -> Result<(&'a [u8], &'a [&'a [u8]])> {
    args.split_first()
        .map(|(f, r)| (*f, r))
        .ok_or_else(|| invalid("missing user name"))
}

/// `new Acl()` (pubsub null: core's defaults) and `new Acl(AclOptions)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeNew<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    pubsub: JByteArray<'local>,
    log_max_len: jint,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let acl = Acl::with_options(convert::acl_options_or_default(env, &pubsub, log_max_len)?);
        Ok(into_handle(acl))
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        if handle != 0 {
            // SAFETY: see `acl_ref`; this is the single release of the box.
            drop(unsafe { Box::from_raw(handle as *mut EmbeddedAcl) });
        }
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeSetuser<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    packed: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let acl = engine_ref(handle)?;
        let buf = wire::bytes(env, &packed)?;
        let args = split(&buf)?;
        let (name, rules) = first_and_rest(&args)?;
        Ok(acl.setuser(name, rules)?)
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeDeluser<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    packed: JByteArray<'local>,
) -> jint {
    env.with_env(|env| -> Result<jint> {
        let acl = engine_ref(handle)?;
        let buf = wire::bytes(env, &packed)?;
        let names = split(&buf)?;
        Ok(acl.deluser(&names)? as jint)
    })
    .resolve::<ThrowAuthgate>()
}

fn push_selector(p: &mut Packer, s: &SelectorInfo) {
    p.push(&s.commands).push(&s.keys).push(&s.channels);
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeGetuser<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    name: JByteArray<'local>,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let acl = acl_ref(handle)?;
        let name = wire::bytes(env, &name)?;
        let Some(info) = acl.getuser(&name) else {
            return Ok(JByteArray::default());
        };
        let mut p = Packer::new();
        p.list(&info.flags).list(&info.passwords);
        push_selector(&mut p, &info.root);
        p.push_num(info.selectors.len());
        for s in &info.selectors {
            push_selector(&mut p, s);
        }
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeUsers<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let mut p = Packer::new();
        p.extend(acl_ref(handle)?.users());
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeList<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let mut p = Packer::new();
        p.extend(acl_ref(handle)?.list());
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeCat<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    category: JByteArray<'local>,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let acl = acl_ref(handle)?;
        let category = if category.is_null() {
            None
        } else {
            Some(wire::bytes(env, &category)?)
        };
        let mut p = Packer::new();
        p.extend(acl.cat(category.as_deref())?);
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeAuthenticate<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    packed: JByteArray<'local>,
    len: jint,
) -> jboolean {
    fast::with_bytes(&mut env, &packed, len, |buf| {
        let acl = acl_ref(handle)?;
        match split(buf)?.as_slice() {
            [user, password] => Ok(acl.authenticate(user, password)),
            _ => Err(invalid("expected a user and a password")),
        }
    })
}

/// `Acl.allowed`: the check's hot path, with a denial as `false` instead of an exception.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeAllowed<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    packed: JByteArray<'local>,
    len: jint,
) -> jboolean {
    fast::with_bytes(&mut env, &packed, len, |buf| {
        let acl = acl_ref(handle)?;
        let args = split(buf)?;
        let (user, argv) = first_and_rest(&args)?;
        Ok(acl.allowed(user, argv)?)
    })
}

/// `Acl.denial` and `Acl.check`: null if allowed (no JNI environment is built for it), else
/// the denial's reason, command, object, NOPERM text and core's error code, packed for
/// `AclDenial.fromPacked` and `PermissionDeniedException.fromPacked`. `check` throws from Java
/// rather than through JNI's Throw: a native-built exception costs microseconds more.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeDenial<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    packed: JByteArray<'local>,
    len: jint,
) -> JByteArray<'local> {
    let denied = fast::with_bytes(&mut env, &packed, len, |buf| {
        let acl = acl_ref(handle)?;
        let args = split(buf)?;
        let (user, argv) = first_and_rest(&args)?;
        Ok(acl.denial(user, argv)?)
    });
    // None: allowed, or an error whose exception with_bytes has left pending.
    let Some(d) = denied else {
        return JByteArray::default();
    };
    env.with_env(move |env| -> Result<JByteArray<'local>> {
        let mut p = Packer::new();
        p.push(d.kind.as_str()).push(&d.command).push(&d.object).push(d.message());
        p.push(authgate::ErrorKind::NoPerm.code());
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeDryrun<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    packed: JByteArray<'local>,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let acl = acl_ref(handle)?;
        let buf = wire::bytes(env, &packed)?;
        let args = split(&buf)?;
        let (user, argv) = first_and_rest(&args)?;
        Ok(env.byte_array_from_slice(acl.dryrun(user, argv)?.text())?)
    })
    .resolve::<ThrowAuthgate>()
}

fn push_entry(p: &mut Packer, e: &LogEntry) {
    p.push_num(e.count)
        .push(e.reason.as_str())
        .push(e.context.as_str())
        .push(&e.object)
        .push(&e.username)
        .push_num(e.age_seconds)
        .push(&e.client_info);
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeLog<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    has_count: jboolean,
    count: jint,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let acl = acl_ref(handle)?;
        // No count: core's default, as `ACL LOG` without an argument.
        let count = if has_count {
            Some(convert::unsigned("count", count)?)
        } else {
            None
        };
        let mut p = Packer::new();
        for e in acl.log(count) {
            push_entry(&mut p, &e);
        }
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeLogReset<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        acl_ref(handle)?.log_reset();
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.genpass(bits)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeGenpass<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    bits: jint,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        // A negative count is out of range like 0, as Redis' ACL GENPASS -1 is: core's
        // range error, with Redis' text.
        let text = Acl::genpass(u32::try_from(bits).unwrap_or(0))?;
        Ok(env.byte_array_from_slice(text.as_bytes())?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.DEFAULT_GENPASS_BITS`: what `genpass()` uses.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeDefaultGenpassBits<'local>(
    _env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jint {
    DEFAULT_GENPASS_BITS as jint
}
