//! Native methods of `io.authgate.Acl` for aclfiles and stores: `fromFile`, `fromStore`,
//! `load`, `save`, `checkAclfile`. Errors are core's: Redis' ACL LOAD texts (`CONFIG`), ACL SAVE's (`IO`), the
//! store's (`INVALID_ARGUMENT`, `IO`).

use authgate::acl::Acl;
use authgate::acl_store::{EmbeddedAcl, StoreSettings};
use jni::objects::{JByteArray, JClass};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;

use crate::acl::{acl_ref, engine_ref, into_engine_handle, into_handle};
use crate::convert;
use crate::error::{invalid, Result, ThrowAuthgate};
use crate::wire;

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
        let options = convert::acl_options_or_default(env, &pubsub, log_max_len)?;
        Ok(into_handle(Acl::from_file(
            &convert::path(env, &file)?,
            options,
        )?))
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.fromStore(url[, store[, options]])`: `store` packs name/path pairs of
/// `acl.store_options` (core checks the names and reads the TLS files); pubsub null: core's
/// default options.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeFromStore<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    url: JByteArray<'local>,
    store: JByteArray<'local>,
    pubsub: JByteArray<'local>,
    log_max_len: jint,
) -> jlong {
    env.with_env(|env| -> Result<jlong> {
        let options = convert::acl_options_or_default(env, &pubsub, log_max_len)?;
        let url = wire::bytes(env, &url)?;
        let url = std::str::from_utf8(&url).map_err(|_| invalid("url is not valid UTF-8"))?;
        let packed = wire::bytes(env, &store)?;
        let mut settings = StoreSettings::default();
        for pair in wire::split(&packed)?.chunks(2) {
            let [name, path] = pair else { return Err(invalid("store options come in name/path pairs")) };
            let name = std::str::from_utf8(name).map_err(|_| invalid("a store option name is not valid UTF-8"))?;
            settings.set(name, &convert::path_from(path.to_vec())?).map_err(authgate::Error::from)?;
        }
        let store = settings.options(url).map_err(authgate::Error::from)?;
        let engine = EmbeddedAcl::from_store(options, store).map_err(authgate::Error::from)?;
        Ok(into_engine_handle(engine))
    })
    .resolve::<ThrowAuthgate>()
}

/// `Acl.load(path)`: ACL LOAD (through the store for an engine from `fromStore`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_authgate_AclNative_nativeLoad<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    file: JByteArray<'local>,
) {
    env.with_env(|env| -> Result<()> {
        let acl = engine_ref(handle)?;
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
