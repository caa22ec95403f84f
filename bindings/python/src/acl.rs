//! `authgate.Acl`: the Redis 7.0 ACL engine.

use std::sync::Arc;

use authgate::acl::{Acl, DEFAULT_GENPASS_BITS};
use authgate::acl_store::{EmbeddedAcl, StoreSettings};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple, PyType};

use crate::convert::{arg, args, to_path, to_str, to_str_list};
use crate::denial::PyDenial;
use crate::errors::{guard, IntoPyResult};
use crate::options::{acl_options, log_max_len, pubsub_default, PyAclOptions};
use crate::records::{log_entry, user_info};

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
///     pubsub_default: ``acl-pubsub-default``: ``"resetchannels"`` or ``"allchannels"``
///         (any case), the channel permissions of users created later.
///     log_max_len: ``acllog-max-len``, the number of ACL LOG entries kept.
///
///     None (or left out) is Redis' default, as :class:`AclOptions` gives it.
///
/// Raises:
///     InvalidArgument: an unknown ``pubsub_default`` (Redis' text) or a negative
///         ``log_max_len``.
#[pyclass(name = "Acl", module = "authgate", frozen)]
pub(crate) struct PyAcl {
    /// The engine, and the fleet's store its writes go through when made by
    /// :meth:`Acl.from_store` (core decides which).
    pub(crate) engine: EmbeddedAcl,
}

impl PyAcl {
    fn local(acl: Acl) -> PyAcl {
        PyAcl { engine: EmbeddedAcl::new(Arc::new(acl)) }
    }

    /// The engine itself (reads, and what a :class:`Server` shares).
    pub(crate) fn inner(&self) -> &Arc<Acl> {
        self.engine.acl()
    }
}

/// ``ACL GENPASS``, shared by :meth:`Acl.genpass` and the module function.
pub(crate) fn genpass(py: Python<'_>, bits: Option<i64>) -> PyResult<String> {
    let bits = match bits {
        None => DEFAULT_GENPASS_BITS,
        // A count outside u32 is outside Redis' 1..=4096 too: 0 lets core refuse it with
        // Redis' text.
        Some(n) => u32::try_from(n).unwrap_or(0),
    };
    Acl::genpass(bits).py_err(py)
}

#[pymethods]
impl PyAcl {
    #[new]
    #[pyo3(signature = (*, pubsub_default = None, log_max_len = None))]
    fn new(
        py: Python<'_>,
        pubsub_default: Option<&Bound<'_, PyAny>>,
        log_max_len: Option<i64>,
    ) -> PyResult<PyAcl> {
        guard(py, || {
            let options = acl_options(py, pubsub_default, log_max_len)?;
            Ok(PyAcl::local(Acl::with_options(options)))
        })
    }

    /// A new engine holding the users of the aclfile at ``path`` (as ``redis-server`` starts
    /// with ``aclfile``), with the given options (see :class:`Acl`). The file is read with
    /// the GIL released.
    ///
    /// Raises:
    ///     ConfigError: the file cannot be read or has an invalid line (Redis' ACL LOAD text).
    ///     InvalidArgument: an invalid option.
    #[classmethod]
    #[pyo3(signature = (path, *, pubsub_default = None, log_max_len = None))]
    fn from_file(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        pubsub_default: Option<&Bound<'_, PyAny>>,
        log_max_len: Option<i64>,
    ) -> PyResult<PyAcl> {
        guard(py, || {
            let options = acl_options(py, pubsub_default, log_max_len)?;
            let path = to_path(path)?;
            let acl = py
                .detach(move || Acl::from_file(&path, options))
                .py_err(py)?;
            Ok(PyAcl::local(acl))
        })
    }

    /// An engine attached to a fleet's ACL store, ``etcd://host:port[,host:port...]/prefix``:
    /// it holds the store's users and follows every change (from servers and other engines);
    /// :meth:`setuser`, :meth:`deluser`, :meth:`load` and :meth:`set_requirepass` write
    /// through the store (a compare-and-swap transaction) and return once the change is
    /// applied here. Waits for etcd with the GIL released.
    ///
    /// Args:
    ///     url: the store's address.
    ///     cache_file: where the last state is kept, to start from when etcd is unreachable.
    ///     ca_file: PEM of the CA that signed etcd's certificate (TLS to etcd).
    ///     cert_file, key_file: a client certificate and its key for etcd's
    ///         ``--client-cert-auth`` (both or neither).
    ///
    /// Raises:
    ///     InvalidArgument: ``url`` is not an ``etcd://`` store address, or only one of
    ///         ``cert_file`` and ``key_file`` is given.
    ///     IoError: etcd is unreachable and there is no cache to start from, or a PEM file
    ///         cannot be read.
    #[classmethod]
    #[pyo3(signature = (url, *, cache_file = None, ca_file = None, cert_file = None, key_file = None, pubsub_default = None, log_max_len = None))]
    #[allow(clippy::too_many_arguments)]
    fn from_store(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        url: &str,
        cache_file: Option<&Bound<'_, PyAny>>,
        ca_file: Option<&Bound<'_, PyAny>>,
        cert_file: Option<&Bound<'_, PyAny>>,
        key_file: Option<&Bound<'_, PyAny>>,
        pubsub_default: Option<&Bound<'_, PyAny>>,
        log_max_len: Option<i64>,
    ) -> PyResult<PyAcl> {
        guard(py, || {
            let acl_options = acl_options(py, pubsub_default, log_max_len)?;
            let mut settings = StoreSettings::default();
            let given = [("cache_file", cache_file), ("ca_file", ca_file), ("cert_file", cert_file), ("key_file", key_file)];
            for (name, value) in given {
                if let Some(value) = value {
                    settings.set(name, &to_path(value)?).py_err(py)?;
                }
            }
            let options = settings.options(url).py_err(py)?;
            let engine = py.detach(move || EmbeddedAcl::from_store(acl_options, options)).py_err(py)?;
            Ok(PyAcl { engine })
        })
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
        guard(py, || {
            let name = arg(name, "name")?;
            let rules = args(rules, "rule")?;
            py.detach(|| self.engine.setuser(name.as_bytes(), &rules[..])).py_err(py)
        })
    }

    /// ``ACL DELUSER name...``: deletes the users and returns how many existed.
    ///
    /// Raises:
    ///     AclError: one of the names is ``default`` (nothing is deleted).
    #[pyo3(signature = (*names))]
    fn deluser(&self, py: Python<'_>, names: &Bound<'_, PyTuple>) -> PyResult<usize> {
        guard(py, || {
            let names = args(names, "name")?;
            py.detach(|| self.engine.deluser(&names[..])).py_err(py)
        })
    }

    /// ``ACL GETUSER name``: a :class:`UserInfo`, or None for an unknown user.
    fn getuser<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, || {
            let name = arg(name, "name")?;
            self.inner()
                .getuser(name.as_bytes())
                .map(|info| user_info(py, &info))
                .transpose()
        })
    }

    /// ``ACL USERS``: the user names, sorted.
    fn users<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard(py, || to_str_list(py, &self.inner().users()))
    }

    /// ``ACL LIST``: one ``user <name> <rules>`` line per user, sorted by name.
    fn list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        guard(py, || to_str_list(py, &self.inner().list()))
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
        guard(py, || {
            let category = category.map(|c| arg(c, "category")).transpose()?;
            let names = self
                .inner()
                .cat(category.as_ref().map(|c| c.as_bytes()))
                .py_err(py)?;
            to_str_list(py, &names)
        })
    }

    /// True if the user exists, is ``on``, and the password matches (or the user is
    /// ``nopass``), as ``AUTH user password`` decides. Never raises for a wrong password.
    fn authenticate(
        &self,
        py: Python<'_>,
        user: &Bound<'_, PyAny>,
        password: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        guard(py, || {
            let user = arg(user, "user")?;
            let password = arg(password, "password")?;
            Ok(self
                .inner()
                .authenticate(user.as_bytes(), password.as_bytes()))
        })
    }

    /// Decides whether ``user`` may run the command line ``argv``, as Redis does for an
    /// authenticated connection (command, subcommand, keys and channels; ``on``/``off`` is not
    /// considered). Returns None when allowed. :meth:`allowed` and :meth:`denial` answer the
    /// same question without raising for a denial.
    ///
    /// Raises:
    ///     PermissionDenied: Redis' NOPERM text, with ``.reason`` (``"command"``, ``"key"`` or
    ///         ``"channel"``), ``.object`` (the command's full name, the key or the channel)
    ///         and ``.command``.
    ///     AclError: unknown user (code ``NOT_FOUND``), unknown command or subcommand, wrong
    ///         number of arguments (code ``ERR``).
    #[pyo3(signature = (user, *argv))]
    fn check(
        &self,
        py: Python<'_>,
        user: &Bound<'_, PyAny>,
        argv: &Bound<'_, PyTuple>,
    ) -> PyResult<()> {
        guard(py, || {
            let user = arg(user, "user")?;
            let argv = args(argv, "argument")?;
            self.inner().check(user.as_bytes(), &argv[..]).py_err(py)
        })
    }

    /// :meth:`check` as a boolean: True if allowed, False if denied, without raising or
    /// building an exception for a denial (the cheap form for hot paths).
    ///
    /// Raises:
    ///     AclError: as :meth:`check` for what is no permission answer: unknown user (code
    ///         ``NOT_FOUND``), unknown command or subcommand, wrong number of arguments.
    #[pyo3(signature = (user, *argv))]
    fn allowed(
        &self,
        py: Python<'_>,
        user: &Bound<'_, PyAny>,
        argv: &Bound<'_, PyTuple>,
    ) -> PyResult<bool> {
        guard(py, || {
            let user = arg(user, "user")?;
            let argv = args(argv, "argument")?;
            self.inner().allowed(user.as_bytes(), &argv[..]).py_err(py)
        })
    }

    /// :meth:`check` with the denial as a value: None if allowed, else a :class:`Denial`
    /// (``reason``, ``command``, ``object``, and ``message``, the NOPERM text :meth:`check`
    /// raises), without raising.
    ///
    /// Raises:
    ///     AclError: as :meth:`allowed`.
    #[pyo3(signature = (user, *argv))]
    fn denial(
        &self,
        py: Python<'_>,
        user: &Bound<'_, PyAny>,
        argv: &Bound<'_, PyTuple>,
    ) -> PyResult<Option<PyDenial>> {
        guard(py, || {
            let user = arg(user, "user")?;
            let argv = args(argv, "argument")?;
            let denied = self.inner().denial(user.as_bytes(), &argv[..]).py_err(py)?;
            Ok(denied.map(PyDenial::new))
        })
    }

    /// ``ACL DRYRUN user command [arg...]``: ``"OK"`` if allowed, else the explanation Redis
    /// gives (e.g. ``This user has no permissions to access the 'k' key``).
    ///
    /// Raises:
    ///     AclError: unknown user (``ERR User 'x' not found``, code ``NOT_FOUND``), unknown
    ///         command, or wrong number of arguments.
    #[pyo3(signature = (user, *argv))]
    fn dryrun<'py>(
        &self,
        py: Python<'py>,
        user: &Bound<'py, PyAny>,
        argv: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyString>> {
        guard(py, || {
            let user = arg(user, "user")?;
            let argv = args(argv, "argument")?;
            let verdict = self.inner().dryrun(user.as_bytes(), &argv[..]).py_err(py)?;
            to_str(py, verdict.text())
        })
    }

    /// ``ACL LOG [count]``: the newest ``count`` entries (Redis' default when None), newest
    /// first, as :class:`LogEntry` records.
    ///
    /// Raises:
    ///     InvalidArgument: a negative count.
    #[pyo3(signature = (count = None))]
    fn log<'py>(&self, py: Python<'py>, count: Option<i64>) -> PyResult<Bound<'py, PyList>> {
        guard(py, || {
            let count = count
                .map(|n| crate::convert::to_usize(n, "count"))
                .transpose()
                .py_err(py)?;
            let list = PyList::empty(py);
            for e in self.inner().log(count) {
                list.append(log_entry(py, &e)?)?;
            }
            Ok(list)
        })
    }

    /// ``ACL LOG RESET``: empties the log.
    fn log_reset(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.inner().log_reset();
            Ok(())
        })
    }

    /// ``ACL GENPASS [bits]``: a random password of ``bits`` bits (Redis' default, 256, when
    /// None) as lowercase hex, from the operating system's random source. Also the module
    /// function :func:`authgate.genpass`.
    ///
    /// Raises:
    ///     AclError: ``bits`` is not in 1..4096 (Redis' text).
    #[staticmethod]
    #[pyo3(name = "genpass", signature = (bits = None))]
    fn genpass_method(py: Python<'_>, bits: Option<i64>) -> PyResult<String> {
        guard(py, || genpass(py, bits))
    }

    /// ``ACL LOAD`` from ``path``: replaces every user with the file's, all or nothing, with
    /// the GIL released. Connections of replaced users on a running :class:`Server` are
    /// closed.
    ///
    /// Raises:
    ///     ConfigError: the file cannot be read or has an invalid line (Redis' text).
    fn load(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            let path = to_path(path)?;
            py.detach(|| self.engine.load(&path)).py_err(py)
        })
    }

    /// ``ACL SAVE`` to ``path``: writes every user atomically (temporary file, fsync, rename),
    /// with the GIL released.
    ///
    /// Raises:
    ///     IoError: the file cannot be written: Redis' fixed text, the operating system's
    ///         reason in ``.detail``.
    fn save(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            let path = to_path(path)?;
            py.detach(|| self.inner().save(&path)).py_err(py)
        })
    }

    /// Validates an aclfile without applying it (GIL released).
    ///
    /// Raises:
    ///     ConfigError: as :meth:`load` would.
    fn check_aclfile(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            let path = to_path(path)?;
            py.detach(|| self.inner().check_aclfile(&path)).py_err(py)
        })
    }

    /// ``requirepass``: sets the ``default`` user's only password (an empty one gives
    /// ``nopass``). On an engine from :meth:`from_store` this is a setuser of ``default``
    /// through the store (raising ``IoError`` when etcd is unreachable).
    fn set_requirepass(&self, py: Python<'_>, password: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            let password = arg(password, "password")?;
            py.detach(|| self.engine.set_requirepass(password.as_bytes())).py_err(py)
        })
    }

    /// The current settings, as an :class:`AclOptions`.
    fn options(&self, py: Python<'_>) -> PyResult<PyAclOptions> {
        guard(py, || {
            Ok(PyAclOptions {
                inner: self.inner().options(),
            })
        })
    }

    /// Replaces both settings at once (``CONFIG SET acl-pubsub-default`` and
    /// ``acllog-max-len``).
    fn set_options(&self, py: Python<'_>, options: PyRef<'_, PyAclOptions>) -> PyResult<()> {
        guard(py, || {
            self.inner().set_options(options.inner);
            Ok(())
        })
    }

    /// ``acllog-max-len``: how many ACL LOG entries are kept (settable; a smaller value drops
    /// the oldest entries).
    #[getter(log_max_len)]
    fn get_log_max_len(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || Ok(self.inner().log_max_len()))
    }

    #[setter(log_max_len)]
    fn set_log_max_len(&self, py: Python<'_>, value: i64) -> PyResult<()> {
        guard(py, || {
            self.inner().set_log_max_len(log_max_len(py, value)?);
            Ok(())
        })
    }

    /// ``acl-pubsub-default``: ``"resetchannels"`` or ``"allchannels"`` (settable with any
    /// case, ``str`` or ``bytes``); applies to users created (or ``reset``) later.
    #[getter(pubsub_default)]
    fn get_pubsub_default(&self, py: Python<'_>) -> PyResult<&'static str> {
        guard(py, || Ok(self.inner().pubsub_default().as_str()))
    }

    #[setter(pubsub_default)]
    fn set_pubsub_default(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        guard(py, || {
            self.inner().set_pubsub_default(pubsub_default(value)?);
            Ok(())
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!("<authgate.Acl users={}>", self.inner().users().len()))
        })
    }
}
