//! `Server`: the RESP server (`authgate serve`) running inside the Node process, enforcing an
//! `Acl` that the program keeps using: a `setuser` from JS applies to live connections at once.
//!
//! Core's `ServerController` is the server: settings fixed at construction (a config file is
//! read then), start / stop / restart, `running`, `host`, `port`. This file only converts the
//! options and runs the blocking calls (bind; close every connection and join the server
//! thread) on libuv's thread pool as Promises, so the event loop never waits on them.
//!
//! Like a listening `net.Server`, a running server keeps Node's event loop alive, and a stopped
//! one does not (see [`KeepAlive`]).

use std::sync::Arc;

use authgate::acl_store::EmbeddedAcl;
use authgate::server::{ServerController, ServerOptions as CoreOptions};
use authgate::tls::CertificateUser;
use napi::bindgen_prelude::{
    AsyncTask, FromNapiValue, JsValue, Object, This, TypeName, Unknown, ValidateNapiValue,
};
use napi::{sys, Env, Result, ValueType};
use napi_derive::napi;
use parking_lot::Mutex;

use crate::args::{Bytes, Num};
use crate::error::{guard, invalid_arg_type, invalid_argument, OrThrow};
use crate::tasks::{blocking, Blocking, Outcome};

/// An `Acl` given as an option: the engine it wraps, shared with the server.
pub struct AclHandle(EmbeddedAcl);

impl TypeName for AclHandle {
    fn type_name() -> &'static str {
        "Acl"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for AclHandle {}

impl FromNapiValue for AclHandle {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> Result<Self> {
        crate::acl::unwrap_acl(env, v, "options.acl", "ERR_INVALID_ARG_TYPE")
            .map(|a| AclHandle(a.clone()))
    }
}

/// How to run a `Server`. A field left out (or `undefined`) is core's default: `127.0.0.1`,
/// port 0 (a free port, read it from `server.port`), 10000 clients; with `config`, what the
/// file says and Redis' defaults for the rest, the fields given here overriding the file.
#[napi(object, object_to_js = false)]
pub struct ServerOptions {
    /// The engine to enforce; the program and the server share it.
    #[napi(ts_type = "Acl")]
    pub acl: AclHandle,
    /// Address(es) to listen on, redis.conf's `bind` syntax (space-separated).
    #[napi(ts_type = "string | Buffer")]
    pub host: Option<Bytes>,
    /// TCP port; 0 picks a free one.
    #[napi(ts_type = "number")]
    pub port: Option<Num>,
    /// `requirepass`: the default user's password, applied to the shared `Acl` at start.
    #[napi(ts_type = "string | Buffer")]
    pub requirepass: Option<Bytes>,
    /// An aclfile, loaded into the shared `Acl` at start and used by `ACL LOAD` / `ACL SAVE`.
    #[napi(ts_type = "string | Buffer")]
    pub aclfile: Option<Bytes>,
    /// Most simultaneous clients (at least 1).
    #[napi(ts_type = "number")]
    pub maxclients: Option<Num>,
    /// A redis.conf-style file (`port`, `bind`, `requirepass`, `aclfile`, `user ...`, ...),
    /// read by the constructor.
    #[napi(ts_type = "string | Buffer")]
    pub config: Option<Bytes>,
    /// `tls-port`. Unset or 0 with a `tlsCertFile`: a free port at each start (`server.tlsPort`).
    #[napi(ts_type = "number")]
    pub tls_port: Option<Num>,
    /// `tls-cert-file`: the server's certificate chain (PEM, leaf first).
    #[napi(ts_type = "string | Buffer")]
    pub tls_cert_file: Option<Bytes>,
    /// `tls-key-file`: its private key (PEM; encrypted PKCS#8 with `tlsKeyFilePass`).
    #[napi(ts_type = "string | Buffer")]
    pub tls_key_file: Option<Bytes>,
    /// `tls-key-file-pass`: the key file's passphrase.
    #[napi(ts_type = "string | Buffer")]
    pub tls_key_file_pass: Option<Bytes>,
    /// `tls-ca-cert-file`: the CAs client certificates must chain to (PEM bundle).
    #[napi(ts_type = "string | Buffer")]
    pub tls_ca_cert_file: Option<Bytes>,
    /// `tls-ca-cert-dir`: a directory of PEM CA files.
    #[napi(ts_type = "string | Buffer")]
    pub tls_ca_cert_dir: Option<Bytes>,
    /// `tls-auth-clients`: `'yes'` (the default), `'no'` or `'optional'`.
    #[napi(ts_type = "string")]
    pub tls_auth_clients: Option<Bytes>,
    /// `tls-auth-clients-user` (Valkey / Redis 8.6): `'off'` (the default), `'CN'` or `'URI'`.
    #[napi(ts_type = "string")]
    pub tls_auth_clients_user: Option<Bytes>,
    /// `tls-protocols`, e.g. `'TLSv1.2 TLSv1.3'`.
    #[napi(ts_type = "string")]
    pub tls_protocols: Option<Bytes>,
    /// `tls-ciphersuites`: TLS 1.3 suites, colon-separated.
    #[napi(ts_type = "string")]
    pub tls_ciphersuites: Option<Bytes>,
    /// `tls-ciphers`: TLS 1.2 suites in OpenSSL's names.
    #[napi(ts_type = "string")]
    pub tls_ciphers: Option<Bytes>,
    /// `tls-prefer-server-ciphers` (accepted; rustls always prefers its own order).
    pub tls_prefer_server_ciphers: Option<bool>,
    /// Redis Software certificate users, `{ user: subjectLine }`, registered at every start:
    /// the ACL user gets `resetpass`; a client certificate whose RFC 2253 subject is exactly
    /// the line logs in as it.
    #[napi(ts_type = "Record<string, string>")]
    pub certificate_users: Option<std::collections::HashMap<String, String>>,
}

/// Reads the constructor's options with clear errors for the common mistakes (no options, no
/// `acl`) before napi-rs' field-by-field conversion.
fn read_options(env: &Env, options: Option<&Unknown>) -> Result<ServerOptions> {
    let not_object = || {
        invalid_arg_type(
            env.raw(),
            "The \"options\" argument must be an object with an \"acl\" property",
        )
    };
    let options = options.ok_or_else(not_object)?;
    if options.get_type()? != ValueType::Object {
        return Err(not_object());
    }
    let mut acl = std::ptr::null_mut();
    // SAFETY: `options` is an object of the current call.
    unsafe { sys::napi_get_named_property(env.raw(), options.raw(), c"acl".as_ptr(), &mut acl) };
    let mut t = sys::ValueType::napi_undefined;
    // SAFETY: `acl` is a value of the current call (or NULL, which napi rejects).
    unsafe { sys::napi_typeof(env.raw(), acl, &mut t) };
    if acl.is_null() || t == sys::ValueType::napi_undefined {
        return Err(invalid_arg_type(
            env.raw(),
            "The \"options.acl\" property must be an instance of Acl. Received undefined",
        ));
    }
    // SAFETY: `options` is a value of the current call.
    unsafe { ServerOptions::from_napi_value(env.raw(), options.raw()) }
}

/// Core's options for the JS ones (`None` stays `None`: core's default).
fn core_options(env: &Env, o: ServerOptions) -> Result<(EmbeddedAcl, CoreOptions)> {
    let host = o
        .host
        .map(|h| {
            String::from_utf8(h.0)
                .map_err(|_| invalid_argument(env.raw(), "host must be UTF-8".to_string()))
        })
        .transpose()?;
    let port = o
        .port
        .map(|p| p.whole(env.raw(), "port", u64::from(u16::MAX)))
        .transpose()?;
    let maxclients = o
        .maxclients
        .map(|n| n.whole(env.raw(), "maxclients", usize::MAX as u64))
        .transpose()?;
    let mut options = CoreOptions {
        host,
        port: port.map(|p| p as u16),
        requirepass: o.requirepass.map(|p| p.0),
        aclfile: o.aclfile.map(Bytes::into_path),
        maxclients: maxclients.map(|n| n as usize),
        config_file: o.config.map(Bytes::into_path),
        ..CoreOptions::default()
    };
    if let Some(p) = o.tls_port {
        options.tls.port = Some(p.whole(env.raw(), "tlsPort", u64::from(u16::MAX))? as u16);
    }
    options.tls.prefer_server_ciphers = o.tls_prefer_server_ciphers;
    // Core parses each text with its directive's checks, so the errors are Redis'.
    let texts = [
        ("tls_cert_file", o.tls_cert_file),
        ("tls_key_file", o.tls_key_file),
        ("tls_key_file_pass", o.tls_key_file_pass),
        ("tls_ca_cert_file", o.tls_ca_cert_file),
        ("tls_ca_cert_dir", o.tls_ca_cert_dir),
        ("tls_auth_clients", o.tls_auth_clients),
        ("tls_auth_clients_user", o.tls_auth_clients_user),
        ("tls_protocols", o.tls_protocols),
        ("tls_ciphersuites", o.tls_ciphersuites),
        ("tls_ciphers", o.tls_ciphers),
    ];
    for (name, value) in texts {
        if let Some(v) = value {
            options.tls.set(name, &v.0).or_throw(env)?;
        }
    }
    let mut users: Vec<_> = o.certificate_users.unwrap_or_default().into_iter().collect();
    // A JS object's keys are unique; sorted so the registration order never depends on hashing.
    users.sort();
    options.certificate_users = users
        .into_iter()
        .map(|(name, certificate_subject_line)| CertificateUser { name, certificate_subject_line })
        .collect();
    Ok((o.acl.0, options))
}

/// Keeps Node's event loop alive while the server runs: a referenced threadsafe function that
/// is never called. Its JS function holds the `Server` object, so a running server is not
/// garbage-collected (which would stop it) even when the program keeps no reference to it.
/// Dropping it (from any thread) releases both; napi-rs handles the case where the
/// environment is already being torn down.
struct KeepAlive(#[allow(dead_code)] Box<dyn Send>);

unsafe extern "C" fn never_called(
    _env: sys::napi_env,
    _info: sys::napi_callback_info,
) -> sys::napi_value {
    std::ptr::null_mut()
}

fn keep_alive(env: &Env, server: &Object) -> Result<KeepAlive> {
    let f = env.create_function::<(), ()>("authgateServerKeepAlive", never_called)?;
    // SAFETY: `f` and `server` are values of the current call.
    let st = unsafe {
        sys::napi_set_named_property(env.raw(), f.raw(), c"server".as_ptr(), server.raw())
    };
    if st != sys::Status::napi_ok {
        return Err(napi::Error::new(
            napi::Status::from(st),
            "keep-alive".to_string(),
        ));
    }
    let tsfn = f.build_threadsafe_function::<()>().build()?;
    Ok(KeepAlive(Box::new(tsfn)))
}

/// The controller and the keep-alive that matches its state.
struct Shared {
    controller: ServerController,
    /// Held exactly while the server runs. The lock also orders the binding's start / stop /
    /// restart calls, so the keep-alive always follows the controller's last transition.
    keep_alive: Mutex<Option<KeepAlive>>,
}

impl Shared {
    /// Runs one transition, then holds `ka` if the server now runs and releases it if not.
    fn transition<T>(
        &self,
        ka: Option<KeepAlive>,
        op: impl FnOnce(&ServerController) -> Outcome<T>,
    ) -> Outcome<T> {
        let mut held = self.keep_alive.lock();
        let out = op(&self.controller);
        if !self.controller.running() {
            *held = None;
        } else if held.is_none() {
            *held = ka;
        }
        out
    }
}

/// A RESP2/RESP3 server with Redis 7.0's AUTH/ACL behaviour, enforcing a shared `Acl`.
/// Clients (node-redis, redis-cli, ...) connect to `host:port` and authenticate as its users.
#[napi]
pub struct Server {
    shared: Arc<Shared>,
}

fn port_number(port: u16) -> u32 {
    u32::from(port)
}

#[napi]
impl Server {
    /// A stopped server; `await start()` binds and serves. Throws `CONFIG` for a bad config
    /// file or setting, `INVALID_ARGUMENT` for an unusable option value.
    #[napi(constructor, catch_unwind, ts_args_type = "options: ServerOptions")]
    pub fn new(env: Env, options: Option<Unknown>) -> Result<Self> {
        guard(&env, || {
            let (acl, options) = core_options(&env, read_options(&env, options.as_ref())?)?;
            let controller = ServerController::for_engine(&acl, &options).or_throw(&env)?;
            Ok(Server {
                shared: Arc::new(Shared {
                    controller,
                    keep_alive: Mutex::new(None),
                }),
            })
        })
    }

    /// Binds and starts serving (off the main thread); resolves with the port. Rejects with
    /// `INVALID_ARGUMENT` if it is running, `CONFIG` for a bad aclfile or setting, `IO` if the
    /// address cannot be bound (e.g. the port is in use; `errno` says why).
    #[napi(catch_unwind, ts_args_type = "", ts_return_type = "Promise<number>")]
    pub fn start(&self, env: Env, this: This) -> Result<AsyncTask<Blocking<u16, u32>>> {
        guard(&env, || {
            // Best effort: without it the server still works, it just does not hold the loop.
            let ka = keep_alive(&env, &this).ok();
            let shared = self.shared.clone();
            Ok(blocking(
                move || shared.transition(ka, ServerController::start),
                port_number,
            ))
        })
    }

    /// Closes the listener and every connection and waits for the server threads (off the
    /// main thread); resolves with whether it was running.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn stop(&self, env: Env) -> Result<AsyncTask<Blocking<bool, bool>>> {
        guard(&env, || {
            let shared = self.shared.clone();
            Ok(blocking(
                move || shared.transition(None, |c| Ok(c.stop())),
                |stopped| stopped,
            ))
        })
    }

    /// Stops the server if it runs and starts it again with the same settings (port 0 picks
    /// a new free port); resolves with the port.
    #[napi(catch_unwind, ts_args_type = "", ts_return_type = "Promise<number>")]
    pub fn restart(&self, env: Env, this: This) -> Result<AsyncTask<Blocking<u16, u32>>> {
        guard(&env, || {
            let ka = keep_alive(&env, &this).ok();
            let shared = self.shared.clone();
            Ok(blocking(
                move || shared.transition(ka, ServerController::restart),
                port_number,
            ))
        })
    }

    /// The port the server listens on (the bound one when created with port 0); after `stop()`
    /// the port it last listened on; `null` before the first start.
    #[napi(getter, catch_unwind)]
    pub fn port(&self, env: Env) -> Result<Option<u32>> {
        guard(&env, || Ok(self.shared.controller.port().map(port_number)))
    }

    /// The TLS port while running (the bound one when `tlsPort` is 0 or unset); after
    /// `stop()` the last one; `null` before the first start or without a TLS listener.
    #[napi(getter, catch_unwind)]
    pub fn tls_port(&self, env: Env) -> Result<Option<u32>> {
        guard(&env, || Ok(self.shared.controller.tls_port().map(port_number)))
    }

    /// The address(es) the server listens on, space-separated as in redis.conf's `bind`.
    #[napi(getter, catch_unwind)]
    pub fn host(&self, env: Env) -> Result<String> {
        guard(&env, || Ok(self.shared.controller.host()))
    }

    /// True while the server is running.
    #[napi(getter, catch_unwind)]
    pub fn running(&self, env: Env) -> Result<bool> {
        guard(&env, || Ok(self.shared.controller.running()))
    }
}
