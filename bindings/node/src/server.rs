//! `Server`: the RESP server (`authgate serve`) running inside the Node process, enforcing an
//! `Acl` that the program keeps using: a `setuser` from JS applies to live connections at once.
//!
//! The server runs on its own threads (a tokio runtime owned by the core); `start` (bind) and
//! `stop` (close every connection and join the server thread) run on libuv's thread pool as
//! napi `Task`s, so the event loop never blocks on them. Like a listening `net.Server`, a
//! running server keeps Node's event loop alive until `stop()` (see [`KeepAlive`]).

use std::sync::Arc;

use authgate::acl::Acl as CoreAcl;
use authgate::server::{Server as CoreServer, ServerError, ServerHandle};
use napi::bindgen_prelude::{
    AsyncTask, FromNapiValue, JsValue, Task, TypeName, Unknown, ValidateNapiValue,
};
use napi::{sys, Env, Error, Result, ValueType};
use napi_derive::napi;
use parking_lot::Mutex;

use crate::error::{coded, out_of_range, Kind};
use crate::tasks::guarded;

/// An `Acl` given as an option: the engine it wraps, shared with the server.
pub struct AclHandle(Arc<CoreAcl>);

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

/// How to run a `Server`.
#[napi(object, object_to_js = false)]
pub struct ServerOptions {
    /// The engine to enforce; the program and the server share it.
    #[napi(ts_type = "Acl")]
    pub acl: AclHandle,
    /// Address to listen on (default `127.0.0.1`).
    pub host: Option<String>,
    /// TCP port (default 0: a free port, read it from `server.port` after `start()`).
    pub port: Option<u32>,
    /// `requirepass`: the default user's password, applied to the shared `Acl` at start.
    pub requirepass: Option<String>,
    /// An aclfile, loaded into the shared `Acl` at start and used by `ACL LOAD` / `ACL SAVE`.
    pub aclfile: Option<String>,
    /// Most simultaneous clients (default 10000).
    pub maxclients: Option<u32>,
}

struct Settings {
    acl: Arc<CoreAcl>,
    host: String,
    port: u16,
    requirepass: Option<String>,
    aclfile: Option<String>,
    maxclients: Option<u32>,
}

/// Keeps Node's event loop alive while the server runs: a referenced threadsafe function that
/// is never called. Dropping it (from any thread) releases the loop; napi-rs handles the case
/// where the environment is already being torn down.
struct KeepAlive(#[allow(dead_code)] Box<dyn Send>);

unsafe extern "C" fn never_called(
    _env: sys::napi_env,
    _info: sys::napi_callback_info,
) -> sys::napi_value {
    std::ptr::null_mut()
}

fn keep_alive(env: &Env) -> Result<KeepAlive> {
    let f = env.create_function::<(), ()>("authgateServerKeepAlive", never_called)?;
    let tsfn = f.build_threadsafe_function::<()>().build()?;
    Ok(KeepAlive(Box::new(tsfn)))
}

#[derive(Default)]
struct State {
    handle: Option<ServerHandle>,
    keep_alive: Option<KeepAlive>,
    bound_port: Option<u16>,
    /// A start is in flight (bound on the thread pool, not yet recorded).
    starting: bool,
}

/// A RESP2/RESP3 server with Redis 7.0's AUTH/ACL behaviour, enforcing a shared `Acl`.
/// Clients (node-redis, redis-cli, ...) connect to `host:port` and authenticate as its users.
#[napi]
pub struct Server {
    settings: Arc<Settings>,
    state: Arc<Mutex<State>>,
}

/// Reads the constructor's options with clear errors for the common mistakes (no options, no
/// `acl`) before napi-rs' field-by-field conversion.
fn server_options(env: &Env, options: &Unknown) -> Result<ServerOptions> {
    let type_error = |m: &str| coded(env.raw(), Kind::TypeError, "ERR_INVALID_ARG_TYPE", m);
    if options.get_type()? != ValueType::Object {
        return Err(type_error(
            "The \"options\" argument must be an object with an \"acl\" property",
        ));
    }
    let mut acl = std::ptr::null_mut();
    // SAFETY: `options` is an object of the current call.
    unsafe { sys::napi_get_named_property(env.raw(), options.raw(), c"acl".as_ptr(), &mut acl) };
    let mut t = sys::ValueType::napi_undefined;
    // SAFETY: `acl` is a value of the current call (or NULL, which napi rejects).
    unsafe { sys::napi_typeof(env.raw(), acl, &mut t) };
    if acl.is_null() || t == sys::ValueType::napi_undefined {
        return Err(type_error(
            "The \"options.acl\" property must be an instance of Acl. Received undefined",
        ));
    }
    // SAFETY: `options` is a value of the current call.
    unsafe { ServerOptions::from_napi_value(env.raw(), options.raw()) }
}

fn server_error(env: &Env, e: &ServerError) -> Error {
    coded(env.raw(), Kind::Error, e.code(), &e.to_string())
}

#[napi]
impl Server {
    /// A stopped server; `await start()` binds and serves.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: Env, #[napi(ts_arg_type = "ServerOptions")] options: Unknown) -> Result<Self> {
        let options = server_options(&env, &options)?;
        let AclHandle(acl) = options.acl;
        let port = match options.port {
            None => 0,
            Some(p) => u16::try_from(p).map_err(|_| {
                out_of_range(
                    env.raw(),
                    &format!("options.port must be in 0..65535, got {p}"),
                )
            })?,
        };
        let settings = Settings {
            acl,
            host: options.host.unwrap_or_else(|| "127.0.0.1".to_string()),
            port,
            requirepass: options.requirepass,
            aclfile: options.aclfile,
            maxclients: options.maxclients,
        };
        Ok(Server {
            settings: Arc::new(settings),
            state: Arc::new(Mutex::new(State::default())),
        })
    }

    /// Binds and starts serving (off the main thread). Resolves with the port; rejects with
    /// `ERR_SERVER_ALREADY_LISTEN` if running, `INVALID_CONFIG`, `ACL` (bad aclfile) or `IO`
    /// (e.g. the port is in use).
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn start(&self, env: Env) -> AsyncTask<StartTask> {
        AsyncTask::new(StartTask {
            settings: self.settings.clone(),
            state: self.state.clone(),
            // Best effort: without it the server still works, it just does not hold the loop.
            keep_alive: keep_alive(&env).ok(),
        })
    }

    /// Closes the listener and every connection and waits for the server threads (off the
    /// main thread). Does nothing if the server is not running.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn stop(&self) -> AsyncTask<StopTask> {
        AsyncTask::new(StopTask {
            state: self.state.clone(),
        })
    }

    /// The port the server listens on (the bound one when created with port 0); after `stop()`,
    /// the port it last listened on. Throws `ERR_SERVER_NOT_RUNNING` if it was never started.
    #[napi(getter, catch_unwind)]
    pub fn port(&self, env: Env) -> Result<u32> {
        self.state.lock().bound_port.map(u32::from).ok_or_else(|| {
            coded(
                env.raw(),
                Kind::Error,
                "ERR_SERVER_NOT_RUNNING",
                "the server has not been started",
            )
        })
    }

    /// The address the server listens on.
    #[napi(getter, catch_unwind)]
    pub fn host(&self) -> String {
        self.settings.host.clone()
    }

    /// True while the server is running.
    #[napi(getter, catch_unwind)]
    pub fn running(&self) -> bool {
        self.state.lock().handle.is_some()
    }
}

/// The outcome of a start attempt, turned into a JS value or error on the main thread.
pub enum Started {
    Port(u16),
    AlreadyRunning,
    Failed(ServerError),
}

/// `server.start()`.
pub struct StartTask {
    settings: Arc<Settings>,
    state: Arc<Mutex<State>>,
    keep_alive: Option<KeepAlive>,
}

impl StartTask {
    fn run(&mut self) -> Started {
        {
            let mut st = self.state.lock();
            if st.handle.is_some() || st.starting {
                return Started::AlreadyRunning;
            }
            st.starting = true;
        }
        let s = &self.settings;
        let mut b = CoreServer::builder(s.acl.clone())
            .bind(s.host.clone())
            .port(s.port);
        if let Some(pw) = &s.requirepass {
            b = b.requirepass(pw.as_bytes().to_vec());
        }
        if let Some(f) = &s.aclfile {
            b = b.aclfile(f.clone());
        }
        if let Some(n) = s.maxclients {
            b = b.maxclients(n as usize);
        }
        let result = b.build().and_then(CoreServer::start);
        let mut st = self.state.lock();
        st.starting = false;
        match result {
            Ok(handle) => {
                let port = handle.port();
                st.bound_port = Some(port);
                st.handle = Some(handle);
                st.keep_alive = self.keep_alive.take();
                Started::Port(port)
            }
            Err(e) => Started::Failed(e),
        }
    }
}

impl Task for StartTask {
    type Output = Started;
    type JsValue = u32;

    fn compute(&mut self) -> Result<Started> {
        guarded(|| self.run()).inspect_err(|_| self.state.lock().starting = false)
    }

    fn resolve(&mut self, env: Env, output: Started) -> Result<u32> {
        match output {
            Started::Port(p) => Ok(u32::from(p)),
            Started::AlreadyRunning => Err(coded(
                env.raw(),
                Kind::Error,
                "ERR_SERVER_ALREADY_LISTEN",
                "the server is already running",
            )),
            Started::Failed(e) => Err(server_error(&env, &e)),
        }
    }
}

/// `server.stop()`.
pub struct StopTask {
    state: Arc<Mutex<State>>,
}

impl Task for StopTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        guarded(|| {
            let (handle, keep_alive) = {
                let mut st = self.state.lock();
                (st.handle.take(), st.keep_alive.take())
            };
            if let Some(h) = handle {
                h.stop();
            }
            drop(keep_alive);
        })
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> Result<()> {
        Ok(())
    }
}
