//! `authgate.CertUserMap` and `authgate.CertLogin`: which ACL user a verified client
//! certificate logs in as (core's [`CertUserMap`], the lookup `authgate serve` runs at
//! handshake): certificate users by subject line first, then `tls-auth-clients-user`, then
//! `default`. Refused modes and subject lines are core's `CERTIFICATE` errors
//! (`CertificateError`), mapped by `errors.rs`.

use std::sync::RwLock;

use authgate::tls::{CertLogin, CertUserMap, SubjectLine, TlsAuthClientsUser};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::acl::PyAcl;
use crate::cert::PyClientCert;
use crate::convert::to_str;
use crate::errors::{guard, IntoPyResult};

/// Certificate users (Redis Software's ``auth_method: certificate`` with their
/// ``certificate_subject_line``) and the ``tls-auth-clients-user`` mode (``off``, ``CN``,
/// ``URI``; core's default, ``off``, when None), mapping a verified client certificate to the
/// user it logs in as, in ``authgate serve``'s order: a certificate user whose subject line
/// equals the certificate's RFC 2253 subject (the first by name when several do), then the
/// mode's CN or SAN URI, then ``default``. Thread-safe.
///
/// Raises:
///     CertificateError: an unknown mode (core's text).
#[pyclass(name = "CertUserMap", module = "authgate", frozen)]
pub(crate) struct PyCertUserMap {
    inner: RwLock<CertUserMap>,
}

/// What a certificate mapped to (:meth:`CertUserMap.map`). Immutable.
#[pyclass(name = "CertLogin", module = "authgate", frozen)]
pub(crate) struct PyCertLogin {
    inner: CertLogin,
}

fn mode_of(mode: &str) -> Result<TlsAuthClientsUser, authgate::Error> {
    Ok(mode.parse::<TlsAuthClientsUser>()?)
}

impl PyCertUserMap {
    /// The map; a panic while it was held (a bug) does not make it unusable, since every
    /// change is a single insert or remove that cannot be left half done.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, CertUserMap> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, CertUserMap> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl PyCertUserMap {
    #[new]
    #[pyo3(signature = (mode = None))]
    fn new(py: Python<'_>, mode: Option<String>) -> PyResult<PyCertUserMap> {
        guard(py, || {
            let mode = match mode {
                Some(m) => mode_of(&m).py_err(py)?,
                None => TlsAuthClientsUser::default(),
            };
            Ok(PyCertUserMap { inner: RwLock::new(CertUserMap::new(mode)) })
        })
    }

    /// ``tls-auth-clients-user`` as redis.conf writes it (``off``, ``CN``, ``URI``); set it
    /// with any case, as redis.conf reads it (CertificateError for another value, which
    /// changes nothing).
    #[getter]
    fn mode(&self, py: Python<'_>) -> PyResult<&'static str> {
        guard(py, || Ok(self.read().mode().as_str()))
    }

    #[setter]
    fn set_mode(&self, py: Python<'_>, mode: String) -> PyResult<()> {
        guard(py, || {
            let mode = mode_of(&mode).py_err(py)?;
            self.write().set_mode(mode);
            Ok(())
        })
    }

    /// The certificate users' names, in name order.
    #[getter]
    fn users<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard(py, || {
            let names: Vec<String> = self.read().users().map(|(name, _)| name.to_string()).collect();
            Ok(PyList::new(py, names)?)
        })
    }

    /// Makes ``user`` a certificate user whose ``certificate_subject_line`` is
    /// ``subject_line`` (replacing its previous line). The line must be the certificate's
    /// subject exactly as ``openssl x509 -noout -subject -nameopt RFC2253`` prints it.
    ///
    /// Raises:
    ///     CertificateError: a line that is not in that form (core's text says how to write
    ///         it); nothing changes.
    fn set_user(&self, py: Python<'_>, user: String, subject_line: String) -> PyResult<()> {
        guard(py, || {
            let line = SubjectLine::parse(&subject_line).py_err(py)?;
            self.write().set_user(&user, line);
            Ok(())
        })
    }

    /// Stops ``user`` being a certificate user; True if it was one.
    fn remove_user(&self, py: Python<'_>, user: String) -> PyResult<bool> {
        guard(py, || Ok(self.write().remove_user(&user).is_some()))
    }

    /// The subject line of ``user``, or None if it is not a certificate user.
    fn subject_line(&self, py: Python<'_>, user: String) -> PyResult<Option<String>> {
        guard(py, || Ok(self.read().subject_line(&user).map(|l| l.as_str().to_string())))
    }

    /// Which user ``cert`` (its chain already verified) logs in as. With ``acl``, a
    /// candidate must be a user of that engine and enabled, as the server sees it; without,
    /// every name is a candidate (for a program that checks the user itself).
    #[pyo3(signature = (cert, acl = None))]
    fn map(&self, py: Python<'_>, cert: &PyClientCert, acl: Option<&PyAcl>) -> PyResult<PyCertLogin> {
        guard(py, || {
            let login = self.read().map_acl(&cert.inner, acl.map(|a| &**a.inner()));
            Ok(PyCertLogin { inner: login })
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let map = self.read();
            Ok(format!(
                "CertUserMap(mode={}, users={})",
                PyString::new(py, map.mode().as_str()).repr()?,
                map.len()
            ))
        })
    }
}

#[pymethods]
impl PyCertLogin {
    /// The user the connection is authenticated as, or None: it stays ``default``.
    #[getter]
    fn user<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyString>>> {
        guard(py, || self.inner.user().map(|u| to_str(py, u)).transpose())
    }

    /// Which rule decided: ``certificate_user`` (a subject line matched),
    /// ``tls_auth_clients_user`` (the CN or a SAN URI named an enabled user), ``default``
    /// (nothing matched and the mode is off: Redis 7.0.15's behaviour, nothing logged) or
    /// ``no_match`` (the mode is on and found no user: the server logs :attr:`log_line` and
    /// writes an ACL LOG entry with reason ``tls-cert``).
    #[getter]
    fn outcome(&self, py: Python<'_>) -> PyResult<&'static str> {
        guard(py, || Ok(self.inner.outcome()))
    }

    /// The server's log line (``TLS: Auto-authenticated client as alice``, ``TLS: No
    /// matching user found ...``) for ``tls_auth_clients_user`` and ``no_match``, else None.
    #[getter]
    fn log_line(&self, py: Python<'_>) -> PyResult<Option<String>> {
        guard(py, || Ok(self.inner.log_line().map(str::to_string)))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let user = match self.inner.user() {
                Some(u) => to_str(py, u)?.repr()?.to_string(),
                None => "None".to_string(),
            };
            Ok(format!("CertLogin(user={user}, outcome={})", PyString::new(py, self.inner.outcome()).repr()?))
        })
    }
}
