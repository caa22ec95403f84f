//! `authgate.Server`: the RESP server, sharing an `Acl` with the Python program.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use authgate::server::{Config, Server, ServerError, ServerHandle};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::acl::PyAcl;
use crate::convert::{arg, to_path};
use crate::errors::config_error;

/// A Redis-protocol (RESP2/RESP3) server that enforces an :class:`Acl`.
///
/// The server shares the ``Acl`` object with the program: a :meth:`Acl.setuser` or
/// :meth:`Acl.deluser` made from Python applies to live connections at once, exactly like
/// ``ACL SETUSER`` from a client. It runs on its own threads; :meth:`start` returns once the
/// port is bound. Use it as a context manager to start and stop it::
///
///     with authgate.Server(acl) as server:
///         redis.Redis(port=server.port, username="alice", password="secret")
///
/// Args:
///     acl: the engine whose users the server enforces.
///     host: the address to listen on.
///     port: the TCP port; 0 picks a free port (read it from :attr:`port`).
///     requirepass: ``requirepass``: sets the ``default`` user's password at start.
///     aclfile: an aclfile loaded into ``acl`` at start and used by ``ACL LOAD``/``ACL SAVE``.
///     maxclients: the most simultaneous clients.
#[pyclass(name = "Server", module = "authgate", frozen)]
pub(crate) struct PyServer {
    acl: Py<PyAcl>,
    shared: Arc<authgate::acl::Acl>,
    host: String,
    port: u16,
    requirepass: Option<Vec<u8>>,
    aclfile: Option<PathBuf>,
    maxclients: usize,
    /// Settings from a redis.conf (`from_config`): replace every argument above but `acl`.
    config: Option<Config>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    handle: Option<ServerHandle>,
    bound_port: Option<u16>,
    starting: bool,
}

fn server_error(e: ServerError) -> PyErr {
    let code = e.code();
    match e {
        ServerError::Io(io) => PyErr::from(io),
        ServerError::Config(m) | ServerError::Acl(m) => config_error(m, code),
    }
}

impl PyServer {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock is held cannot leave the state inconsistent (it only holds
        // an Option), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl PyServer {
    #[new]
    #[pyo3(signature = (acl, host = "127.0.0.1", port = 0, *, requirepass = None, aclfile = None, maxclients = 10000))]
    fn new(
        acl: Bound<'_, PyAcl>,
        host: &str,
        port: i64,
        requirepass: Option<&Bound<'_, PyAny>>,
        aclfile: Option<&Bound<'_, PyAny>>,
        maxclients: i64,
    ) -> PyResult<PyServer> {
        let port = u16::try_from(port)
            .map_err(|_| PyValueError::new_err(format!("port must be in 0..65535, not {port}")))?;
        let maxclients = usize::try_from(maxclients)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| PyValueError::new_err("maxclients must be > 0"))?;
        let requirepass = requirepass.map(|p| arg(p, "requirepass")).transpose()?;
        let aclfile = aclfile.map(to_path).transpose()?;
        Ok(PyServer {
            shared: Arc::clone(&acl.get().inner),
            acl: acl.unbind(),
            host: host.to_string(),
            port,
            requirepass: requirepass.map(|b| b.as_bytes().to_vec()),
            aclfile,
            maxclients,
            config: None,
            state: Mutex::new(State::default()),
        })
    }

    /// A server configured by a redis.conf-style file, as ``authgate serve --config FILE``:
    /// ``port``, ``bind``, ``requirepass``, ``aclfile``, ``dir``, ``user`` lines,
    /// ``acl-pubsub-default``, ``acllog-max-len``, ``maxclients`` (Redis' defaults otherwise,
    /// so port 6379 unless the file says otherwise). The file is read now; the ACL settings
    /// and users apply to ``acl`` at :meth:`start`.
    ///
    /// Raises:
    ///     ConfigError: the file cannot be read or has an invalid directive (Redis' text,
    ///         code ``INVALID_CONFIG``).
    #[classmethod]
    fn from_config(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        acl: Bound<'_, PyAcl>,
        path: &Bound<'_, PyAny>,
    ) -> PyResult<PyServer> {
        let path = to_path(path)?;
        let config = py
            .detach(move || {
                let mut config = Config::default();
                config.apply_file(&path).map(|()| config)
            })
            .map_err(|m| config_error(m, "INVALID_CONFIG"))?;
        Ok(PyServer {
            shared: Arc::clone(&acl.get().inner),
            acl: acl.unbind(),
            host: config.bind.join(" "),
            port: config.port,
            requirepass: config.requirepass.clone(),
            aclfile: config.aclfile.clone(),
            maxclients: config.maxclients,
            config: Some(config),
            state: Mutex::new(State::default()),
        })
    }

    /// Binds and starts serving; returns the server itself. The GIL is released while the
    /// server starts.
    ///
    /// Raises:
    ///     RuntimeError: the server is already running.
    ///     OSError: the address cannot be bound (e.g. the port is in use).
    ///     ConfigError: the settings or the aclfile are invalid (Redis' text).
    fn start(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let py = slf.py();
        let this = slf.get();
        {
            let mut state = this.state();
            if state.handle.is_some() || state.starting {
                return Err(PyRuntimeError::new_err("the server is already running"));
            }
            state.starting = true;
        }
        let mut builder = Server::builder(Arc::clone(&this.shared));
        if let Some(config) = &this.config {
            builder = builder.config(config.clone());
        } else {
            builder = builder
                .bind(this.host.clone())
                .port(this.port)
                .maxclients(this.maxclients);
            if let Some(pw) = &this.requirepass {
                builder = builder.requirepass(pw.clone());
            }
            if let Some(path) = &this.aclfile {
                builder = builder.aclfile(path.clone());
            }
        }
        // The lock is not held here: another thread may need it (and the GIL) meanwhile.
        let started = py.detach(move || builder.build()?.start());
        let mut state = this.state();
        state.starting = false;
        let handle = started.map_err(server_error)?;
        state.bound_port = Some(handle.port());
        state.handle = Some(handle);
        drop(state);
        Ok(slf)
    }

    /// Stops the server: closes the listener and every connection and waits for the server's
    /// threads, with the GIL released. Does nothing if the server is not running.
    fn stop(&self, py: Python<'_>) {
        let handle = self.state().handle.take();
        if let Some(handle) = handle {
            py.detach(move || handle.stop());
        }
    }

    /// True while the server is running.
    #[getter]
    fn running(&self) -> bool {
        self.state().handle.is_some()
    }

    /// The port the server listens on (the bound one when constructed with ``port=0``); after
    /// :meth:`stop`, the port it last listened on.
    ///
    /// Raises:
    ///     RuntimeError: the server was never started.
    #[getter]
    fn port(&self) -> PyResult<u16> {
        self.state()
            .bound_port
            .ok_or_else(|| PyRuntimeError::new_err("the server has not been started"))
    }

    /// The address the server listens on (several, space-separated, from a config file's
    /// ``bind``).
    #[getter]
    fn host(&self) -> &str {
        &self.host
    }

    /// The :class:`Acl` the server enforces.
    #[getter]
    fn acl(&self, py: Python<'_>) -> Py<PyAcl> {
        self.acl.clone_ref(py)
    }

    /// Starts the server (if it is not running) and returns it.
    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        if slf.get().running() {
            Ok(slf)
        } else {
            PyServer::start(slf)
        }
    }

    /// Stops the server; exceptions propagate.
    #[allow(unused_variables)]
    #[pyo3(signature = (exc_type = None, exc_value = None, traceback = None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyType>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        self.stop(py);
        false
    }

    fn __repr__(&self) -> String {
        let state = self.state();
        let port = state.bound_port.unwrap_or(self.port);
        let status = if state.handle.is_some() {
            "running"
        } else {
            "stopped"
        };
        format!("<authgate.Server {}:{} {}>", self.host, port, status)
    }
}
