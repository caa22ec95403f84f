//! `CredentialStore` and `milvusAuthorization`: core's Milvus 2.3.5 user management. Each
//! operation has a Promise form (`...Async`) that runs it on libuv's thread pool, since bcrypt
//! (and etcd) take time. Errors are core's `CREDENTIAL` error (`milvusCode`, Milvus' text),
//! mapped by `error.rs` like every other error.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use authgate::credentials::{self, CredentialOptions, CredentialStore as CoreStore, StoreLocation, StoreSettings};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use crate::args::{options_object, Bytes};
use crate::error::{guard, invalid_argument, OrThrow};
use crate::tasks::{blocking, Blocking};

/// Where the users are and Milvus' settings; every field optional (core's defaults: Milvus
/// 2.3.5's). No `path` and no `etcd`: in memory.
#[napi(object, object_to_js = false)]
pub struct CredentialStoreOptions {
    /// A JSON credential file (atomic writes, mode 0600).
    pub path: Option<String>,
    /// etcd endpoints, `host:port`, comma-separated: the etcd of a Milvus.
    pub etcd: Option<String>,
    /// Milvus' `etcd.rootPath` (`by-dev`).
    pub root_path: Option<String>,
    /// Milvus' `etcd.metaSubPath` (`meta`).
    pub meta_sub_path: Option<String>,
    /// etcd's own auth: user.
    pub etcd_user: Option<String>,
    /// etcd's own auth: password.
    pub etcd_password: Option<String>,
    /// TLS to etcd: PEM file of the CA that signs the etcd servers' certificates.
    pub etcd_ca: Option<String>,
    /// TLS to etcd: PEM file of a client certificate (with `etcdKey`).
    pub etcd_cert: Option<String>,
    /// TLS to etcd: PEM file of the client certificate's key (with `etcdCert`).
    pub etcd_key: Option<String>,
    /// `proxy.minPasswordLength` (6).
    pub min_password_length: Option<u32>,
    /// `proxy.maxPasswordLength` (256).
    pub max_password_length: Option<u32>,
    /// `proxy.maxUserNum` (100, root included).
    pub max_user_num: Option<u32>,
    /// `common.security.defaultRootPassword` (`Milvus`), used once when there is no root.
    pub default_root_password: Option<String>,
    /// `common.security.superUsers`.
    pub super_users: Option<Vec<String>>,
    /// bcrypt cost of new hashes (10); any cost verifies.
    pub bcrypt_cost: Option<u32>,
    /// Seconds a verified password is remembered as a keyed MAC (none: no cache).
    pub verified_cache_ttl: Option<f64>,
}

type Outcome<T> = std::result::Result<T, authgate::Error>;

/// A name argument as UTF-8 text (core's names are text), else `INVALID_ARGUMENT`.
fn text(env: &Env, what: &str, b: &Bytes) -> Result<String> {
    String::from_utf8(b.as_slice().to_vec()).map_err(|_| invalid_argument(env.raw(), format!("{what} must be valid UTF-8")))
}

fn open(env: &Env, o: Option<CredentialStoreOptions>) -> Result<Box<dyn FnOnce() -> Outcome<CoreStore> + Send>> {
    let o = o.unwrap_or(CredentialStoreOptions {
        path: None,
        etcd: None,
        root_path: None,
        meta_sub_path: None,
        etcd_user: None,
        etcd_password: None,
        etcd_ca: None,
        etcd_cert: None,
        etcd_key: None,
        min_password_length: None,
        max_password_length: None,
        max_user_num: None,
        default_root_password: None,
        super_users: None,
        bcrypt_cost: None,
        verified_cache_ttl: None,
    });
    let ttl = match o.verified_cache_ttl {
        Some(s) if !(s.is_finite() && s >= 0.0) => {
            return Err(invalid_argument(env.raw(), format!("verifiedCacheTtl must be a non-negative number of seconds, not {s}")))
        }
        s => s.map(Duration::from_secs_f64),
    };
    let d = CredentialOptions::default();
    let options = CredentialOptions {
        min_password_length: o.min_password_length.map_or(d.min_password_length, |n| n as usize),
        max_password_length: o.max_password_length.map_or(d.max_password_length, |n| n as usize),
        max_user_num: o.max_user_num.map_or(d.max_user_num, |n| n as usize),
        default_root_password: o.default_root_password.unwrap_or(d.default_root_password.clone()),
        super_users: o.super_users.unwrap_or_default(),
        bcrypt_cost: o.bcrypt_cost.unwrap_or(d.bcrypt_cost),
        verified_cache_ttl: ttl,
        ..d
    };
    let location = match (o.path, o.etcd) {
        (Some(_), Some(_)) => return Err(invalid_argument(env.raw(), "give path or etcd, not both".into())),
        (Some(path), None) => StoreLocation::File(path.into()),
        (None, Some(endpoints)) => StoreLocation::etcd_list(&endpoints),
        (None, None) => StoreLocation::Memory,
    };
    // Core checks the pairs (user and password, certificate and key), reads the PEM files and
    // refuses etcd options on a store that is not in etcd.
    let settings = StoreSettings {
        location,
        options,
        root_path: o.root_path,
        meta_sub_path: o.meta_sub_path,
        etcd_user: o.etcd_user,
        etcd_password: o.etcd_password,
        etcd_ca: o.etcd_ca.map(PathBuf::from),
        etcd_cert: o.etcd_cert.map(PathBuf::from),
        etcd_key: o.etcd_key.map(PathBuf::from),
    };
    Ok(Box::new(move || Ok(settings.open()?)))
}

/// Milvus 2.3.5 users: its rules, codes and texts, bcrypt, the root user; in memory, a file,
/// or the etcd a Milvus uses (shared with it both ways).
#[napi]
pub struct CredentialStore {
    inner: Arc<CoreStore>,
}

fn wrap(s: CoreStore) -> CredentialStore {
    CredentialStore { inner: Arc::new(s) }
}

#[napi]
impl CredentialStore {
    /// Opens the store (bootstrapping root once). Blocks for a file or etcd: see `open`.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, #[napi(ts_arg_type = "CredentialStoreOptions | null")] options: Option<Unknown>) -> Result<Self> {
        guard(&env, || {
            let o = options_object::<CredentialStoreOptions>(env.raw(), options.as_ref(), "options", true)?;
            open(&env, o)?().map(wrap).or_throw(&env)
        })
    }

    /// The constructor on libuv's thread pool.
    #[napi(catch_unwind, ts_return_type = "Promise<CredentialStore>")]
    pub fn open(
        env: Env,
        #[napi(ts_arg_type = "CredentialStoreOptions | null")] options: Option<Unknown>,
    ) -> Result<AsyncTask<Blocking<CoreStore, CredentialStore>>> {
        guard(&env, || {
            let o = options_object::<CredentialStoreOptions>(env.raw(), options.as_ref(), "options", true)?;
            Ok(blocking(open(&env, o)?, wrap))
        })
    }

    /// Creates a user; throws `CREDENTIAL` with Milvus' code and text if refused.
    #[napi(catch_unwind)]
    pub fn create_user(&self, env: Env, #[napi(ts_arg_type = "string | Buffer")] name: Bytes, #[napi(ts_arg_type = "string | Buffer")] password: Bytes) -> Result<()> {
        guard(&env, || self.inner.create_user(&text(&env, "name", &name)?, password.as_slice()).or_throw(&env))
    }

    /// `createUser` as a Promise.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn create_user_async(&self, env: Env, #[napi(ts_arg_type = "string | Buffer")] name: Bytes, #[napi(ts_arg_type = "string | Buffer")] password: Bytes) -> Result<AsyncTask<Blocking<(), ()>>> {
        let s = Arc::clone(&self.inner);
        guard(&env, || {
            let name = text(&env, "name", &name)?;
            Ok(blocking(move || Ok(s.create_user(&name, password.as_slice())?), |()| ()))
        })
    }

    /// Changes a password; `oldPassword` must verify unless `caller` is a super user.
    #[napi(catch_unwind)]
    pub fn update_password(&self, env: Env, #[napi(ts_arg_type = "string | Buffer")] name: Bytes, #[napi(ts_arg_type = "string | Buffer")] old_password: Bytes, #[napi(ts_arg_type = "string | Buffer")] new_password: Bytes, #[napi(ts_arg_type = "string | Buffer | null")] caller: Option<Bytes>) -> Result<()> {
        guard(&env, || {
            let (name, caller) = (text(&env, "name", &name)?, caller.map(|c| text(&env, "caller", &c)).transpose()?);
            self.inner.update_password(&name, old_password.as_slice(), new_password.as_slice(), caller.as_deref()).or_throw(&env)
        })
    }

    /// `updatePassword` as a Promise.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn update_password_async(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] name: Bytes,
        #[napi(ts_arg_type = "string | Buffer")] old_password: Bytes,
        #[napi(ts_arg_type = "string | Buffer")] new_password: Bytes,
        #[napi(ts_arg_type = "string | Buffer | null")] caller: Option<Bytes>,
    ) -> Result<AsyncTask<Blocking<(), ()>>> {
        let s = Arc::clone(&self.inner);
        guard(&env, || {
            let (name, caller) = (text(&env, "name", &name)?, caller.map(|c| text(&env, "caller", &c)).transpose()?);
            Ok(blocking(
                move || Ok(s.update_password(&name, old_password.as_slice(), new_password.as_slice(), caller.as_deref())?),
                |()| (),
            ))
        })
    }

    /// Deletes a user (not root) and its role mappings; an unknown user is not an error.
    #[napi(catch_unwind)]
    pub fn delete_user(&self, env: Env, #[napi(ts_arg_type = "string | Buffer")] name: Bytes) -> Result<()> {
        guard(&env, || self.inner.delete_user(&text(&env, "name", &name)?).or_throw(&env))
    }

    /// `deleteUser` as a Promise.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn delete_user_async(&self, env: Env, #[napi(ts_arg_type = "string | Buffer")] name: Bytes) -> Result<AsyncTask<Blocking<(), ()>>> {
        let s = Arc::clone(&self.inner);
        guard(&env, || {
            let name = text(&env, "name", &name)?;
            Ok(blocking(move || Ok(s.delete_user(&name)?), |()| ()))
        })
    }

    /// Every user, root included, in byte order.
    #[napi(catch_unwind)]
    pub fn list_users(&self, env: Env) -> Result<Vec<String>> {
        guard(&env, || self.inner.list_users().or_throw(&env))
    }

    /// `listUsers` as a Promise.
    #[napi(catch_unwind, ts_return_type = "Promise<string[]>")]
    pub fn list_users_async(&self, env: Env) -> Result<AsyncTask<Blocking<Vec<String>, Vec<String>>>> {
        let s = Arc::clone(&self.inner);
        guard(&env, || Ok(blocking(move || Ok(s.list_users()?), |v| v)))
    }

    /// Whether `password` is `name`'s password (an unknown user: false). Blocks for bcrypt:
    /// see `verifyAsync`.
    #[napi(catch_unwind)]
    pub fn verify(&self, env: Env, #[napi(ts_arg_type = "string | Buffer")] name: Bytes, #[napi(ts_arg_type = "string | Buffer")] password: Bytes) -> Result<bool> {
        guard(&env, || self.inner.verify(&text(&env, "name", &name)?, password.as_slice()).or_throw(&env))
    }

    /// `verify` on libuv's thread pool.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn verify_async(&self, env: Env, #[napi(ts_arg_type = "string | Buffer")] name: Bytes, #[napi(ts_arg_type = "string | Buffer")] password: Bytes) -> Result<AsyncTask<Blocking<bool, bool>>> {
        let s = Arc::clone(&self.inner);
        guard(&env, || {
            let name = text(&env, "name", &name)?;
            Ok(blocking(move || Ok(s.verify(&name, password.as_slice())?), |b| b))
        })
    }
}

/// `[user, password]` of a Milvus client's gRPC `authorization` metadata (base64 of
/// `user:password`); throws `CREDENTIAL` (Milvus' login failure text) otherwise.
#[napi(catch_unwind)]
pub fn milvus_authorization(env: Env, #[napi(ts_arg_type = "string | Buffer")] header_value: Bytes) -> Result<Vec<String>> {
    guard(&env, || {
        let (user, password) = credentials::milvus_authorization(&text(&env, "headerValue", &header_value)?).or_throw(&env)?;
        Ok(vec![user, password])
    })
}
