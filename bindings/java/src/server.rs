//! Native methods of `io.authgate.Server`: the RESP server, sharing the `Acl` of the program.
//!
//! The handle is `Box<ServerHandle>` as a `jlong`; freeing it stops the server and waits for
//! its thread. The server holds its own reference to the engine, so closing the Java `Acl`
//! while a server runs is safe.

use authgate::server::{Server, ServerHandle};
use jni::objects::{JByteArray, JClass};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;

use crate::acl::acl_ref;
use crate::error::{Error, Result, ThrowAuthgate};
use crate::wire;

fn server_ref<'a>(handle: jlong) -> Result<&'a ServerHandle> {
    if handle == 0 {
        return Err(Error::Closed("Server"));
    }
    // SAFETY: a non-zero handle came from `nativeStart` and is freed only by `nativeStop`, which
    // the Java side calls once, after every other call on it has returned.
    Ok(unsafe { &*(handle as *const ServerHandle) })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeStart<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    acl: jlong,
    host: JByteArray<'local>,
    port: jint,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let acl = acl_ref(acl)?.clone();
        let host = String::from_utf8(wire::bytes(env, &host)?)
            .map_err(|_| Error::Argument("host is not valid UTF-8".into()))?;
        let port = u16::try_from(port)
            .map_err(|_| Error::Argument(format!("port out of range: {port}")))?;
        let err = |e: authgate::server::ServerError| Error::Server(e.code(), e.to_string());
        let handle = Server::builder(acl)
            .bind(host)
            .port(port)
            .build()
            .map_err(err)?
            .start()
            .map_err(err)?;
        Ok(Box::into_raw(Box::new(handle)) as jlong)
    })
    .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativePort<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jint {
    env.with_env(|_env| -> Result<jint> { Ok(server_ref(handle)?.port() as jint) })
        .resolve::<ThrowAuthgate>()
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_Server_nativeStop<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    env.with_env(|_env| -> Result<()> {
        if handle != 0 {
            // SAFETY: see `server_ref`; this is the single release of the box.
            let server = unsafe { Box::from_raw(handle as *mut ServerHandle) };
            server.stop();
        }
        Ok(())
    })
    .resolve::<ThrowAuthgate>()
}
