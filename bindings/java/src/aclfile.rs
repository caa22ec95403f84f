//! Native methods of `io.authgate.Acl` for aclfiles: `fromFile`, `load`, `save`,
//! `checkAclfile`. Errors are core's: Redis' ACL LOAD texts (`CONFIG`), ACL SAVE's (`IO`).

use authgate::acl::{Acl, AclOptions};
use jni::objects::{JByteArray, JClass};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;

use crate::acl::{acl_ref, into_handle};
use crate::convert;
use crate::error::{Result, ThrowAuthgate};

/// `Acl.fromFile(path[, options])`; pubsub null: core's default options.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeFromFile<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    file: JByteArray<'local>,
    pubsub: JByteArray<'local>,
    log_max_len: jint,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let options = if pubsub.is_null() {
            AclOptions::default()
        } else {
            convert::acl_options(env, &pubsub, log_max_len)?
        };
        Ok(into_handle(Acl::from_file(
            &convert::path(env, &file)?,
            options,
        )?))
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.load(path)`: ACL LOAD.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeLoad<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    file: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let acl = acl_ref(handle)?;
        Ok(acl.load(&convert::path(env, &file)?)?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.save(path)`: ACL SAVE.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeSave<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    file: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let acl = acl_ref(handle)?;
        Ok(acl.save(&convert::path(env, &file)?)?)
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.checkAclfile(path)`: validates without applying.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeCheckAclfile<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    file: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let acl = acl_ref(handle)?;
        Ok(acl.check_aclfile(&convert::path(env, &file)?)?)
    })
    .resolve::<ThrowAuthgate>()
}
