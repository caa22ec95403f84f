//! Native methods of `io.authgate.NatsAuth` and `io.authgate.NatsIdentity`: core's
//! [`NatsAuth`] (a nats-server config's client authentication) and the [`Identity`] a login
//! resolves to.
//!
//! Both handles are a `Box` as a `jlong`; the Java `Handle` guarantees that no call is in flight
//! when `nativeFree` runs. Errors are core's `NatsError`s converted into the one contract:
//! `CONFIG` for a refused config (nats-server's text), `AUTH` for a refused login.

use authgate::nats::{Connect, ConnectionType, Identity, NatsAuth, SubjectList};
use jni::objects::{JByteArray, JClass};
use jni::sys::{jboolean, jdouble, jlong};
use jni::{Env, EnvUnowned};

use crate::error::{invalid, Result, ThrowAuthgate};
use crate::wire::{self, split};

/// Borrows what a non-zero handle points to.
pub(crate) fn borrow<'a, T>(handle: jlong, what: &str) -> Result<&'a T> {
    if handle == 0 {
        return Err(invalid(format!("{what} is closed")));
    }
    // SAFETY: a non-zero handle came from `Box::into_raw` of a `T` (here or in cert.rs) and is freed
    // only by its `nativeFree`, which the Java side calls once, after every other call returned.
    Ok(unsafe { &*(handle as *const T) })
}

/// Frees a handle made by `Box::into_raw` (0: nothing to free).
pub(crate) fn free<T>(handle: jlong) {
    if handle != 0 {
        // SAFETY: see `borrow`; this is the single release of the box.
        drop(unsafe { Box::from_raw(handle as *mut T) });
    }
}

fn auth_handle(auth: NatsAuth) -> jlong {
    Box::into_raw(Box::new(auth)) as jlong
}

/// A UTF-8 string argument (paths and file names: core takes `&str`).
fn text(what: &str, raw: Vec<u8>) -> Result<String> {
    String::from_utf8(raw).map_err(|_| invalid(format!("{what} is not valid UTF-8")))
}

fn optional_text(env: &Env<'_>, what: &str, array: &JByteArray<'_>) -> Result<Option<String>> {
    wire::optional_bytes(env, array)?
        .map(|raw| text(what, raw))
        .transpose()
}

/// `NatsAuth.fromFile(path)`: the file as `nats-server -c PATH` reads it.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsAuth_nativeFromFile<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    path: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let path = text("path", wire::bytes(env, &path)?)?;
        Ok(auth_handle(
            NatsAuth::from_file(&path).map_err(authgate::Error::from)?,
        ))
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsAuth.parse(text, filename, baseDir)`; null filename / baseDir: core's defaults.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsAuth_nativeParse<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    config: JByteArray<'local>,
    filename: JByteArray<'local>,
    base_dir: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let config = wire::bytes(env, &config)?;
        let filename = optional_text(env, "filename", &filename)?;
        let base_dir = optional_text(env, "baseDir", &base_dir)?;
        let auth = NatsAuth::parse(&config, filename.as_deref(), base_dir.as_deref())
            .map_err(authgate::Error::from)?;
        Ok(auth_handle(auth))
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsAuth.singleUser(user, password)`: nats-server's `--user U --pass P` mode.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsAuth_nativeSingleUser<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    user: JByteArray<'local>,
    password: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let user = wire::bytes(env, &user)?;
        let password = wire::bytes(env, &password)?;
        Ok(auth_handle(NatsAuth::single_user(&user, &password)))
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsAuth.token(token)`: nats-server's `--auth TOKEN` mode.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsAuth_nativeToken<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    token: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        Ok(auth_handle(NatsAuth::token(&wire::bytes(env, &token)?)))
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsAuth.close()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsAuth_nativeFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        free::<NatsAuth>(handle);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsAuth.authTimeout()`, in seconds.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsAuth_nativeAuthTimeout<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jdouble {
    env.with_env(|_env| -> Result<jdouble> {
        Ok(borrow::<NatsAuth>(handle, "NatsAuth")?.auth_timeout())
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsAuth.authenticate(connect)`. `packed` holds, in this order, the URL, user, password,
/// token, nkey, sig, nonce, connection type and certificate (PEM or DER), each preceded by a presence flag (`"1"` or
/// empty): the URL's credentials come first and a field given explicitly replaces its part,
/// as the `authgate nats auth` command line does. Returns the `NatsIdentity` handle.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsAuth_nativeAuthenticate<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    packed: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let auth = borrow::<NatsAuth>(handle, "NatsAuth")?;
        let buf = wire::bytes(env, &packed)?;
        let items = split(&buf)?;
        let [u, url, f1, user, f2, password, f3, token, f4, nkey, f5, sig, f6, nonce, f7, ctype, f8, cert] =
            items.as_slice()
        else {
            return Err(invalid("malformed connect arguments"));
        };
        let given = |flag: &[u8]| !flag.is_empty();
        let mut c = if given(u) {
            Connect::from_url(&text("url", url.to_vec())?)
        } else {
            Connect::default()
        };
        for (flag, value, field) in [
            (f1, user, &mut c.user),
            (f2, password, &mut c.password),
            (f3, token, &mut c.token),
            (f4, nkey, &mut c.nkey),
            (f5, sig, &mut c.sig),
            (f6, nonce, &mut c.nonce),
        ] {
            if given(flag) {
                *field = value.to_vec();
            }
        }
        if given(f7) {
            let name = String::from_utf8_lossy(ctype);
            c.connection_type = ConnectionType::from_name(&name)
                .ok_or_else(|| invalid(format!("unknown connection type {name:?}")))?;
        }
        if given(f8) {
            let cert = authgate::tls::ClientCert::parse(cert).map_err(authgate::Error::from)?;
            c.certificate = Some(std::sync::Arc::new(cert));
        }
        let id = auth.authenticate(&c).map_err(authgate::Error::from)?;
        Ok(Box::into_raw(Box::new(id)) as jlong)
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsIdentity.close()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsIdentity_nativeFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        free::<Identity>(handle);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsIdentity` construction: the user name, then the account (both read once).
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsIdentity_nativeNames<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let id = borrow::<Identity>(handle, "NatsIdentity")?;
        let mut p = wire::Packer::new();
        p.push(id.user()).push(id.account());
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsIdentity.canPublish(subject)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsIdentity_nativeCanPublish<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    subject: JByteArray<'local>,
) -> jboolean {
    env.with_env(|env| -> Result<jboolean> {
        let id = borrow::<Identity>(handle, "NatsIdentity")?;
        Ok(id.can_publish(&wire::bytes(env, &subject)?))
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsIdentity.canSubscribe(subject, queue)`; a null queue: a plain subscription.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsIdentity_nativeCanSubscribe<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    subject: JByteArray<'local>,
    queue: JByteArray<'local>,
) -> jboolean {
    env.with_env(|env| -> Result<jboolean> {
        let id = borrow::<Identity>(handle, "NatsIdentity")?;
        let queue = wire::optional_bytes(env, &queue)?;
        Ok(id.can_subscribe(&wire::bytes(env, &subject)?, queue.as_deref()))
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsIdentity.canReceive(subject)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsIdentity_nativeCanReceive<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    subject: JByteArray<'local>,
) -> jboolean {
    env.with_env(|env| -> Result<jboolean> {
        let id = borrow::<Identity>(handle, "NatsIdentity")?;
        Ok(id.can_receive(&wire::bytes(env, &subject)?))
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsIdentity.permissions()`: `0`, or `1` then for each of core's four subject lists (in
/// `SubjectList::ALL`'s order) `0` or `1` and the list, then `0` or `1`, max and expires
/// (seconds) of `allow_responses`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsIdentity_nativePermissions<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    env.with_env(|env| -> Result<JByteArray<'local>> {
        let id = borrow::<Identity>(handle, "NatsIdentity")?;
        let mut p = wire::Packer::new();
        match id.permissions() {
            None => {
                p.push("0");
            }
            Some(perms) => {
                p.push("1");
                for which in SubjectList::ALL {
                    match perms.list(which) {
                        Some(entries) => p.push("1").list(entries),
                        None => p.push("0"),
                    };
                }
                match perms.response {
                    Some(rp) => p.push("1").push_num(rp.max()).push_num(rp.expires_seconds()),
                    None => p.push("0"),
                };
            }
        }
        p.into_java(env)
    })
    .resolve::<ThrowAuthgate>()
}

/// `NatsIdentity.receivedRequest(reply)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NatsIdentity_nativeReceivedRequest<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    reply: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let id = borrow::<Identity>(handle, "NatsIdentity")?;
        id.received_request(&wire::bytes(env, &reply)?);
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `NativeLib.debugSetenv(name, value)` (value null: unset): the environment a config's `$VAR`
/// falls back to, which the JVM cannot change itself. For the NATS fixture test only, which
/// calls it from one thread while no config is being parsed.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_NativeLib_nativeDebugSetenv<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    name: JByteArray<'local>,
    value: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let name = text("name", wire::bytes(env, &name)?)?;
        match optional_text(env, "value", &value)? {
            // SAFETY: test-only; the caller changes the environment from one thread while no
            // native code reads it.
            Some(v) => unsafe { std::env::set_var(name, v) },
            None => unsafe { std::env::remove_var(name) },
        }
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}
