//! `authgate.NatsAuth` and `authgate.NatsIdentity`: core's nats-server 2.9.10 authentication
//! ([`NatsAuth`], [`Identity`]) for Python.

use std::sync::Arc;

use authgate::nats::{Connect, ConnectionType, Identity, NatsAuth, Permissions, SubjectList};
use authgate::Error;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyType};

use crate::convert::{arg, to_path, to_str};
use crate::errors::{guard, IntoPyResult};

/// A nats-server configuration's client authentication, deciding logins and permissions as
/// nats-server 2.9.10 does (config mode: users, nkeys, tokens, accounts, permissions; no
/// operator/JWT mode).
///
/// Build one with :meth:`from_file` or :meth:`parse`; :meth:`authenticate` decides a
/// CONNECT. A ``NatsAuth`` is immutable and safe to share between threads.
#[pyclass(name = "NatsAuth", module = "authgate", frozen)]
pub(crate) struct PyNatsAuth {
    inner: Arc<NatsAuth>,
}

/// A logged-in NATS client (from :meth:`NatsAuth.authenticate`): its user, its account and
/// what it may publish, subscribe to and receive.
#[pyclass(name = "NatsIdentity", module = "authgate", frozen)]
pub(crate) struct PyNatsIdentity {
    inner: Identity,
}

/// A path or name as the UTF-8 text core takes (`InvalidArgument` otherwise).
fn utf8_path(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    to_path(obj)?
        .into_os_string()
        .into_string()
        .map_err(|_| Error::invalid_argument(format!("{what} must be UTF-8")))
        .py_err(py)
}

/// An optional byte argument into a CONNECT field, left as it is when None.
fn set_field(field: &mut Vec<u8>, value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<()> {
    if let Some(v) = value {
        *field = arg(v, what)?.as_bytes().to_vec();
    }
    Ok(())
}

#[pymethods]
impl PyNatsAuth {
    /// Reads a config file as ``nats-server -c PATH`` does, with every check of
    /// ``nats-server -t`` and those the server makes at start-up. Includes are relative to
    /// the including file.
    ///
    /// Raises:
    ///     ConfigError: the config is refused (nats-server's text, ``file:line:col:
    ///         message`` lines where it gives a position).
    #[classmethod]
    fn from_file(cls: &Bound<'_, PyType>, path: &Bound<'_, PyAny>) -> PyResult<PyNatsAuth> {
        let py = cls.py();
        guard(py, || {
            let path = utf8_path(py, path, "path")?;
            let auth = py.detach(|| NatsAuth::from_file(&path)).py_err(py)?;
            Ok(PyNatsAuth {
                inner: Arc::new(auth),
            })
        })
    }

    /// Parses config text. ``filename`` is the name error positions carry (none when None);
    /// ``base_dir`` the directory includes are relative to (that of ``filename`` when None).
    ///
    /// Raises:
    ///     ConfigError: the config is refused (nats-server's text).
    #[classmethod]
    #[pyo3(signature = (text, filename = None, base_dir = None))]
    fn parse(
        cls: &Bound<'_, PyType>,
        text: &Bound<'_, PyAny>,
        filename: Option<&Bound<'_, PyAny>>,
        base_dir: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyNatsAuth> {
        let py = cls.py();
        guard(py, || {
            let text = arg(text, "text")?.as_bytes().to_vec();
            let filename = filename.map(|f| utf8_path(py, f, "filename")).transpose()?;
            let base_dir = base_dir.map(|d| utf8_path(py, d, "base_dir")).transpose()?;
            let auth = py
                .detach(|| NatsAuth::parse(&text, filename.as_deref(), base_dir.as_deref()))
                .py_err(py)?;
            Ok(PyNatsAuth {
                inner: Arc::new(auth),
            })
        })
    }

    /// nats-server's single-user command-line mode (``nats-server --user U --pass P``):
    /// one user in the global account, no permissions.
    #[classmethod]
    fn single_user(
        cls: &Bound<'_, PyType>,
        user: &Bound<'_, PyAny>,
        password: &Bound<'_, PyAny>,
    ) -> PyResult<PyNatsAuth> {
        let py = cls.py();
        guard(py, || {
            let (user, password) = (arg(user, "user")?, arg(password, "password")?);
            Ok(PyNatsAuth {
                inner: Arc::new(NatsAuth::single_user(user.as_bytes(), password.as_bytes())),
            })
        })
    }

    /// nats-server's token command-line mode (``nats-server --auth TOKEN``).
    #[classmethod]
    fn token(cls: &Bound<'_, PyType>, token: &Bound<'_, PyAny>) -> PyResult<PyNatsAuth> {
        let py = cls.py();
        guard(py, || {
            let token = arg(token, "token")?;
            Ok(PyNatsAuth {
                inner: Arc::new(NatsAuth::token(token.as_bytes())),
            })
        })
    }

    /// The auth timeout in seconds: ``authorization.timeout``, else nats-server's default
    /// (more with TLS).
    #[getter]
    fn auth_timeout(&self, py: Python<'_>) -> PyResult<f64> {
        guard(py, || Ok(self.inner.auth_timeout()))
    }

    /// Decides a CONNECT with these credentials, as nats-server 2.9.10 does. ``url`` (a
    /// ``nats://user:pass@host`` or ``nats://token@host`` URL) supplies credentials the way a
    /// client takes them from its URL; the other arguments, when given, override it.
    /// ``connection_type`` is nats' name (``STANDARD``, ``WEBSOCKET``, ``LEAFNODE``,
    /// ``LEAFNODE_WS``, ``MQTT``, ``MQTT_WS``; any case; None: a standard client). The GIL
    /// is released while it runs (bcrypt), so threads may authenticate in parallel.
    /// ``certificate`` (a :class:`ClientCert`, or its PEM or DER bytes) is the client's TLS
    /// certificate, already verified by the listener, which ``tls { verify_and_map: true }``
    /// maps to a user as nats-server does.
    ///
    /// Raises:
    ///     AuthError: the login is refused (code ``AUTH``, ``Authorization Violation``).
    ///     CertificateError: ``certificate`` bytes that are not a certificate.
    ///     InvalidArgument: an unknown ``connection_type``.
    #[pyo3(signature = (*, user = None, password = None, token = None, nkey = None, sig = None, nonce = None, connection_type = None, url = None, certificate = None))]
    #[allow(clippy::too_many_arguments)]
    fn authenticate(
        &self,
        py: Python<'_>,
        user: Option<&Bound<'_, PyAny>>,
        password: Option<&Bound<'_, PyAny>>,
        token: Option<&Bound<'_, PyAny>>,
        nkey: Option<&Bound<'_, PyAny>>,
        sig: Option<&Bound<'_, PyAny>>,
        nonce: Option<&Bound<'_, PyAny>>,
        connection_type: Option<&Bound<'_, PyAny>>,
        url: Option<&Bound<'_, PyAny>>,
        certificate: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyNatsIdentity> {
        guard(py, || {
            let mut c = match url {
                Some(u) => {
                    let u = arg(u, "url")?;
                    Connect::from_url(&String::from_utf8_lossy(u.as_bytes()))
                }
                None => Connect::default(),
            };
            set_field(&mut c.user, user, "user")?;
            set_field(&mut c.password, password, "password")?;
            set_field(&mut c.token, token, "token")?;
            set_field(&mut c.nkey, nkey, "nkey")?;
            set_field(&mut c.sig, sig, "sig")?;
            set_field(&mut c.nonce, nonce, "nonce")?;
            if let Some(t) = connection_type {
                let t = arg(t, "connection_type")?;
                let name = String::from_utf8_lossy(t.as_bytes()).into_owned();
                c.connection_type = ConnectionType::from_name(&name)
                    .ok_or_else(|| {
                        Error::invalid_argument(format!("unknown connection_type {name:?}"))
                    })
                    .py_err(py)?;
            }
            if let Some(cert) = certificate {
                c.certificate = Some(Arc::new(crate::cert::client_cert_arg(py, cert)?));
            }
            let auth = &self.inner;
            let id = py.detach(|| auth.authenticate(&c)).py_err(py)?;
            Ok(PyNatsIdentity { inner: id })
        })
    }
}

#[pymethods]
impl PyNatsIdentity {
    /// The user name (the nkey for an nkey user; empty for a token or an open server).
    #[getter]
    fn user<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        guard(py, || to_str(py, self.inner.user()))
    }

    /// The account (``$G``, the global account, when none is configured).
    #[getter]
    fn account<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        guard(py, || to_str(py, self.inner.account()))
    }

    /// Whether a publish to ``subject`` is allowed.
    fn can_publish(&self, py: Python<'_>, subject: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(py, || {
            Ok(self.inner.can_publish(arg(subject, "subject")?.as_bytes()))
        })
    }

    /// Whether a subscription to ``subject`` (in queue group ``queue``) is accepted: the
    /// permissions, then nats-server's refusal of a subject it cannot hold.
    #[pyo3(signature = (subject, queue = None))]
    fn can_subscribe(
        &self,
        py: Python<'_>,
        subject: &Bound<'_, PyAny>,
        queue: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        guard(py, || {
            let subject = arg(subject, "subject")?;
            let queue = queue.map(|q| arg(q, "queue")).transpose()?;
            Ok(self
                .inner
                .can_subscribe(subject.as_bytes(), queue.as_ref().map(|q| q.as_bytes())))
        })
    }

    /// Whether a message on ``subject`` is delivered to this client's (wildcard)
    /// subscription: the deny filter nats-server applies at delivery.
    fn can_receive(&self, py: Python<'_>, subject: &Bound<'_, PyAny>) -> PyResult<bool> {
        guard(py, || {
            Ok(self.inner.can_receive(arg(subject, "subject")?.as_bytes()))
        })
    }
    /// The permissions as configured, None when the user has none (everything within the
    /// account): ``{"publish": {"allow": [...] | None, "deny": [...] | None}, "subscribe":
    /// {...}, "allow_responses": {"max": int, "expires": seconds} | None}``. A list that is
    /// None does not restrict; an empty publish allow list (made by ``allow_responses``)
    /// allows only responses. ``max`` and ``expires`` are negative for unlimited.
    #[getter]
    fn permissions<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        guard(py, || {
            self.inner
                .permissions()
                .map(|p| permissions_dict(py, p))
                .transpose()
        })
    }

    /// A request carrying the reply subject ``reply`` was delivered to this client: with
    /// ``allow_responses``, :meth:`can_publish` allows ``reply`` (within max and expires).
    /// Without ``allow_responses`` it changes nothing.
    fn received_request(&self, py: Python<'_>, reply: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            self.inner.received_request(arg(reply, "reply")?.as_bytes());
            Ok(())
        })
    }
}

/// Core's permissions as the dict :attr:`NatsIdentity.permissions` documents.
fn permissions_dict<'py>(py: Python<'py>, p: &Permissions) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for which in SubjectList::ALL {
        let direction = match out.get_item(which.direction())? {
            Some(d) => d.cast_into::<PyDict>()?,
            None => {
                let d = PyDict::new(py);
                out.set_item(which.direction(), &d)?;
                d
            }
        };
        match p.list(which) {
            Some(entries) => {
                let items = entries
                    .iter()
                    .map(|e| to_str(py, e))
                    .collect::<PyResult<Vec<_>>>()?;
                direction.set_item(which.side(), PyList::new(py, items)?)?
            }
            None => direction.set_item(which.side(), py.None())?,
        }
    }
    match p.response {
        Some(rp) => {
            let r = PyDict::new(py);
            r.set_item("max", rp.max())?;
            r.set_item("expires", rp.expires_seconds())?;
            out.set_item("allow_responses", r)?;
        }
        None => out.set_item("allow_responses", py.None())?,
    }
    Ok(out)
}
