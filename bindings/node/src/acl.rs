//! `Acl`: the Redis 7.0 ACL engine. The variadic methods (`setuser`, `deluser`, `check`,
//! `dryrun`) are in `variadic.rs`; the Promise forms of the file operations in `tasks.rs`.

use std::path::PathBuf;
use std::sync::Arc;

use authgate::acl::{
    self, Acl as CoreAcl, AclOptions as CoreOptions, LogEntry as CoreLogEntry,
    UserInfo as CoreUserInfo,
};
use napi::bindgen_prelude::{AsyncTask, TypeTag};
use napi::{sys, Env, Error, Result};
use napi_derive::napi;

use crate::args::Bytes;
use crate::error::{acl_error_env, coded, out_of_range, Kind};
use crate::tasks::{FromFileTask, LoadTask, SaveTask};

/// Engine settings, as Redis keeps them in its config.
#[napi(object)]
pub struct AclOptions {
    /// `acl-pubsub-default`: whether new users get `allchannels` (Redis 7.0 default:
    /// `resetchannels`).
    #[napi(ts_type = "'allchannels' | 'resetchannels'")]
    pub acl_pubsub_default: Option<String>,
    /// `acllog-max-len`: how many ACL LOG entries are kept (default 128).
    pub acllog_max_len: Option<u32>,
}

/// What `ACL GETUSER` reports for one `(...)` selector.
#[napi(object)]
pub struct SelectorInfo {
    /// The command rules, e.g. `-@all +get`.
    pub commands: String,
    /// Key patterns joined by spaces (`~*` for allkeys, empty if none).
    pub keys: String,
    /// Channel patterns joined by spaces (`&*` for allchannels, empty if none).
    pub channels: String,
}

/// What `ACL GETUSER` reports for a user.
#[napi(object)]
pub struct UserInfo {
    /// Flag names in Redis' order: `on`/`off`, `nopass`, `sanitize-payload`, ...
    pub flags: Vec<String>,
    /// SHA-256 digests of the passwords (64 lowercase hex characters), in insertion order.
    pub passwords: Vec<String>,
    /// The root selector's command rules.
    pub commands: String,
    /// The root selector's key patterns.
    pub keys: String,
    /// The root selector's channel patterns.
    pub channels: String,
    /// The `(...)` selectors, in order.
    pub selectors: Vec<SelectorInfo>,
}

/// One `ACL LOG` entry.
#[napi(object)]
pub struct LogEntry {
    /// How many events were merged into this entry.
    pub count: f64,
    /// Why: `command`, `key`, `channel` or `auth`.
    #[napi(ts_type = "'command' | 'key' | 'channel' | 'auth'")]
    pub reason: String,
    /// Where: `toplevel`, `multi`, `lua` or `module`.
    #[napi(ts_type = "'toplevel' | 'multi' | 'lua' | 'module'")]
    pub context: String,
    /// Command full name, key, channel, or (for auth) the command as typed.
    pub object: String,
    /// The connection's user, or the attempted name for auth failures.
    pub username: String,
    /// Seconds since the last update of this entry.
    pub age_seconds: f64,
    /// The client's `CLIENT LIST` line at the last update.
    pub client_info: String,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn selector_info(s: &acl::SelectorInfo) -> SelectorInfo {
    SelectorInfo {
        commands: lossy(&s.commands),
        keys: lossy(&s.keys),
        channels: lossy(&s.channels),
    }
}

fn user_info(i: CoreUserInfo) -> UserInfo {
    UserInfo {
        flags: i.flags.iter().map(|f| f.to_string()).collect(),
        passwords: i.passwords,
        commands: lossy(&i.root.commands),
        keys: lossy(&i.root.keys),
        channels: lossy(&i.root.channels),
        selectors: i.selectors.iter().map(selector_info).collect(),
    }
}

fn log_entry(e: CoreLogEntry) -> LogEntry {
    LogEntry {
        count: e.count as f64,
        reason: e.reason.as_str().to_string(),
        context: e.context.as_str().to_string(),
        object: lossy(&e.object),
        username: lossy(&e.username),
        age_seconds: e.age_seconds,
        client_info: lossy(&e.client_info),
    }
}

/// Converts the JS options (validated) to the engine's.
pub(crate) fn core_options(env: &Env, o: Option<AclOptions>) -> Result<CoreOptions> {
    let mut out = CoreOptions::default();
    if let Some(o) = o {
        match o.acl_pubsub_default.as_deref() {
            None | Some("resetchannels") => {}
            Some("allchannels") => out.pubsub_default_allchannels = true,
            Some(other) => {
                return Err(out_of_range(
                    env.raw(),
                    &format!(
                        "aclPubsubDefault must be 'allchannels' or 'resetchannels', got '{other}'"
                    ),
                ))
            }
        }
        if let Some(n) = o.acllog_max_len {
            out.log_max_len = n as usize;
        }
    }
    Ok(out)
}

/// A whole, non-negative number argument (JS numbers are doubles).
pub(crate) fn whole_number(env: &Env, name: &str, v: f64) -> Result<usize> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
        Ok(v as usize)
    } else {
        Err(out_of_range(
            env.raw(),
            &format!("The value of \"{name}\" is out of range. It must be a non-negative integer. Received {v}"),
        ))
    }
}

/// The engine of the `Acl` instance `value` (napi-rs' type tag identifies it), borrowed for the
/// current call; a `TypeError` with `code` (`ERR_INVALID_THIS` for a method's receiver,
/// `ERR_INVALID_ARG_TYPE` for an argument) if `value` is anything else.
pub(crate) fn unwrap_acl<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
    what: &str,
    code: &str,
) -> std::result::Result<&'a Arc<CoreAcl>, Error> {
    let not_acl = || {
        coded(
            env,
            Kind::TypeError,
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
    Ok(&js.inner)
}

/// The Redis 7.0 ACL engine: users, passwords, selectors, permission checks, ACL LOG and
/// aclfiles, with Redis' exact semantics and texts. Share it with a `Server` to enforce it
/// over the network; changes apply to live connections at once.
#[napi]
pub struct Acl {
    pub(crate) inner: Arc<CoreAcl>,
}

impl Acl {
    pub(crate) fn wrap(acl: CoreAcl) -> Acl {
        Acl {
            inner: Arc::new(acl),
        }
    }
}

#[napi]
impl Acl {
    /// An engine with only the `default` user (`on nopass ~* &* +@all`), like a fresh Redis.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, options: Option<AclOptions>) -> Result<Self> {
        Ok(Acl::wrap(CoreAcl::with_options(core_options(
            &env, options,
        )?)))
    }

    /// An engine loaded from an aclfile (`ACL LOAD` semantics); throws `ERR` with Redis' text
    /// if the file cannot be read or has errors. Blocks: see `fromFileAsync`.
    #[napi(factory, catch_unwind)]
    pub fn from_file(env: Env, path: String, options: Option<AclOptions>) -> Result<Self> {
        let acl = CoreAcl::with_options(core_options(&env, options)?);
        acl.load(&PathBuf::from(path))
            .map_err(|e| acl_error_env(&env, &e))?;
        Ok(Acl::wrap(acl))
    }

    /// `Acl.fromFile` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Acl>")]
    pub fn from_file_async(
        env: Env,
        path: String,
        options: Option<AclOptions>,
    ) -> Result<AsyncTask<FromFileTask>> {
        let options = core_options(&env, options)?;
        Ok(AsyncTask::new(FromFileTask {
            path: PathBuf::from(path),
            options,
        }))
    }

    /// True if the user exists, is `on`, and the password matches (or the user has `nopass`).
    #[napi(catch_unwind)]
    pub fn authenticate(
        &self,
        #[napi(ts_arg_type = "string | Buffer")] user: Bytes,
        #[napi(ts_arg_type = "string | Buffer")] password: Bytes,
    ) -> bool {
        self.inner
            .authenticate(user.as_slice(), password.as_slice())
    }

    /// `ACL GETUSER`: the user's flags, password digests and selectors, or null if there is no
    /// such user.
    #[napi(catch_unwind)]
    pub fn getuser(
        &self,
        #[napi(ts_arg_type = "string | Buffer")] name: Bytes,
    ) -> Option<UserInfo> {
        self.inner.getuser(name.as_slice()).map(user_info)
    }

    /// `ACL USERS`: the user names, in byte order.
    #[napi(catch_unwind)]
    pub fn users(&self) -> Vec<String> {
        self.inner.users().iter().map(|u| lossy(u)).collect()
    }

    /// `ACL LIST`: one `user <name> <rules>` line per user, in name order.
    #[napi(catch_unwind)]
    pub fn list(&self) -> Vec<String> {
        self.inner.list().iter().map(|l| lossy(l)).collect()
    }

    /// `ACL CAT [category]`: the category names, or the commands of one category. Throws
    /// `ERR` for an unknown category.
    #[napi(catch_unwind)]
    pub fn cat(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer | null")] category: Option<Bytes>,
    ) -> Result<Vec<String>> {
        self.inner
            .cat(category.as_ref().map(|c| c.as_slice()))
            .map_err(|e| acl_error_env(&env, &e))
    }

    /// `ACL LOG [count]`: the newest `count` entries (default 10), newest first.
    #[napi(catch_unwind)]
    pub fn log(&self, env: Env, count: Option<f64>) -> Result<Vec<LogEntry>> {
        let count = count.map(|c| whole_number(&env, "count", c)).transpose()?;
        Ok(self.inner.log(count).into_iter().map(log_entry).collect())
    }

    /// `ACL LOG RESET`.
    #[napi(catch_unwind)]
    pub fn log_reset(&self) {
        self.inner.log_reset()
    }

    /// `ACL LOAD`: replaces every user with the aclfile's, all or nothing; throws `ERR` with
    /// Redis' text on errors. Blocks: see `loadAsync`.
    #[napi(catch_unwind)]
    pub fn load(&self, env: Env, path: String) -> Result<()> {
        self.inner
            .load(&PathBuf::from(path))
            .map_err(|e| acl_error_env(&env, &e))
    }

    /// `ACL SAVE`: writes every user to an aclfile atomically. Blocks: see `saveAsync`.
    #[napi(catch_unwind)]
    pub fn save(&self, env: Env, path: String) -> Result<()> {
        self.inner
            .save(&PathBuf::from(path))
            .map_err(|e| acl_error_env(&env, &e))
    }

    /// `load` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn load_async(&self, path: String) -> AsyncTask<LoadTask> {
        AsyncTask::new(LoadTask {
            acl: self.inner.clone(),
            path: PathBuf::from(path),
        })
    }

    /// `save` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn save_async(&self, path: String) -> AsyncTask<SaveTask> {
        AsyncTask::new(SaveTask {
            acl: self.inner.clone(),
            path: PathBuf::from(path),
        })
    }
}

/// `ACL GENPASS [bits]`: a random password of `bits` bits (default 256) as hex. Throws `ERR`
/// unless `bits` is an integer in 1..=4096.
#[napi(catch_unwind)]
pub fn genpass(env: Env, bits: Option<f64>) -> Result<String> {
    let text = bits.map(|b| {
        if b.fract() == 0.0 && b.abs() < 1e18 {
            format!("{}", b as i64)
        } else {
            format!("{b}")
        }
    });
    CoreAcl::genpass(text.as_deref().map(str::as_bytes)).map_err(|e| acl_error_env(&env, &e))
}

/// Panics on purpose, to show that a Rust panic becomes a JS `Error` with code
/// `GenericFailure` instead of aborting the process. For tests.
#[napi(catch_unwind)]
pub fn debug_panic(message: Option<String>) {
    let message = message.unwrap_or_else(|| "deliberate panic".to_string());
    panic!("{message}");
}
