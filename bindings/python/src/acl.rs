//! `authgate.Acl`: the Redis 7.0 ACL engine.

use std::sync::Arc;

use authgate::acl::{Acl, AclOptions, LogContext, LogEntry, LogReason, SelectorInfo, UserInfo};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

use crate::convert::{arg, args, to_path, to_str, to_str_list};
use crate::errors::{wrongpass, IntoPyResult};

/// The Redis 7.0 ACL engine: users, passwords, command/key/channel permissions, selectors,
/// the ACL LOG and aclfiles, with Redis 7.0.15's exact semantics and texts.
///
/// A new engine has only the ``default`` user (``on nopass ~* &* +@all``). Every method
/// mirrors the ACL subcommand of the same name. Arguments accept ``str`` (UTF-8), ``bytes``,
/// ``bytearray`` and ``int``; returned strings are decoded as UTF-8 with ``surrogateescape``,
/// so binary names and keys survive a round trip. An ``Acl`` is safe to share between threads
/// and with a :class:`Server`: changes apply at once to every user of the object.
///
/// Args:
///     pubsub_default: ``"resetchannels"`` (Redis 7.0's default) or ``"allchannels"``, the
///         ``acl-pubsub-default`` setting for users created later.
///     log_max_len: ``acllog-max-len``, the number of ACL LOG entries kept.
#[pyclass(name = "Acl", module = "authgate", frozen)]
pub(crate) struct PyAcl {
    pub(crate) inner: Arc<Acl>,
}

fn pubsub_flag(value: &str) -> PyResult<bool> {
    match value {
        "resetchannels" => Ok(false),
        "allchannels" => Ok(true),
        other => Err(PyValueError::new_err(format!(
            "pubsub_default must be 'resetchannels' or 'allchannels', not {other:?}"
        ))),
    }
}

fn non_negative(value: i64, what: &str) -> PyResult<usize> {
    usize::try_from(value).map_err(|_| PyValueError::new_err(format!("{what} must be >= 0")))
}

fn selector_dict<'py>(py: Python<'py>, s: &SelectorInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("commands", to_str(py, &s.commands)?)?;
    d.set_item("keys", to_str(py, &s.keys)?)?;
    d.set_item("channels", to_str(py, &s.channels)?)?;
    Ok(d)
}

fn user_dict<'py>(py: Python<'py>, info: &UserInfo) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("flags", PyList::new(py, &info.flags)?)?;
    d.set_item("passwords", PyList::new(py, &info.passwords)?)?;
    d.set_item("commands", to_str(py, &info.root.commands)?)?;
    d.set_item("keys", to_str(py, &info.root.keys)?)?;
    d.set_item("channels", to_str(py, &info.root.channels)?)?;
    let selectors = PyList::empty(py);
    for s in &info.selectors {
        selectors.append(selector_dict(py, s)?)?;
    }
    d.set_item("selectors", selectors)?;
    Ok(d)
}

fn log_dict<'py>(py: Python<'py>, e: &LogEntry) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("count", e.count)?;
    d.set_item("reason", e.reason.as_str())?;
    d.set_item("context", e.context.as_str())?;
    d.set_item("object", to_str(py, &e.object)?)?;
    d.set_item("username", to_str(py, &e.username)?)?;
    d.set_item("age_seconds", e.age_seconds)?;
    d.set_item("client_info", to_str(py, &e.client_info)?)?;
    Ok(d)
}

fn log_reason(value: &str) -> PyResult<LogReason> {
    Ok(match value {
        "command" => LogReason::Command,
        "key" => LogReason::Key,
        "channel" => LogReason::Channel,
        "auth" => LogReason::Auth,
        other => {
            return Err(PyValueError::new_err(format!(
                "reason must be 'command', 'key', 'channel' or 'auth', not {other:?}"
            )))
        }
    })
}

fn log_context(value: &str) -> PyResult<LogContext> {
    Ok(match value {
        "toplevel" => LogContext::Toplevel,
        "multi" => LogContext::Multi,
        "lua" => LogContext::Lua,
        "module" => LogContext::Module,
        other => {
            return Err(PyValueError::new_err(format!(
                "context must be 'toplevel', 'multi', 'lua' or 'module', not {other:?}"
            )))
        }
    })
}

impl PyAcl {
    fn build(pubsub_default: &str, log_max_len: i64) -> PyResult<PyAcl> {
        let options = AclOptions {
            pubsub_default_allchannels: pubsub_flag(pubsub_default)?,
            log_max_len: non_negative(log_max_len, "log_max_len")?,
        };
        Ok(PyAcl {
            inner: Arc::new(Acl::with_options(options)),
        })
    }
}

#[pymethods]
impl PyAcl {
    #[new]
    #[pyo3(signature = (*, pubsub_default = "resetchannels", log_max_len = 128))]
    fn new(pubsub_default: &str, log_max_len: i64) -> PyResult<PyAcl> {
        PyAcl::build(pubsub_default, log_max_len)
    }

    /// Creates an engine and loads an aclfile into it (``ACL LOAD``).
    ///
    /// Raises:
    ///     ConfigError: the file cannot be read or has an invalid line (Redis' text).
    #[classmethod]
    #[pyo3(signature = (path, *, pubsub_default = "resetchannels", log_max_len = 128))]
    fn from_file(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        pubsub_default: &str,
        log_max_len: i64,
    ) -> PyResult<PyAcl> {
        let acl = PyAcl::build(pubsub_default, log_max_len)?;
        acl.load(py, path)?;
        Ok(acl)
    }

    /// ``ACL SETUSER name rule...``: creates the user if needed and applies the rules left to
    /// right, all or nothing.
    ///
    /// Raises:
    ///     AclError: a rule is invalid (``ERR Error in ACL SETUSER modifier ...``); nothing
    ///         was changed.
    #[pyo3(signature = (name, *rules))]
    fn setuser(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        rules: &Bound<'_, PyTuple>,
    ) -> PyResult<()> {
        let name = arg(name, "name")?;
        let rules = args(rules, "rule")?;
        self.inner.setuser(name.as_bytes(), &rules[..]).py_err(py)
    }

    /// ``ACL DELUSER name...``: deletes the users and returns how many existed.
    ///
    /// Raises:
    ///     AclError: one of the names is ``default`` (nothing is deleted).
    #[pyo3(signature = (*names))]
    fn deluser(&self, py: Python<'_>, names: &Bound<'_, PyTuple>) -> PyResult<usize> {
        let names = args(names, "name")?;
        self.inner.deluser(&names[..]).py_err(py)
    }

    /// ``ACL GETUSER name``: a dict with ``flags``, ``passwords`` (SHA-256 hex digests),
    /// ``commands``, ``keys``, ``channels`` and ``selectors`` (a list of dicts with
    /// ``commands``, ``keys`` and ``channels``), or ``None`` for an unknown user.
    fn getuser<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let name = arg(name, "name")?;
        self.inner
            .getuser(name.as_bytes())
            .map(|info| user_dict(py, &info))
            .transpose()
    }

    /// ``ACL USERS``: the user names, sorted.
    fn users<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        to_str_list(py, &self.inner.users())
    }

    /// ``ACL LIST``: one ``user <name> <rules>`` line per user, sorted by name.
    fn list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        to_str_list(py, &self.inner.list())
    }

    /// ``ACL CAT [category]``: the category names, or the commands in one category.
    ///
    /// Raises:
    ///     AclError: unknown category (``ERR Unknown category '...'``).
    #[pyo3(signature = (category = None))]
    fn cat<'py>(
        &self,
        py: Python<'py>,
        category: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let category = category.map(|c| arg(c, "category")).transpose()?;
        let names = self
            .inner
            .cat(category.as_ref().map(|c| c.as_bytes()))
            .py_err(py)?;
        to_str_list(py, &names)
    }

    /// True if the user exists, is ``on``, and the password matches (or the user is
    /// ``nopass``), as ``AUTH user password`` decides. Never raises for a wrong password.
    fn authenticate(&self, user: &Bound<'_, PyAny>, password: &Bound<'_, PyAny>) -> PyResult<bool> {
        let user = arg(user, "user")?;
        let password = arg(password, "password")?;
        Ok(self
            .inner
            .authenticate(user.as_bytes(), password.as_bytes()))
    }

    /// Like :meth:`authenticate`, but raises instead of returning False.
    ///
    /// Raises:
    ///     AuthError: ``WRONGPASS invalid username-password pair or user is disabled.``
    fn auth(&self, user: &Bound<'_, PyAny>, password: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.authenticate(user, password)? {
            Ok(())
        } else {
            Err(wrongpass())
        }
    }

    /// Decides whether ``user`` may run the command line ``argv``, as Redis does for an
    /// authenticated connection (command, subcommand, keys and channels; ``on``/``off`` is not
    /// considered). Returns None when allowed.
    ///
    /// Raises:
    ///     PermissionDenied: Redis' NOPERM text, with ``.reason`` (``"command"``, ``"key"`` or
    ///         ``"channel"``) and ``.object`` (the command name, key or channel).
    ///     AclError: unknown user, unknown command or subcommand, wrong number of arguments.
    #[pyo3(signature = (user, *argv))]
    fn check(
        &self,
        py: Python<'_>,
        user: &Bound<'_, PyAny>,
        argv: &Bound<'_, PyTuple>,
    ) -> PyResult<()> {
        let user = arg(user, "user")?;
        let argv = args(argv, "argument")?;
        self.inner.check(user.as_bytes(), &argv[..]).py_err(py)
    }

    /// ``ACL DRYRUN user command [arg...]``: ``"OK"`` if allowed, else the explanation Redis
    /// gives (e.g. ``This user has no permissions to access the 'k' key``).
    ///
    /// Raises:
    ///     AclError: unknown user (``ERR User 'x' not found``), unknown command, or wrong
    ///         number of arguments.
    #[pyo3(signature = (user, *argv))]
    fn dryrun<'py>(
        &self,
        py: Python<'py>,
        user: &Bound<'py, PyAny>,
        argv: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, pyo3::types::PyString>> {
        let user = arg(user, "user")?;
        let argv = args(argv, "argument")?;
        match self.inner.dryrun(user.as_bytes(), &argv[..]).py_err(py)? {
            None => to_str(py, b"OK"),
            Some(text) => to_str(py, &text),
        }
    }

    /// ``ACL LOG [count]``: the newest ``count`` entries, newest first. Each is a dict with
    /// ``count``, ``reason``, ``context``, ``object``, ``username``, ``age_seconds`` (float)
    /// and ``client_info``: Redis' fields, with ``_`` instead of ``-`` in the names.
    #[pyo3(signature = (count = 10))]
    fn log<'py>(&self, py: Python<'py>, count: i64) -> PyResult<Bound<'py, PyList>> {
        let count = non_negative(count, "count")?;
        let list = PyList::empty(py);
        for e in self.inner.log(Some(count)) {
            list.append(log_dict(py, &e)?)?;
        }
        Ok(list)
    }

    /// ``ACL LOG RESET``: empties the log.
    fn log_reset(&self) {
        self.inner.log_reset();
    }

    /// Adds an event to the ACL LOG, merged with a recent identical one as Redis does. For
    /// programs that enforce :meth:`check` themselves and want Redis' audit trail.
    ///
    /// Args:
    ///     reason: ``"command"``, ``"key"``, ``"channel"`` or ``"auth"``.
    ///     object: the command name, key or channel (for ``auth``: the command as typed).
    ///     username: the user the event is about.
    ///     context: ``"toplevel"``, ``"multi"``, ``"lua"`` or ``"module"``.
    ///     client_info: a free-form description of the client (``CLIENT LIST`` format in
    ///         the server).
    #[pyo3(signature = (reason, object, username, *, context = "toplevel", client_info = None))]
    fn log_event(
        &self,
        reason: &str,
        object: &Bound<'_, PyAny>,
        username: &Bound<'_, PyAny>,
        context: &str,
        client_info: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let reason = log_reason(reason)?;
        let context = log_context(context)?;
        let object = arg(object, "object")?;
        let username = arg(username, "username")?;
        let info = client_info.map(|c| arg(c, "client_info")).transpose()?;
        let info = info.map(|b| b.as_bytes().to_vec()).unwrap_or_default();
        self.inner.log_event(
            reason,
            context,
            object.as_bytes(),
            username.as_bytes(),
            info,
        );
        Ok(())
    }

    /// ``ACL LOAD`` from ``path``: replaces every user with the file's, all or nothing.
    /// Connections of replaced users on a running :class:`Server` are closed.
    ///
    /// Raises:
    ///     ConfigError: the file cannot be read or has an invalid line (Redis' text).
    fn load(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = to_path(path)?;
        let acl = Arc::clone(&self.inner);
        py.detach(move || acl.load(&path)).py_err(py)
    }

    /// ``ACL SAVE`` to ``path``: writes every user atomically (temporary file, fsync, rename).
    ///
    /// Raises:
    ///     ConfigError: the file cannot be written; ``.detail`` has the operating system's
    ///         reason.
    fn save(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = to_path(path)?;
        let acl = Arc::clone(&self.inner);
        py.detach(move || acl.save(&path)).py_err(py)
    }

    /// Validates an aclfile without applying it.
    ///
    /// Raises:
    ///     ConfigError: as :meth:`load` would.
    fn check_aclfile(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = to_path(path)?;
        let acl = Arc::clone(&self.inner);
        py.detach(move || acl.check_aclfile(&path)).py_err(py)
    }

    /// ``requirepass``: sets the ``default`` user's only password (an empty one gives
    /// ``nopass``).
    fn set_requirepass(&self, password: &Bound<'_, PyAny>) -> PyResult<()> {
        let password = arg(password, "password")?;
        self.inner.set_requirepass(password.as_bytes());
        Ok(())
    }

    /// ``acllog-max-len``: how many ACL LOG entries are kept.
    #[getter]
    fn get_log_max_len(&self) -> usize {
        self.inner.log_max_len()
    }

    #[setter]
    fn set_log_max_len(&self, value: i64) -> PyResult<()> {
        self.inner
            .set_log_max_len(non_negative(value, "log_max_len")?);
        Ok(())
    }

    /// ``acl-pubsub-default``: ``"resetchannels"`` or ``"allchannels"``; applies to users
    /// created (or ``reset``) later.
    #[getter]
    fn get_pubsub_default(&self) -> &'static str {
        if self.inner.options().pubsub_default_allchannels {
            "allchannels"
        } else {
            "resetchannels"
        }
    }

    #[setter]
    fn set_pubsub_default(&self, value: &str) -> PyResult<()> {
        self.inner
            .set_pubsub_default_allchannels(pubsub_flag(value)?);
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!("<authgate.Acl users={}>", self.inner.users().len())
    }
}
