//! `authgate.Server`: core's restartable [`ServerController`], sharing an `Acl` with the
//! Python program.


use authgate::server::{ServerController, ServerOptions};
use authgate::Error;
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::acl::PyAcl;
use crate::convert::{arg, to_path, to_port, to_usize};
use crate::errors::{guard, IntoPyResult};

/// A Redis-protocol (RESP2/RESP3) server that enforces an :class:`Acl`.
///
/// The server shares the ``Acl`` object with the program: a :meth:`Acl.setuser` or
/// :meth:`Acl.deluser` made from Python applies to live connections at once, exactly like
/// ``ACL SETUSER`` from a client. With an ``Acl`` from :meth:`Acl.from_store`, the clients'
/// ``ACL SETUSER``, ``DELUSER``, ``LOAD`` and ``CONFIG SET requirepass`` go through the store
/// (the fleet sees them), and ``requirepass``, ``aclfile`` or ``user`` settings are refused
/// (``ConfigError``: the users are the store's). It runs on its own threads; :meth:`start` returns once the
/// port is bound. It can be stopped and started again. As a context manager it starts on
/// entry and stops on exit::
///
///     with authgate.Server(acl) as server:
///         redis.Redis(port=server.port, username="alice", password="secret")
///
/// Args:
///     acl: the engine whose users the server enforces.
///     host: the address(es) to listen on (redis.conf's ``bind`` syntax: several
///         space-separated addresses).
///     port: the TCP port; 0 picks a free port at each start (read it from :attr:`port`).
///     requirepass: ``requirepass``: the ``default`` user's password, set at start.
///     aclfile: an aclfile loaded into ``acl`` at start and used by ``ACL LOAD``/``ACL SAVE``.
///     maxclients: the most simultaneous clients.
///     config: a redis.conf-style file (``port``, ``bind``, ``requirepass``, ``aclfile``,
///         ``dir``, ``user`` lines, ``acl-pubsub-default``, ``acllog-max-len``,
///         ``maxclients``, ``tls-*``, ...), read now, as ``authgate serve --config FILE``.
///     tls_port, tls_cert_file, tls_key_file, tls_key_file_pass, tls_ca_cert_file,
///         tls_ca_cert_dir, tls_auth_clients, tls_auth_clients_user, tls_protocols,
///         tls_ciphersuites, tls_ciphers, tls_prefer_server_ciphers: the TLS listener, as
///         the redis.conf directive of the same name (``tls_auth_clients="optional"``,
///         ``tls_auth_clients_user="CN"``). With a certificate and no ``tls_port`` (or 0)
///         the TLS listener takes a free port: read it from :attr:`tls_port`.
///     certificate_users: ``{user: subject line}``: Redis Software certificate users,
///         registered at every start (the ACL user gets ``resetpass``; a client certificate
///         whose RFC 2253 subject is exactly the line logs in as it).
///
///     None (or left out) takes the default from the core library: without ``config``,
///     loopback (127.0.0.1), a free port and Redis' 10000 clients; with ``config``, the
///     file's values and Redis' defaults for the rest (so port 6379 unless it says
///     otherwise). An argument that is given overrides the file.
///
/// Raises:
///     ConfigError: the config file cannot be read or has an invalid directive (Redis'
///         text).
///     InvalidArgument: a port outside 0..65535, ``maxclients`` below 1, an empty ``host``,
///         a TLS option with a value its directive refuses (Redis' text).
///     CertificateError: a certificate user's subject line is not one openssl prints.
#[pyclass(name = "Server", module = "authgate", frozen)]
pub(crate) struct PyServer {
    acl: Py<PyAcl>,
    controller: ServerController,
}

fn options(
    py: Python<'_>,
    host: Option<&Bound<'_, PyAny>>,
    port: Option<i64>,
    requirepass: Option<&Bound<'_, PyAny>>,
    aclfile: Option<&Bound<'_, PyAny>>,
    maxclients: Option<i64>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<ServerOptions> {
    let host = match host {
        Some(h) => Some(
            String::from_utf8(arg(h, "host")?.as_bytes().to_vec())
                .map_err(|_| Error::invalid_argument("host must be UTF-8"))
                .py_err(py)?,
        ),
        None => None,
    };
    Ok(ServerOptions {
        host,
        port: port.map(to_port).transpose().py_err(py)?,
        requirepass: requirepass
            .map(|p| arg(p, "requirepass").map(|b| b.as_bytes().to_vec()))
            .transpose()?,
        aclfile: aclfile.map(to_path).transpose()?,
        maxclients: maxclients
            .map(|n| to_usize(n, "maxclients"))
            .transpose()
            .py_err(py)?,
        config_file: config.map(to_path).transpose()?,
        ..ServerOptions::default()
    })
}

impl PyServer {
    fn build(py: Python<'_>, acl: Bound<'_, PyAcl>, options: ServerOptions) -> PyResult<Self> {
        let engine = acl.get().engine.clone();
        // Reading a config file is I/O: without the GIL.
        let controller = py
            .detach(move || ServerController::for_engine(&engine, &options))
            .py_err(py)?;
        Ok(PyServer {
            acl: acl.unbind(),
            controller,
        })
    }
}

#[pymethods]
impl PyServer {
    #[new]
    #[pyo3(signature = (acl, host = None, port = None, *, requirepass = None, aclfile = None, maxclients = None, config = None,
        tls_port = None, tls_cert_file = None, tls_key_file = None, tls_key_file_pass = None, tls_ca_cert_file = None,
        tls_ca_cert_dir = None, tls_auth_clients = None, tls_auth_clients_user = None, tls_protocols = None,
        tls_ciphersuites = None, tls_ciphers = None, tls_prefer_server_ciphers = None, certificate_users = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        acl: Bound<'_, PyAcl>,
        host: Option<&Bound<'_, PyAny>>,
        port: Option<i64>,
        requirepass: Option<&Bound<'_, PyAny>>,
        aclfile: Option<&Bound<'_, PyAny>>,
        maxclients: Option<i64>,
        config: Option<&Bound<'_, PyAny>>,
        tls_port: Option<&Bound<'_, PyAny>>,
        tls_cert_file: Option<&Bound<'_, PyAny>>,
        tls_key_file: Option<&Bound<'_, PyAny>>,
        tls_key_file_pass: Option<&Bound<'_, PyAny>>,
        tls_ca_cert_file: Option<&Bound<'_, PyAny>>,
        tls_ca_cert_dir: Option<&Bound<'_, PyAny>>,
        tls_auth_clients: Option<&Bound<'_, PyAny>>,
        tls_auth_clients_user: Option<&Bound<'_, PyAny>>,
        tls_protocols: Option<&Bound<'_, PyAny>>,
        tls_ciphersuites: Option<&Bound<'_, PyAny>>,
        tls_ciphers: Option<&Bound<'_, PyAny>>,
        tls_prefer_server_ciphers: Option<&Bound<'_, PyAny>>,
        certificate_users: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyServer> {
        guard(py, || {
            let mut options = options(py, host, port, requirepass, aclfile, maxclients, config)?;
            let tls = [
                ("tls_port", tls_port),
                ("tls_cert_file", tls_cert_file),
                ("tls_key_file", tls_key_file),
                ("tls_key_file_pass", tls_key_file_pass),
                ("tls_ca_cert_file", tls_ca_cert_file),
                ("tls_ca_cert_dir", tls_ca_cert_dir),
                ("tls_auth_clients", tls_auth_clients),
                ("tls_auth_clients_user", tls_auth_clients_user),
                ("tls_protocols", tls_protocols),
                ("tls_ciphersuites", tls_ciphersuites),
                ("tls_ciphers", tls_ciphers),
                ("tls_prefer_server_ciphers", tls_prefer_server_ciphers),
            ];
            crate::server_tls::apply(py, &tls, certificate_users, &mut options)?;
            PyServer::build(py, acl, options)
        })
    }

    /// ``Server(acl, config=path)``: a server configured by a redis.conf-style file.
    ///
    /// Raises:
    ///     ConfigError: the file cannot be read or has an invalid directive (Redis' text).
    #[classmethod]
    fn from_config(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        acl: Bound<'_, PyAcl>,
        path: &Bound<'_, PyAny>,
    ) -> PyResult<PyServer> {
        guard(py, || {
            let options = options(py, None, None, None, None, None, Some(path))?;
            PyServer::build(py, acl, options)
        })
    }

    /// Applies the startup settings to the shared :class:`Acl` (``requirepass``, the
    /// aclfile or the config file's users and ACL settings, as Redis does at startup), binds
    /// and starts serving; returns the server itself. The GIL is released meanwhile.
    ///
    /// Raises:
    ///     InvalidArgument: the server is already running.
    ///     IoError: an address cannot be bound (``errno`` says why, e.g. ``EADDRINUSE``).
    ///     ConfigError: the aclfile or a setting is invalid (Redis' text).
    fn start(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let py = slf.py();
        guard(py, || {
            let controller = &slf.get().controller;
            py.detach(|| controller.start()).py_err(py)?;
            Ok(slf.clone())
        })
    }

    /// Stops the server: closes the listeners and every connection and waits for the
    /// server's threads, with the GIL released. Does nothing if the server is not running.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            py.detach(|| self.controller.stop());
            Ok(())
        })
    }

    /// Stops the server if it runs and starts it again with the same settings (port 0
    /// picks a new free port); returns the server. The GIL is released meanwhile.
    ///
    /// Raises:
    ///     IoError, ConfigError: as :meth:`start`.
    fn restart(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let py = slf.py();
        guard(py, || {
            let controller = &slf.get().controller;
            py.detach(|| controller.restart()).py_err(py)?;
            Ok(slf.clone())
        })
    }

    /// True while the server is running.
    #[getter]
    fn running(&self, py: Python<'_>) -> PyResult<bool> {
        guard(py, || Ok(self.controller.running()))
    }

    /// The port the server listens on (the bound one when configured with port 0); after
    /// :meth:`stop`, the port it last listened on; before the first start, the configured
    /// port (0: a free port will be picked).
    #[getter]
    fn port(&self, py: Python<'_>) -> PyResult<u16> {
        guard(py, || {
            Ok(self
                .controller
                .port()
                .unwrap_or(self.controller.config().port))
        })
    }

    /// The TLS port (the bound one when ``tls_port`` is 0 or unset and a certificate is
    /// configured); after :meth:`stop`, the one it last listened on; None before the first
    /// start and for a server without a TLS listener.
    #[getter]
    fn tls_port(&self, py: Python<'_>) -> PyResult<Option<u16>> {
        guard(py, || Ok(self.controller.tls_port()))
    }

    /// The address the server listens on (several, space-separated, as redis.conf's
    /// ``bind``).
    #[getter]
    fn host(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || Ok(self.controller.host()))
    }

    /// The :class:`Acl` the server enforces.
    #[getter]
    fn acl(&self, py: Python<'_>) -> PyResult<Py<PyAcl>> {
        guard(py, || Ok(self.acl.clone_ref(py)))
    }

    /// Starts the server (if it is not running) and returns it.
    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let py = slf.py();
        if guard(py, || Ok(slf.get().controller.running()))? {
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
        exc_type: Option<&Bound<'_, PyAny>>,
        exc_value: Option<&Bound<'_, PyAny>>,
        traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let status = if self.controller.running() {
                "running"
            } else {
                "stopped"
            };
            Ok(format!(
                "<authgate.Server {}:{} {}>",
                self.controller.host(),
                self.port(py)?,
                status
            ))
        })
    }
}
