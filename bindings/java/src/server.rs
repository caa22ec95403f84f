//! Native methods of `io.authgate.Server`: core's restartable [`ServerController`], sharing
//! the program's `Acl`.
//!
//! The handle is `Box<ServerController>` as a `jlong`; freeing it stops the server and waits
//! for its threads. The controller holds its own reference to the engine, so closing the Java
//! `Acl` while a server runs is safe.

use authgate::server::{ServerController, ServerOptions};
use authgate::tls::CertificateUser;
use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::EnvUnowned;

use crate::acl::engine_ref;
use crate::convert;
use crate::error::{invalid, Result, ThrowAuthgate};
use crate::wire;

fn server_ref<'a>(handle: jlong) -> Result<&'a ServerController> {
    if handle == 0 {
        return Err(invalid("Server is closed"));
    }
    // SAFETY: a non-zero handle came from `nativeNew` and is freed only by `nativeFree`, which
    // the Java side calls once, after every other call on it has returned.
    Ok(unsafe { &*(handle as *const ServerController) })
}

/// A port from Java's `int`.
fn port(n: jint) -> Result<u16> {
    u16::try_from(n).map_err(|_| invalid(format!("port out of range: {n}")))
}

/// `Server.Builder.build()`: a stopped server. Null arrays and false `has*` flags leave an
/// option unset, so core's default (or the config file's value) applies.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_io_authgate_Server_nativeNew<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    acl: jlong,
    host: JByteArray<'local>,
    has_port: jboolean,
    port_value: jint,
    requirepass: JByteArray<'local>,
    aclfile: JByteArray<'local>,
    has_maxclients: jboolean,
    maxclients: jint,
    config: JByteArray<'local>,
    tls: JByteArray<'local>,
    certificate_users: JByteArray<'local>,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let engine = engine_ref(acl)?.clone();
        let host = wire::optional_bytes(env, &host)?
            .map(|h| String::from_utf8(h).map_err(|_| invalid("host is not valid UTF-8")))
            .transpose()?;
        let options = ServerOptions {
            host,
            port: if has_port {
                Some(port(port_value)?)
            } else {
                None
            },
            requirepass: wire::optional_bytes(env, &requirepass)?,
            aclfile: convert::optional_path(env, &aclfile)?,
            maxclients: if has_maxclients {
                Some(convert::unsigned("maxclients", maxclients)?)
            } else {
                None
            },
            config_file: convert::optional_path(env, &config)?,
            ..ServerOptions::default()
        };
        let mut options = options;
        // name, value pairs: core parses each value with its directive's checks.
        let tls = wire::bytes(env, &tls)?;
        for pair in wire::split(&tls)?.chunks(2) {
            let [name, value] = pair else { return Err(invalid("odd TLS option list")) };
            let name = std::str::from_utf8(name).map_err(|_| invalid("TLS option name is not UTF-8"))?;
            options.tls.set(name, value)?;
        }
        let users = wire::bytes(env, &certificate_users)?;
        for pair in wire::split(&users)?.chunks(2) {
            let [name, line] = pair else { return Err(invalid("odd certificate user list")) };
            let text = |b: &[u8], what: &str| {
                String::from_utf8(b.to_vec()).map_err(|_| invalid(format!("{what} is not valid UTF-8")))
            };
            options.certificate_users.push(CertificateUser {
                name: text(name, "certificate user name")?,
                certificate_subject_line: text(line, "subject line")?,
            });
        }
        let controller = ServerController::for_engine(&engine, &options)?;
        Ok(Box::into_raw(Box::new(controller)) as jlong)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Server.close()`: stops the server (waiting for its threads) and frees it.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeFree<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        if handle != 0 {
            // SAFETY: see `server_ref`; this is the single release of the box.
            let server = unsafe { Box::from_raw(handle as *mut ServerController) };
            server.stop();
        }
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}

/// `Server.start()`: binds and serves; returns the bound port.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeStart<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jint {
    env.with_env(|_env| -> Result<jint> { Ok(jint::from(server_ref(handle)?.start()?)) })
        .resolve::<ThrowAuthgate>()
}

/// `Server.stop()`: false if it was not running.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeStop<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jboolean {
    env.with_env(|_env| -> Result<jboolean> { Ok(server_ref(handle)?.stop()) })
        .resolve::<ThrowAuthgate>()
}

/// `Server.restart()`: returns the new bound port.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeRestart<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jint {
    env.with_env(|_env| -> Result<jint> { Ok(jint::from(server_ref(handle)?.restart()?)) })
        .resolve::<ThrowAuthgate>()
}

/// `Server.running()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeRunning<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jboolean {
    env.with_env(|_env| -> Result<jboolean> { Ok(server_ref(handle)?.running()) })
        .resolve::<ThrowAuthgate>()
}

/// `Server.port()`: the bound port (the last one after a stop); before the first start, the
/// configured port (0: a free one is picked at start).
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativePort<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jint {
    env.with_env(|_env| -> Result<jint> {
        let server = server_ref(handle)?;
        Ok(jint::from(server.port().unwrap_or(server.config().port)))
    })
    .resolve::<ThrowAuthgate>()
}

/// `Server.tlsPort()`: the TLS port of the latest start, 0 for none.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeTlsPort<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jint {
    env.with_env(|_env| -> Result<jint> { Ok(jint::from(server_ref(handle)?.tls_port().unwrap_or(0))) })
        .resolve::<ThrowAuthgate>()
}

/// `Server.host()`: the configured address(es), space-separated as in redis.conf's `bind`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeHost<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JString<'local> {
    env.with_env(|env| -> Result<JString<'local>> {
        let host = server_ref(handle)?.host();
        Ok(env.new_string(host)?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Server.maxclients()`: the configured limit.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeMaxclients<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jint {
    env.with_env(|_env| -> Result<jint> {
        Ok(convert::to_jint(server_ref(handle)?.config().maxclients))
    })
    .resolve::<ThrowAuthgate>()
}
