//! `Acl`: the Redis 7.0 ACL engine. The variadic methods (`setuser`, `deluser`, `check`,
//! `dryrun`) are raw callbacks in `variadic.rs`; the records in `records.rs`; the settings in
//! `options.rs`. Every method runs inside [`guard`], so a panic is core's `PANIC` error.

use std::sync::Arc;

use authgate::acl::{Acl as CoreAcl, AclError, AclOptions as CoreOptions, DEFAULT_GENPASS_BITS};
use authgate::acl_store::{EmbeddedAcl, StoreSettings};
use napi::bindgen_prelude::{AsyncTask, JsValue, TypeTag, Unknown};
use napi::{sys, Env, Error, Result};
use napi_derive::napi;

use crate::args::{ArgBuf, Bytes, Num};
use crate::error::{guard, type_error, OrThrow};
use crate::options::{self, AclSettings};
use crate::records::{lossy, LogEntry, UserInfo};
use crate::tasks::{blocking, Blocking};

/// The engine of the `Acl` instance `value` (napi-rs' type tag identifies it), borrowed for the
/// current call; a `TypeError` with `code` (`ERR_INVALID_THIS` for a method's receiver,
/// `ERR_INVALID_ARG_TYPE` for an argument) if `value` is anything else.
pub(crate) fn unwrap_acl<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
    what: &str,
    code: &str,
) -> std::result::Result<&'a EmbeddedAcl, Error> {
    let not_acl = || {
        type_error(
            env,
            code,
            &format!("The \"{what}\" value must be an instance of Acl"),
        )
    };
    let tag = <Acl as TypeTag>::type_tag();
    let mut matches = false;
    // SAFETY: `value` is a value of the current call; a non-object gives a non-ok status.
    let st = unsafe { sys::napi_check_object_type_tag(env, value, &tag, &mut matches) };
    if st != sys::Status::napi_ok || !matches {
        return Err(not_acl());
    }
    let mut raw: *mut std::ffi::c_void = std::ptr::null_mut();
    // SAFETY: the type tag proves that `value` is an `Acl` instance, which napi-rs wrapped with
    // a `Box<Acl>` pointer.
    let st = unsafe { sys::napi_unwrap(env, value, &mut raw) };
    if st != sys::Status::napi_ok || raw.is_null() {
        return Err(not_acl());
    }
    // SAFETY: `raw` points to the `Acl` owned by `value`, which the caller's arguments keep
    // alive for the whole call; `Acl` has no `&mut self` methods, so a shared borrow is sound.
    let js: &'a Acl = unsafe { &*(raw as *const Acl) };
    Ok(&js.engine)
}

/// `ACL GENPASS [bits]` for a JS argument: core's default when left out. A whole number
/// outside `u32` is clamped so that core reports Redis' range error; a fraction is Redis'
/// "not an integer" error.
fn genpass_bits(env: &Env, bits: Option<Num>) -> Result<String> {
    let bits = match bits {
        None => DEFAULT_GENPASS_BITS,
        Some(Num(b)) if b.is_finite() && b.fract() == 0.0 => {
            b.clamp(0.0, f64::from(u32::MAX)) as u32
        }
        Some(_) => return Err(AclError::NotAnInteger).or_throw(env),
    };
    CoreAcl::genpass(bits).or_throw(env)
}

/// The Redis 7.0 ACL engine: users, passwords, selectors, permission checks, ACL LOG and
/// aclfiles, with Redis' exact semantics and texts. Share it with a `Server` to enforce it
/// over the network; changes apply to live connections at once.
#[napi]
pub struct Acl {
    /// The engine, and the fleet's store its writes go through when made by `fromStore`
    /// (core decides which).
    pub(crate) engine: EmbeddedAcl,
}

impl Acl {
    fn wrap(acl: CoreAcl) -> Acl {
        Acl {
            engine: EmbeddedAcl::new(Arc::new(acl)),
        }
    }

    fn attached(engine: EmbeddedAcl) -> Acl {
        Acl { engine }
    }

    /// The engine itself (reads, and what a `Server` shares).
    fn inner(&self) -> &Arc<CoreAcl> {
        self.engine.acl()
    }
}

/// Options of `Acl.fromStore` besides the address, each a path (core's `acl.store_options`,
/// camelCased): left out, not used.
#[napi(object, object_to_js = false)]
pub struct AclStoreOptions {
    /// Where the last state seen is kept, to start from while etcd is unreachable (without
    /// one, an unreachable etcd at start is an error).
    #[napi(ts_type = "string | Buffer")]
    pub cache_file: Option<Bytes>,
    /// PEM of the CA that signed etcd's certificate (TLS to etcd).
    #[napi(ts_type = "string | Buffer")]
    pub ca_file: Option<Bytes>,
    /// PEM of a client certificate for etcd's `--client-cert-auth` (with `keyFile`).
    #[napi(ts_type = "string | Buffer")]
    pub cert_file: Option<Bytes>,
    /// PEM of the client certificate's key (with `certFile`).
    #[napi(ts_type = "string | Buffer")]
    pub key_file: Option<Bytes>,
}

/// The store options for `url` (core names and checks them; the TLS files are read now).
fn store_options(url: &str, o: Option<AclStoreOptions>) -> std::result::Result<authgate::acl_store::AclStoreOptions, authgate::Error> {
    let mut settings = StoreSettings::default();
    if let Some(o) = o {
        let given = [("cache_file", o.cache_file), ("ca_file", o.ca_file), ("cert_file", o.cert_file), ("key_file", o.key_file)];
        for (name, value) in given {
            if let Some(value) = value {
                settings.set(name, &value.into_path())?;
            }
        }
    }
    Ok(settings.options(url)?)
}

#[napi]
impl Acl {
    /// An engine with only the `default` user (`on nopass ~* &* +@all`), like a fresh Redis;
    /// options left out are core's defaults.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "AclOptions | null")] options: Option<Unknown>,
    ) -> Result<Self> {
        guard(&env, || {
            let options = options::merge(&env, CoreOptions::default(), options.as_ref())?;
            Ok(Acl::wrap(CoreAcl::with_options(options)))
        })
    }

    /// An engine holding the users of an aclfile (`ACL LOAD` semantics); throws `CONFIG` with
    /// Redis' text if the file cannot be read or has errors. Blocks: see `fromFileAsync`.
    #[napi(factory, catch_unwind)]
    pub fn from_file(
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] path: Bytes,
        #[napi(ts_arg_type = "AclOptions | null")] options: Option<Unknown>,
    ) -> Result<Self> {
        guard(&env, || {
            let options = options::merge(&env, CoreOptions::default(), options.as_ref())?;
            CoreAcl::from_file(&path.into_path(), options)
                .map(Acl::wrap)
                .or_throw(&env)
        })
    }

    /// `Acl.fromFile` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Acl>")]
    pub fn from_file_async(
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] path: Bytes,
        #[napi(ts_arg_type = "AclOptions | null")] options: Option<Unknown>,
    ) -> Result<AsyncTask<Blocking<CoreAcl, Acl>>> {
        guard(&env, || {
            let options = options::merge(&env, CoreOptions::default(), options.as_ref())?;
            let path = path.into_path();
            Ok(blocking(
                move || Ok(CoreAcl::from_file(&path, options)?),
                Acl::wrap,
            ))
        })
    }

    /// An engine attached to a fleet's ACL store, `etcd://host:port[,host:port...]/prefix`: it
    /// holds the store's users and follows every change (from servers and other engines);
    /// `setuser`, `deluser`, `load` and `setRequirepass` write through the store and return
    /// once the change is applied here. Throws `INVALID_ARGUMENT` for an address that is not
    /// an etcd store or a certificate without its key, `IO` when etcd is unreachable and there
    /// is no cache file (or a TLS file cannot be read). Blocks until etcd answered: see
    /// `fromStoreAsync`.
    #[napi(factory, catch_unwind)]
    pub fn from_store(
        env: Env,
        url: String,
        #[napi(ts_arg_type = "AclStoreOptions | null")] store: Option<AclStoreOptions>,
        #[napi(ts_arg_type = "AclOptions | null")] options: Option<Unknown>,
    ) -> Result<Self> {
        guard(&env, || {
            let options = options::merge(&env, CoreOptions::default(), options.as_ref())?;
            let store = store_options(&url, store).or_throw(&env)?;
            EmbeddedAcl::from_store(options, store).map(Acl::attached).or_throw(&env)
        })
    }

    /// `Acl.fromStore` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Acl>")]
    pub fn from_store_async(
        env: Env,
        url: String,
        #[napi(ts_arg_type = "AclStoreOptions | null")] store: Option<AclStoreOptions>,
        #[napi(ts_arg_type = "AclOptions | null")] options: Option<Unknown>,
    ) -> Result<AsyncTask<Blocking<EmbeddedAcl, Acl>>> {
        guard(&env, || {
            let options = options::merge(&env, CoreOptions::default(), options.as_ref())?;
            let store = store_options(&url, store).or_throw(&env)?;
            Ok(blocking(move || Ok(EmbeddedAcl::from_store(options, store)?), Acl::attached))
        })
    }

    /// True if the user exists, is `on`, and the password matches (or the user has `nopass`).
    #[napi(catch_unwind)]
    pub fn authenticate(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] user: Bytes,
        #[napi(ts_arg_type = "string | Buffer")] password: Bytes,
    ) -> Result<bool> {
        guard(&env, || {
            Ok(self
                .inner()
                .authenticate(user.as_slice(), password.as_slice()))
        })
    }

    /// `ACL GETUSER`: the user's flags, password digests and selectors, or null if there is no
    /// such user.
    #[napi(catch_unwind)]
    pub fn getuser(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] name: Bytes,
    ) -> Result<Option<UserInfo>> {
        guard(&env, || {
            Ok(self.inner().getuser(name.as_slice()).map(UserInfo::from))
        })
    }

    /// `ACL USERS`: the user names, in byte order.
    #[napi(catch_unwind)]
    pub fn users(&self, env: Env) -> Result<Vec<String>> {
        guard(&env, || {
            Ok(self.inner().users().iter().map(|u| lossy(u)).collect())
        })
    }

    /// `ACL LIST`: one `user <name> <rules>` line per user, in name order.
    #[napi(catch_unwind)]
    pub fn list(&self, env: Env) -> Result<Vec<String>> {
        guard(&env, || {
            Ok(self.inner().list().iter().map(|l| lossy(l)).collect())
        })
    }

    /// `ACL CAT [category]`: the category names, or the commands of one category. Throws
    /// `ERR` for an unknown category.
    #[napi(catch_unwind)]
    pub fn cat(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer | null")] category: Option<Bytes>,
    ) -> Result<Vec<String>> {
        guard(&env, || {
            self.inner()
                .cat(category.as_ref().map(Bytes::as_slice))
                .or_throw(&env)
        })
    }

    /// `ACL LOG [count]`: the newest `count` entries (default 10, as in Redis), newest first.
    #[napi(catch_unwind)]
    pub fn log(
        &self,
        env: Env,
        #[napi(ts_arg_type = "number | null")] count: Option<Num>,
    ) -> Result<Vec<LogEntry>> {
        guard(&env, || {
            let count = count
                .map(|c| c.whole(env.raw(), "count", usize::MAX as u64))
                .transpose()?;
            Ok(self
                .inner()
                .log(count.map(|c| c as usize))
                .into_iter()
                .map(LogEntry::from)
                .collect())
        })
    }

    /// `ACL LOG RESET`.
    #[napi(catch_unwind)]
    pub fn log_reset(&self, env: Env) -> Result<()> {
        guard(&env, || {
            self.inner().log_reset();
            Ok(())
        })
    }

    /// `ACL GENPASS [bits]`: a random password of `bits` bits (default 256, as in Redis) as
    /// hex. Throws `ERR` with Redis' text unless `bits` is an integer in 1..=4096.
    #[napi(catch_unwind)]
    pub fn genpass(
        &self,
        env: Env,
        #[napi(ts_arg_type = "number | null")] bits: Option<Num>,
    ) -> Result<String> {
        guard(&env, || genpass_bits(&env, bits))
    }

    /// `ACL LOAD`: replaces every user with the aclfile's, all or nothing; throws `CONFIG` with
    /// Redis' text on errors. On an engine from `fromStore` the file's users replace the
    /// store's. Blocks: see `loadAsync`.
    #[napi(catch_unwind)]
    pub fn load(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] path: Bytes,
    ) -> Result<()> {
        guard(&env, || self.engine.load(&path.into_path()).or_throw(&env))
    }

    /// `ACL SAVE`: writes every user to an aclfile atomically; throws `IO` with Redis' text
    /// (and the reason as `detail`). Blocks: see `saveAsync`.
    #[napi(catch_unwind)]
    pub fn save(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] path: Bytes,
    ) -> Result<()> {
        guard(&env, || self.inner().save(&path.into_path()).or_throw(&env))
    }

    /// `load` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn load_async(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] path: Bytes,
    ) -> Result<AsyncTask<Blocking<(), ()>>> {
        guard(&env, || {
            let (acl, path) = (self.engine.clone(), path.into_path());
            Ok(blocking(move || acl.load(&path), |()| ()))
        })
    }

    /// `save` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn save_async(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] path: Bytes,
    ) -> Result<AsyncTask<Blocking<(), ()>>> {
        guard(&env, || {
            let (acl, path) = (self.inner().clone(), path.into_path());
            Ok(blocking(move || Ok(acl.save(&path)?), |()| ()))
        })
    }

    /// Validates an aclfile without applying it; throws `CONFIG` with Redis' ACL LOAD text.
    #[napi(catch_unwind)]
    pub fn check_aclfile(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] path: Bytes,
    ) -> Result<()> {
        guard(&env, || {
            self.inner().check_aclfile(&path.into_path()).or_throw(&env)
        })
    }

    /// `requirepass`: gives the `default` user this password only (an empty one: `nopass`);
    /// through the store on an engine from `fromStore` (throws `IO` when etcd is unreachable).
    #[napi(catch_unwind)]
    pub fn set_requirepass(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] password: Bytes,
    ) -> Result<()> {
        guard(&env, || {
            self.engine.set_requirepass(password.as_slice()).or_throw(&env)
        })
    }

    /// The current settings.
    #[napi(catch_unwind)]
    pub fn options(&self, env: Env) -> Result<AclSettings> {
        guard(&env, || Ok(self.inner().options().into()))
    }

    /// Changes the settings given (the others keep their values), as `CONFIG SET` does;
    /// `pubsubDefault` applies to users and selectors created (or `reset`) later.
    #[napi(catch_unwind)]
    pub fn set_options(
        &self,
        env: Env,
        #[napi(ts_arg_type = "AclOptions")] options: Unknown,
    ) -> Result<()> {
        guard(&env, || {
            let options = options::merge_required(&env, self.inner().options(), &options)?;
            self.inner().set_options(options);
            Ok(())
        })
    }

    /// `acl-pubsub-default`.
    #[napi(getter, catch_unwind, ts_return_type = "PubsubDefault")]
    pub fn pubsub_default(&self, env: Env) -> Result<String> {
        guard(&env, || {
            Ok(self.inner().pubsub_default().as_str().to_string())
        })
    }

    /// Sets `acl-pubsub-default` (any case, as in redis.conf); throws `INVALID_ARGUMENT` with
    /// Redis' text for another value.
    #[napi(setter, js_name = "pubsubDefault", catch_unwind)]
    pub fn set_pubsub_default(
        &self,
        env: Env,
        #[napi(ts_arg_type = "PubsubDefault | Buffer")] value: Bytes,
    ) -> Result<()> {
        guard(&env, || {
            self.inner()
                .set_pubsub_default(options::pubsub_default(&env, &value)?);
            Ok(())
        })
    }

    /// `acllog-max-len`.
    #[napi(getter, catch_unwind)]
    pub fn log_max_len(&self, env: Env) -> Result<f64> {
        guard(&env, || Ok(self.inner().log_max_len() as f64))
    }

    /// Sets `acllog-max-len` (a whole number; the log is trimmed at once).
    #[napi(setter, js_name = "logMaxLen", catch_unwind)]
    pub fn set_log_max_len(
        &self,
        env: Env,
        #[napi(ts_arg_type = "number")] value: Num,
    ) -> Result<()> {
        guard(&env, || {
            self.inner()
                .set_log_max_len(options::log_max_len(&env, &value)?);
            Ok(())
        })
    }
}

/// `ACL GENPASS [bits]` without an engine, as `acl.genpass`.
#[napi(catch_unwind)]
pub fn genpass(
    env: Env,
    #[napi(ts_arg_type = "number | null")] bits: Option<Num>,
) -> Result<String> {
    guard(&env, || genpass_bits(&env, bits))
}

/// Panics on purpose, to show that a Rust panic becomes a JS `Error` with code `PANIC` instead
/// of aborting the process. For tests.
#[napi(catch_unwind)]
pub fn debug_panic(env: Env, message: Option<String>) -> Result<()> {
    guard(&env, || {
        panic!(
            "{}",
            message.unwrap_or_else(|| "deliberate panic".to_string())
        )
    })
}

/// Reads `args` into the argument scratch buffer of the variadic `Acl` methods (`setuser`,
/// `check`, ...), then panics while they are still in it: the next such call on this thread
/// must see only its own arguments (the buffer is emptied on entry). For tests.
#[napi(catch_unwind, ts_args_type = "args: Array<string | Buffer>")]
pub fn debug_panic_after_args(env: Env, args: Vec<Unknown>) -> Result<()> {
    guard(&env, || {
        ArgBuf::with(|buf| {
            for (i, v) in args.iter().enumerate() {
                buf.push(env.raw(), v.raw(), &|| format!("args[{i}]"))?;
            }
            panic!("deliberate panic with {} arguments in the scratch buffer", buf.slices().len())
        })
    })
}

/// Like `debugPanic`, in a Promise's work on the thread pool: rejects with code `PANIC`. For
/// tests.
#[napi(catch_unwind, ts_return_type = "Promise<void>")]
pub fn debug_panic_async(env: Env, message: Option<String>) -> Result<AsyncTask<Blocking<(), ()>>> {
    guard(&env, || {
        let message = message.unwrap_or_else(|| "deliberate panic".to_string());
        Ok(blocking(move || panic!("{message}"), |()| ()))
    })
}
