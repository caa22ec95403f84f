//! Server settings and redis.conf-style configuration files.
//!
//! File syntax follows Redis: each line is trimmed, blank lines and lines starting with `#`
//! are skipped, the rest is split with `sdssplitargs` rules and the directive name is
//! case-insensitive. Supported directives: `port`, `bind`, `requirepass`, `aclfile`, `dir`,
//! `user` (repeatable), `acl-pubsub-default`, `acllog-max-len`, `maxclients`, `loglevel`,
//! `enable-debug-command`, `enable-module-command`,
//! `logfile`, `upstream`, `upstream-tls-*` and `upstream-acl` (proxy mode), `acl-store`, `acl-store-cache`,
//! `acl-store-ca-file`, `acl-store-cert-file`, `acl-store-key-file` (the fleet's store),
//! `client-output-buffer-limit`,
//! `client-query-buffer-limit`, the `tls-*` directives ([`TlsSettings`]) and the REST API's
//! `rest-*` ([`super::rest::settings`]). A handful of common Redis directives that have no meaning for this server
//! (persistence, daemonizing) are accepted and ignored so that existing redis.conf files load;
//! any other directive is a fatal error reported like Redis does.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

use super::outlimits::{mem_to_u64, OutputBufferLimits};
use crate::redis::acl::declaration::check_user_declaration;
use crate::redis::acl::{PubsubDefault, DEFAULT_LOG_MAX_LEN};
use crate::redis::resp::number::parse_i64;
use crate::redis::resp::split_args;

pub use super::tls::{TlsAuthClients, TlsSettings};

/// Default `maxclients`.
pub use super::options::DEFAULT_MAXCLIENTS;

/// The server settings (command-line options, config file, CONFIG SET).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Addresses to listen on (`bind`, default `127.0.0.1`).
    pub bind: Vec<String>,
    /// TCP port (`port`, default 6379). 0 means no plain TCP listener, as in Redis (a
    /// TLS-only server), unless `free_port_for_zero` is set.
    pub port: u16,
    /// Port 0 (`port`, `tls-port`) picks a free port instead of meaning "no listener": what
    /// the embedding APIs ([`ServerOptions`](super::ServerOptions),
    /// [`ServerBuilder::port`](super::ServerBuilder::port)) set; redis.conf files and
    /// `authgate serve` leave it off.
    pub free_port_for_zero: bool,
    /// The TLS listener (`tls-port`, `tls-cert-file`, ...).
    pub tls: TlsSettings,
    /// Most simultaneous clients (`maxclients`).
    pub maxclients: usize,
    /// `requirepass` as configured (CONFIG GET returns it verbatim).
    pub requirepass: Option<Vec<u8>>,
    /// `aclfile`, as written (relative paths resolve against `dir`).
    pub aclfile: Option<PathBuf>,
    /// `dir`: the working directory for relative paths.
    pub dir: Option<PathBuf>,
    /// `acl-pubsub-default`.
    pub acl_pubsub_default: PubsubDefault,
    /// `acllog-max-len`.
    pub acllog_max_len: usize,
    /// `user` directives: each is the name followed by its rules.
    pub users: Vec<Vec<Vec<u8>>>,
    /// The configuration file read at start, as an absolute path (CONFIG REWRITE rewrites it,
    /// INFO shows it); `None` without one.
    pub config_file: Option<PathBuf>,
    /// `loglevel`: the least important log events the program writes.
    pub loglevel: LogLevel,
    /// `enable-debug-command`: who may run DEBUG (Redis' default: nobody).
    pub enable_debug_command: ProtectedAction,
    /// `enable-module-command`: who may run MODULE LOAD/LOADEX/UNLOAD (default: nobody).
    pub enable_module_command: ProtectedAction,
    /// `logfile`: where the program appends its log lines; `None` (`logfile ""`, the
    /// default) is standard output.
    pub logfile: Option<PathBuf>,
    /// The admin REST API's `rest-*` directives (off by default).
    pub rest: super::rest::RestConfig,
    /// `upstream`: proxy mode, the RESP server commands are forwarded to once checked.
    pub upstream: Option<std::sync::Arc<super::UpstreamUrl>>,
    /// `upstream-tls-ca-cert-file`, `upstream-tls-cert-file`, `upstream-tls-key-file`: TLS to a
    /// `rediss://` upstream.
    pub upstream_tls: super::UpstreamTlsFiles,
    /// `upstream-acl none|mirror`: with `mirror`, authgate's users are kept as ACL users on
    /// the (Redis 6+) upstream and each client's upstream connection is opened as its user.
    pub upstream_acl_mirror: bool,
    /// `acl-store`: the etcd ACL store a fleet shares (`etcd://host:port[,...]/prefix`).
    pub acl_store: Option<String>,
    /// `acl-store-cache`: the store's last state, started from when etcd is unreachable
    /// (default `acl-store.cache`, in `dir`).
    pub acl_store_cache: Option<PathBuf>,
    /// `acl-store-ca-file`: the CA (PEM) etcd's certificate is verified against; any of the
    /// three TLS files turns TLS to etcd on.
    pub acl_store_ca_file: Option<PathBuf>,
    /// `acl-store-cert-file`: a client certificate (PEM) for etcd's `--client-cert-auth`.
    pub acl_store_cert_file: Option<PathBuf>,
    /// `acl-store-key-file`: the client certificate's key (PEM).
    pub acl_store_key_file: Option<PathBuf>,
    /// `client-output-buffer-limit`: unsent output past which a client is dropped.
    pub client_output_buffer_limit: OutputBufferLimits,
    /// `client-query-buffer-limit`: most bytes of one client's unparsed input plus the
    /// arguments of the request being parsed (default 1 GiB).
    pub client_query_buffer_limit: usize,
}

/// `loglevel`: Redis' four levels, least important first (so `a < b` means `a` is chattier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum LogLevel {
    /// `debug`: everything, including periodic state.
    Debug,
    /// `verbose`: also per-connection events (accepted, closed).
    Verbose,
    /// `notice` (the default): startup, readiness, shutdown.
    #[default]
    Notice,
    /// `warning`: only what needs attention (refused logins, ACL denials, fatal errors).
    Warning,
}

impl LogLevel {
    /// Every level, least important first.
    pub const ALL: [LogLevel; 4] = [LogLevel::Debug, LogLevel::Verbose, LogLevel::Notice, LogLevel::Warning];

    /// The redis.conf spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Verbose => "verbose",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
        }
    }

    /// Parses a redis.conf value, ignoring case as Redis' enum configs do; the error is Redis'
    /// text.
    pub fn from_bytes(v: &[u8]) -> Result<LogLevel, String> {
        enum_value(&LogLevel::ALL, LogLevel::as_str, v)
    }
}

/// Redis' enum config parsing: the value among `all` whose name matches `v` ignoring case,
/// else Redis' error listing every name in order.
fn enum_value<T: Copy>(all: &[T], name: fn(T) -> &'static str, v: &[u8]) -> Result<T, String> {
    all.iter().copied().find(|&x| v.eq_ignore_ascii_case(name(x).as_bytes())).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|&x| name(x)).collect();
        format!("argument(s) must be one of the following: {}", names.join(", "))
    })
}

/// Who may run a protected command (DEBUG; MODULE LOAD/LOADEX/UNLOAD): Redis 7.0's
/// `enable-debug-command` / `enable-module-command` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtectedAction {
    /// `no` (the default): nobody.
    #[default]
    No,
    /// `yes`: every client the ACL allows.
    Yes,
    /// `local`: clients on a Unix socket or connected from 127.0.0.1 / ::1 (Redis' local client).
    Local,
}

impl ProtectedAction {
    /// Every value, in Redis' order (its error message lists them so).
    pub const ALL: [ProtectedAction; 3] = [ProtectedAction::No, ProtectedAction::Yes, ProtectedAction::Local];

    /// The redis.conf spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtectedAction::No => "no",
            ProtectedAction::Yes => "yes",
            ProtectedAction::Local => "local",
        }
    }

    /// Parses a redis.conf value, ignoring case as Redis' enum configs do; the error is Redis'.
    pub fn from_bytes(v: &[u8]) -> Result<ProtectedAction, String> {
        enum_value(&ProtectedAction::ALL, ProtectedAction::as_str, v)
    }

    /// Whether a client connected from `peer` (None: a Unix socket) may run the command.
    pub fn allows(self, peer: Option<std::net::IpAddr>) -> bool {
        match self {
            ProtectedAction::No => false,
            ProtectedAction::Yes => true,
            // Redis compares the peer's text with "127.0.0.1" and "::1": only those two.
            ProtectedAction::Local => match peer {
                None => true,
                Some(std::net::IpAddr::V4(a)) => a == std::net::Ipv4Addr::LOCALHOST,
                Some(std::net::IpAddr::V6(a)) => a == std::net::Ipv6Addr::LOCALHOST,
            },
        }
    }
}

/// The level of the process' log, as a `LogLevel` discriminant. One per process because the log
/// is one per process (the `tracing` subscriber a program installs); CONFIG SET loglevel of any
/// server in the process changes it, as it changes redis-server's.
static PROCESS_LOG_LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Notice as u8);

impl LogLevel {
    /// The level the process' log writes at now (`notice` until [`LogLevel::make_current`]).
    pub fn current() -> LogLevel {
        LogLevel::ALL[usize::from(PROCESS_LOG_LEVEL.load(Ordering::Relaxed)).min(LogLevel::ALL.len() - 1)]
    }

    /// Makes this the process' log level and has `tracing` ask the subscriber again which events
    /// it wants (a subscriber reading [`LogLevel::current`] caches its answer per call site).
    pub fn make_current(self) {
        PROCESS_LOG_LEVEL.store(self as u8, Ordering::Relaxed);
        tracing::callsite::rebuild_interest_cache();
    }
}

impl std::str::FromStr for LogLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<LogLevel, String> {
        LogLevel::from_bytes(s.as_bytes())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: vec![super::options::DEFAULT_HOST.to_string()],
            port: super::options::REDIS_PORT,
            free_port_for_zero: false,
            tls: TlsSettings::default(),
            maxclients: DEFAULT_MAXCLIENTS,
            requirepass: None,
            aclfile: None,
            dir: None,
            acl_pubsub_default: PubsubDefault::ResetChannels,
            acllog_max_len: DEFAULT_LOG_MAX_LEN,
            users: Vec::new(),
            config_file: None,
            loglevel: LogLevel::default(),
            enable_debug_command: ProtectedAction::default(),
            enable_module_command: ProtectedAction::default(),
            logfile: None,
            rest: super::rest::RestConfig::default(),
            upstream: None,
            upstream_tls: Default::default(),
            upstream_acl_mirror: false,
            acl_store: None,
            acl_store_cache: None,
            acl_store_ca_file: None,
            acl_store_cert_file: None,
            acl_store_key_file: None,
            client_output_buffer_limit: OutputBufferLimits::default(),
            client_query_buffer_limit: crate::redis::resp::parse::CLIENT_QUERY_BUFFER_LIMIT,
        }
    }
}

/// Redis' refusal to combine `user` directives with an aclfile.
pub const USERS_AND_ACLFILE: &str = "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.";

/// Directives accepted and ignored that redis-server 7.0.15's settings table lacks (the
/// others it has are accepted by [`redis_only_directive`]).
const IGNORED: &[&str] = &["locale-collate"];

/// A directive of redis-server 7.0.15 that this server has no use for (persistence,
/// replication, encodings, memory policies, ...): accepted, so that a redis.conf written for
/// Redis (Debian's own, for one) loads. Its arguments are checked as far as their kind is
/// recorded from redis-server (`core/data/config_kinds.json`, `scripts/gen_config_kinds.py`):
/// the number of arguments, and `yes`/`no` for a yes/no setting, with Redis' texts. Any other
/// name is Redis' bad directive.
fn redis_only_directive(name: &str, args: &[Vec<u8>]) -> Result<(), String> {
    if super::commands::config::redis_default_of(name).is_none() {
        return Err("Bad directive or wrong number of arguments".into());
    }
    let kinds = config_kinds();
    if args.is_empty() || (kinds.single_argument.contains(name) && args.len() != 1) {
        return Err("wrong number of arguments".into());
    }
    if kinds.yesno.contains(name) && !(args[0].eq_ignore_ascii_case(b"yes") || args[0].eq_ignore_ascii_case(b"no")) {
        return Err("argument must be 'yes' or 'no'".into());
    }
    Ok(())
}

/// Which redis-server settings are yes/no ones and which take one argument.
#[derive(serde::Deserialize)]
struct ConfigKinds {
    yesno: std::collections::HashSet<String>,
    single_argument: std::collections::HashSet<String>,
}

fn config_kinds() -> &'static ConfigKinds {
    static KINDS: std::sync::OnceLock<ConfigKinds> = std::sync::OnceLock::new();
    KINDS.get_or_init(|| {
        serde_json::from_str(include_str!("../../../data/config_kinds.json")).expect("the committed config kinds are valid JSON")
    })
}

impl Config {
    /// The aclfile path with `dir` applied to a relative path.
    /// The `aclfile` setting as written (what Redis prints in ACL LOAD errors).
    pub fn aclfile_shown(&self) -> Option<String> {
        self.aclfile.as_ref().map(|f| f.to_string_lossy().into_owned())
    }

    /// The aclfile's path, relative names resolved against `dir`.
    pub fn aclfile_path(&self) -> Option<PathBuf> {
        let f = self.aclfile.as_ref()?;
        match &self.dir {
            Some(d) if f.is_relative() => Some(d.join(f)),
            _ => Some(f.clone()),
        }
    }

    /// The ACL store's cache file: `acl-store-cache`, a relative name resolved against `dir`.
    pub fn acl_store_cache_path(&self) -> PathBuf {
        let f = self.acl_store_cache.clone().unwrap_or_else(|| PathBuf::from("acl-store.cache"));
        match &self.dir {
            Some(d) if f.is_relative() => d.join(f),
            _ => f,
        }
    }

    /// Applies one directive (`argv[0]` is the name). Errors are Redis' per-line messages.
    pub fn apply_directive(&mut self, argv: &[Vec<u8>]) -> Result<(), String> {
        let Some(name) = argv.first() else { return Ok(()) };
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let args = &argv[1..];
        let one = || -> Result<&Vec<u8>, String> {
            match args {
                [a] => Ok(a),
                _ => Err("wrong number of arguments".to_string()),
            }
        };
        match name.as_str() {
            "port" => self.port = parse_port(one()?)?,
            "bind" => {
                if args.is_empty() {
                    return Err("wrong number of arguments".into());
                }
                self.bind = args.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            }
            "requirepass" => self.requirepass = Some(one()?.clone()),
            "aclfile" => self.aclfile = Some(PathBuf::from(String::from_utf8_lossy(one()?).as_ref())),
            "acl-store" => self.acl_store = Some(String::from_utf8_lossy(one()?).into_owned()),
            "acl-store-cache" => self.acl_store_cache = Some(PathBuf::from(String::from_utf8_lossy(one()?).as_ref())),
            "acl-store-ca-file" => self.acl_store_ca_file = Some(PathBuf::from(String::from_utf8_lossy(one()?).as_ref())),
            "acl-store-cert-file" => self.acl_store_cert_file = Some(PathBuf::from(String::from_utf8_lossy(one()?).as_ref())),
            "acl-store-key-file" => self.acl_store_key_file = Some(PathBuf::from(String::from_utf8_lossy(one()?).as_ref())),
            "dir" => self.dir = Some(PathBuf::from(String::from_utf8_lossy(one()?).as_ref())),
            "maxclients" => self.maxclients = parse_range(one()?, 1, u32::MAX as i64)? as usize,
            "acllog-max-len" => self.acllog_max_len = parse_range(one()?, 0, i64::MAX)? as usize,
            "acl-pubsub-default" => self.acl_pubsub_default = parse_pubsub_default(one()?)?,
            "loglevel" => self.loglevel = LogLevel::from_bytes(one()?)?,
            "enable-debug-command" => self.enable_debug_command = ProtectedAction::from_bytes(one()?)?,
            "enable-module-command" => self.enable_module_command = ProtectedAction::from_bytes(one()?)?,
            "logfile" => {
                let f = one()?;
                self.logfile = (!f.is_empty()).then(|| PathBuf::from(String::from_utf8_lossy(f).as_ref()));
            }
            "upstream" => {
                let url = one()?;
                self.upstream = if url.is_empty() {
                    None
                } else {
                    Some(std::sync::Arc::new(super::UpstreamUrl::parse(url)?))
                };
            }
            n if super::UpstreamTlsFiles::DIRECTIVES.contains(&n) => self.upstream_tls.apply(n, one()?),
            "upstream-acl" => {
                self.upstream_acl_mirror = match one()?.to_ascii_lowercase().as_slice() {
                    b"none" => false,
                    b"mirror" => true,
                    _ => return Err("argument must be 'none' or 'mirror'".into()),
                }
            }
            "client-output-buffer-limit" => {
                // The words after the name, joined with single spaces as Redis does.
                self.client_output_buffer_limit.apply(&args.join(&b' '))?;
            }
            "client-query-buffer-limit" => self.client_query_buffer_limit = parse_query_buffer_limit(one()?)?,
            "user" => {
                // Redis takes `user` only with a name; a bare one is no directive at all.
                if args.is_empty() {
                    return Err("Bad directive or wrong number of arguments".into());
                }
                let allchannels = self.acl_pubsub_default == PubsubDefault::AllChannels;
                let declared = self.users.iter().filter_map(|u| u.first().map(Vec::as_slice));
                check_user_declaration(argv, declared, allchannels).map_err(|e| e.message())?;
                self.users.push(args.to_vec());
            }
            n if super::rest::settings::DIRECTIVES.contains(&n) => self.rest.apply(n, args)?,
            n if IGNORED.contains(&n) => {}
            n if n.starts_with("tls-") && TlsSettings::default().apply(n, b"").is_some() => {
                self.tls.apply(n, one()?).unwrap_or(Ok(()))?
            }
            n => return redis_only_directive(n, args),
        }
        Ok(())
    }

    /// Reads directives from config text (`file` names the source in errors).
    pub fn apply_text(&mut self, text: &[u8]) -> Result<(), String> {
        for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
            let line = trim(raw);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let fail = |msg: &str| {
                format!(
                    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {}\n>>> '{}'\n{}",
                    i + 1,
                    String::from_utf8_lossy(line),
                    msg
                )
            };
            let argv = split_args(line).map_err(|_| fail("Unbalanced quotes in configuration line"))?;
            self.apply_directive(&argv).map_err(|m| fail(&m))?;
        }
        Ok(())
    }

    /// Reads a config file.
    pub fn apply_file(&mut self, path: &Path) -> Result<(), String> {
        self.apply_file_and_options(Some(path), b"")
    }

    /// Reads a config file (if any), then `options`, redis.conf lines that redis-server
    /// appends to the file's text for its `--directive value` arguments: they override the
    /// file, and an error's line number counts from the file's first line, as in Redis.
    pub fn apply_file_and_options(&mut self, path: Option<&Path>, options: &[u8]) -> Result<(), String> {
        let mut text = match path {
            Some(path) => std::fs::read(path).map_err(|e| {
                format!("Fatal error, can't open config file '{}': {}", path.display(), e)
            })?,
            None => Vec::new(),
        };
        if !options.is_empty() {
            text.push(b'\n');
            text.extend_from_slice(options);
        }
        self.apply_text(&text)?;
        // Redis keeps the file's absolute path (its working directory may change to `dir`).
        if let Some(path) = path {
            self.config_file = Some(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        }
        Ok(())
    }

    /// Whether `name` (lower case) is a directive this server's configuration reads, including
    /// those it accepts and ignores.
    pub fn knows_directive(name: &str) -> bool {
        const OWN: &[&str] = &[
            "port", "bind", "requirepass", "aclfile", "acl-store", "acl-store-cache", "acl-store-ca-file",
            "acl-store-cert-file", "acl-store-key-file", "dir", "maxclients", "acllog-max-len",
            "acl-pubsub-default", "loglevel", "enable-debug-command", "enable-module-command", "logfile",
            "upstream", "upstream-acl", "client-output-buffer-limit", "client-query-buffer-limit", "user",
        ];
        OWN.contains(&name)
            || IGNORED.contains(&name)
            || super::commands::config::redis_default_of(name).is_some()
            || super::UpstreamTlsFiles::DIRECTIVES.contains(&name)
            || super::rest::settings::DIRECTIVES.contains(&name)
            || (name.starts_with("tls-") && TlsSettings::default().apply(name, b"").is_some())
    }

    /// Checks combinations Redis refuses at startup.
    pub fn validate(&self) -> Result<(), String> {
        if !self.users.is_empty() && self.aclfile.is_some() {
            return Err(USERS_AND_ACLFILE.to_string());
        }
        self.rest.validate()
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r' | b'\n', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r' | b'\n'] = s {
        s = rest;
    }
    s
}

/// Parses an integer config value within `min..=max` with Redis' messages.
pub(crate) fn parse_range(v: &[u8], min: i64, max: i64) -> Result<i64, String> {
    let n = parse_i64(v).ok_or("argument couldn't be parsed into an integer")?;
    if n < min || n > max {
        return Err(format!("argument must be between {min} and {max} inclusive"));
    }
    Ok(n)
}

/// Parses `client-query-buffer-limit` (a memory value, 1 MiB to the bulk limit ceiling, as
/// in Redis 7.0: `1mb` .. `LONG_MAX`).
pub(crate) fn parse_query_buffer_limit(v: &[u8]) -> Result<usize, String> {
    let n = mem_to_u64(v).ok_or("argument must be a memory value")?;
    if n < 1024 * 1024 || n > i64::MAX as u64 {
        return Err(format!("argument must be between 1048576 and {} inclusive", i64::MAX));
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Parses `port`.
pub(crate) fn parse_port(v: &[u8]) -> Result<u16, String> {
    Ok(parse_range(v, 0, 65535)? as u16)
}

/// Parses `acl-pubsub-default` (with Redis' CONFIG error text).
pub(crate) fn parse_pubsub_default(v: &[u8]) -> Result<PubsubDefault, String> {
    PubsubDefault::from_bytes(v).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives() {
        let mut c = Config::default();
        c.apply_text(b"# comment\n port 7000 \nbind 0.0.0.0 ::1\nrequirepass \"a b\"\nuser alice on >x ~*\nuser bob on\nacl-pubsub-default allchannels\nacllog-max-len 5\nmaxclients 10\nsave \"\"\n").unwrap();
        assert_eq!(c.port, 7000);
        assert_eq!(c.bind, vec!["0.0.0.0", "::1"]);
        assert_eq!(c.requirepass.as_deref(), Some(&b"a b"[..]));
        assert_eq!(c.users.len(), 2);
        assert_eq!(c.acl_pubsub_default, PubsubDefault::AllChannels);
        assert_eq!((c.acllog_max_len, c.maxclients), (5, 10));
        c.aclfile = Some("users.acl".into());
        assert_eq!(c.validate().unwrap_err(), USERS_AND_ACLFILE);
    }

    #[test]
    fn errors_like_redis() {
        let mut c = Config::default();
        let e = c.apply_text(b"port 6402\nfoo bar\n").unwrap_err();
        assert!(e.contains("at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments"), "{e}");
        let e = c.apply_text(b"maxclients x\n").unwrap_err();
        assert!(e.ends_with("argument couldn't be parsed into an integer"));
        let e = c.apply_text(b"\"port\n").unwrap_err();
        assert!(e.ends_with("Unbalanced quotes in configuration line"));
    }

    #[test]
    fn protected_commands_local_means_loopback_only() {
        use std::net::IpAddr;
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        // Redis compares the peer's text with exactly these two; 127.0.0.2 is not local there.
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let remote: IpAddr = "10.1.2.3".parse().unwrap();
        assert!(ProtectedAction::Local.allows(Some(local)) && ProtectedAction::Local.allows(Some(v6)));
        assert!(!ProtectedAction::Local.allows(Some(other)) && !ProtectedAction::Local.allows(Some(remote)));
        assert!(ProtectedAction::Yes.allows(Some(remote)) && !ProtectedAction::No.allows(Some(local)));
        let mut c = Config::default();
        c.apply_text(b"enable-debug-command LOCAL\nenable-module-command yes\n").unwrap();
        assert_eq!((c.enable_debug_command, c.enable_module_command), (ProtectedAction::Local, ProtectedAction::Yes));
        let e = c.apply_text(b"enable-debug-command 1\n").unwrap_err();
        assert!(e.ends_with("argument(s) must be one of the following: no, yes, local"), "{e}");
    }

    #[test]
    fn loglevel_and_logfile() {
        let mut c = Config::default();
        assert_eq!((c.loglevel, c.logfile.clone()), (LogLevel::Notice, None));
        c.apply_text(b"loglevel VERBOSE\nlogfile /tmp/a.log\n").unwrap();
        assert_eq!((c.loglevel, c.logfile.clone()), (LogLevel::Verbose, Some(PathBuf::from("/tmp/a.log"))));
        c.apply_text(b"logfile \"\"\n").unwrap();
        assert_eq!(c.logfile, None);
        let e = c.apply_text(b"loglevel nothing\n").unwrap_err();
        assert!(e.ends_with("argument(s) must be one of the following: debug, verbose, notice, warning"), "{e}");
    }

    #[test]
    fn options_follow_the_file_and_count_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("redis.conf");
        std::fs::write(&path, "port 1234\nsave \"\"\n").unwrap();
        let mut c = Config::default();
        c.apply_file_and_options(Some(&path), b"maxclients \"5\"\nport \"7\"").unwrap();
        assert_eq!((c.port, c.maxclients), (7, 5));
        // redis-server names line 5 for the second option after this two-line file.
        let e = c.apply_file_and_options(Some(&path), b"bind \"127.0.0.1\"\nport \"abc\"").unwrap_err();
        assert!(e.contains("at line 5\n>>> 'port \"abc\"'\n"), "{e}");
        let e = Config::default().apply_file_and_options(None, b"port \"abc\"").unwrap_err();
        assert!(e.contains("at line 2\n"), "{e}");
    }

    #[test]
    fn aclfile_relative_to_dir() {
        let mut c = Config::default();
        c.apply_text(b"dir /tmp/x\naclfile users.acl\n").unwrap();
        assert_eq!(c.aclfile_path().unwrap(), PathBuf::from("/tmp/x/users.acl"));
    }
}
