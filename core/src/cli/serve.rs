//! `authgate serve`: redis-server's command line for the RESP server.
//!
//! Every option but `--config` is a redis.conf directive. As redis-server does, the options
//! become config lines appended to the file's text (`--port 7000` is the line `port "7000"`),
//! so they override the file and their errors are Redis' fatal config errors, numbered from
//! the file's first line. Defaults shown in `--help` are core's.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use authgate::acl::{table, Acl, AclOptions, PubsubDefault, DEFAULT_LOG_MAX_LEN};
use authgate::resp::{quote_arg, split_args};
use authgate::server::config::LogLevel;
use authgate::server::rest::DEFAULT_REST_BCRYPT_COST;
use authgate::server::{Config, Server, ServerError, DEFAULT_HOST, DEFAULT_MAXCLIENTS, REDIS_PORT};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};

use super::log::RedisLog;
use super::{refuse, REFUSED};

/// `authgate serve` options. A repeated option takes its last value, as a repeated
/// redis-server directive does (`--user` adds a user each time).
#[derive(Args)]
#[command(args_override_self = true)]
pub struct ServeArgs {
    /// A redis.conf-style file, read first: every other option overrides it
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// TCP port; 0 opens no plain TCP listener, as in Redis (a TLS-only server)
    #[arg(long, value_name = "PORT", default_value = REDIS_PORT.to_string())]
    port: OsString,
    /// TLS port [default: 0, no TLS listener]
    #[arg(long, value_name = "PORT")]
    tls_port: Option<OsString>,
    /// The server's certificate chain (PEM, leaf first)
    #[arg(long, value_name = "FILE")]
    tls_cert_file: Option<OsString>,
    /// The server's private key (PEM; encrypted PKCS#8 with --tls-key-file-pass)
    #[arg(long, value_name = "FILE")]
    tls_key_file: Option<OsString>,
    /// Passphrase of an encrypted tls-key-file
    #[arg(long, value_name = "PASSPHRASE")]
    tls_key_file_pass: Option<OsString>,
    /// CAs client certificates must chain to (PEM bundle)
    #[arg(long, value_name = "FILE")]
    tls_ca_cert_file: Option<OsString>,
    /// A directory of PEM CA files
    #[arg(long, value_name = "DIR")]
    tls_ca_cert_dir: Option<OsString>,
    /// Client certificates: required (yes), not asked for (no), or verified if sent (optional) [default: yes]
    #[arg(long, value_name = "yes|no|optional")]
    tls_auth_clients: Option<OsString>,
    /// Log a client in as the user its certificate names (Valkey / Redis 8.6) [default: off]
    #[arg(long, value_name = "off|CN|URI")]
    tls_auth_clients_user: Option<OsString>,
    /// TLS versions, space-separated [default: "TLSv1.2 TLSv1.3"]
    #[arg(long, value_name = "VERSIONS")]
    tls_protocols: Option<OsString>,
    /// TLS 1.3 cipher suites, colon-separated [default: all rustls has]
    #[arg(long, value_name = "SUITES")]
    tls_ciphersuites: Option<OsString>,
    /// TLS 1.2 cipher suites in OpenSSL's names, colon-separated [default: all rustls has]
    #[arg(long, value_name = "CIPHERS")]
    tls_ciphers: Option<OsString>,
    /// Addresses to listen on, space-separated ("-" before one makes it optional)
    #[arg(long, value_name = "ADDR...", default_value = DEFAULT_HOST)]
    bind: OsString,
    /// Password of the default user [default: none, the default user is nopass]
    #[arg(long, value_name = "PASSWORD")]
    requirepass: Option<OsString>,
    /// aclfile of the users, loaded at start, for ACL LOAD/SAVE [default: none]
    #[arg(long, value_name = "FILE")]
    aclfile: Option<OsString>,
    /// Directory a relative aclfile is in [default: the current directory]
    #[arg(long, value_name = "DIR")]
    dir: Option<OsString>,
    /// A user and its ACL rules, like a redis.conf "user" line; repeatable [default: none]
    #[arg(long, value_name = "NAME RULE...")]
    user: Vec<OsString>,
    /// Channel permissions of new users
    #[arg(long, value_name = pubsub_values(), default_value = AclOptions::default().pubsub_default.as_str())]
    acl_pubsub_default: OsString,
    /// Most entries ACL LOG keeps
    #[arg(long, value_name = "N", default_value = DEFAULT_LOG_MAX_LEN.to_string())]
    acllog_max_len: OsString,
    /// Most simultaneous clients
    #[arg(long, value_name = "N", default_value = DEFAULT_MAXCLIENTS.to_string())]
    maxclients: OsString,
    /// The least important log events written
    #[arg(long, value_name = loglevel_values(), default_value = LogLevel::default().as_str())]
    loglevel: OsString,
    /// File the log is appended to [default: standard output]
    #[arg(long, value_name = "FILE")]
    logfile: Option<OsString>,
    // The admin REST API (core's server::rest::settings says what each means).
    /// HTTPS port of the Redis Software REST API; "auto" picks a free one [default: 0, off]
    #[arg(long, value_name = "PORT|auto")]
    rest_port: Option<OsString>,
    /// The REST API's certificate chain (PEM)
    #[arg(long, value_name = "FILE")]
    rest_cert_file: Option<OsString>,
    /// The REST API's private key (PEM)
    #[arg(long, value_name = "FILE")]
    rest_key_file: Option<OsString>,
    /// Passphrase of an encrypted REST key [default: --tls-key-file-pass]
    #[arg(long, value_name = "PASS")]
    rest_key_file_pass: Option<OsString>,
    /// The first REST admin, created (or its password reset) at start
    #[arg(long, value_name = "NAME")]
    rest_admin_user: Option<OsString>,
    /// File whose first line is that admin's password
    #[arg(long, value_name = "FILE")]
    rest_admin_password_file: Option<OsString>,
    /// bcrypt cost of REST passwords
    #[arg(long, value_name = "4..31", default_value = DEFAULT_REST_BCRYPT_COST.to_string())]
    rest_bcrypt_cost: OsString,
    /// Proxy mode: forward every checked command to this RESP server,
    /// redis://[user:password@]host:port[/db], or rediss://… for TLS [default: none, authgate serves its own keyspace]
    #[arg(long, value_name = "URL")]
    upstream: Option<OsString>,
    /// CA certificates (PEM) the rediss:// upstream's certificate must chain to
    #[arg(long, value_name = "FILE")]
    upstream_tls_ca_cert_file: Option<OsString>,
    /// authgate's client certificate chain (PEM) for a rediss:// upstream [default: none]
    #[arg(long, value_name = "FILE")]
    upstream_tls_cert_file: Option<OsString>,
    /// The private key (PEM) of --upstream-tls-cert-file
    #[arg(long, value_name = "FILE")]
    upstream_tls_key_file: Option<OsString>,
    /// With an upstream that has Redis 6+ ACLs: `mirror` keeps each authgate user as an ACL user
    /// there and opens each client's upstream connection as that user, so scripts run under
    /// the same rules (and are allowed to every user) [default: none, scripts only for
    /// unrestricted users]
    #[arg(long, value_name = "none|mirror")]
    upstream_acl: Option<OsString>,
    /// The fleet's shared users in etcd: etcd://host:port[,host:port...]/prefix [default: none]
    #[arg(long, value_name = "URL")]
    acl_store: Option<OsString>,
    /// The ACL store's last state, used when etcd is unreachable at start [default: acl-store.cache in dir]
    #[arg(long, value_name = "FILE")]
    acl_store_cache: Option<OsString>,
    /// TLS to the ACL store's etcd: the CA (PEM) its certificate must chain to [default: plain HTTP]
    #[arg(long, value_name = "FILE")]
    acl_store_ca_file: Option<OsString>,
    /// TLS to the ACL store's etcd: a client certificate (PEM), with --acl-store-key-file
    #[arg(long, value_name = "FILE")]
    acl_store_cert_file: Option<OsString>,
    /// TLS to the ACL store's etcd: the client certificate's key (PEM)
    #[arg(long, value_name = "FILE")]
    acl_store_key_file: Option<OsString>,
}

fn pubsub_values() -> String {
    [PubsubDefault::AllChannels, PubsubDefault::ResetChannels].map(PubsubDefault::as_str).join("|")
}

fn loglevel_values() -> String {
    LogLevel::ALL.map(LogLevel::as_str).join("|")
}

impl ServeArgs {
    /// Every directive option: its redis.conf name, clap id and values.
    fn directives(&self) -> Vec<(&'static str, &'static str, Vec<&OsString>)> {
        vec![
            ("port", "port", vec![&self.port]),
            ("bind", "bind", vec![&self.bind]),
            ("tls-port", "tls_port", self.tls_port.iter().collect()),
            ("tls-cert-file", "tls_cert_file", self.tls_cert_file.iter().collect()),
            ("tls-key-file", "tls_key_file", self.tls_key_file.iter().collect()),
            ("tls-key-file-pass", "tls_key_file_pass", self.tls_key_file_pass.iter().collect()),
            ("tls-ca-cert-file", "tls_ca_cert_file", self.tls_ca_cert_file.iter().collect()),
            ("tls-ca-cert-dir", "tls_ca_cert_dir", self.tls_ca_cert_dir.iter().collect()),
            ("tls-auth-clients", "tls_auth_clients", self.tls_auth_clients.iter().collect()),
            ("tls-auth-clients-user", "tls_auth_clients_user", self.tls_auth_clients_user.iter().collect()),
            ("tls-protocols", "tls_protocols", self.tls_protocols.iter().collect()),
            ("tls-ciphersuites", "tls_ciphersuites", self.tls_ciphersuites.iter().collect()),
            ("tls-ciphers", "tls_ciphers", self.tls_ciphers.iter().collect()),
            ("requirepass", "requirepass", self.requirepass.iter().collect()),
            ("aclfile", "aclfile", self.aclfile.iter().collect()),
            ("dir", "dir", self.dir.iter().collect()),
            ("user", "user", self.user.iter().collect()),
            ("acl-pubsub-default", "acl_pubsub_default", vec![&self.acl_pubsub_default]),
            ("acllog-max-len", "acllog_max_len", vec![&self.acllog_max_len]),
            ("maxclients", "maxclients", vec![&self.maxclients]),
            ("loglevel", "loglevel", vec![&self.loglevel]),
            ("logfile", "logfile", self.logfile.iter().collect()),
            ("rest-port", "rest_port", self.rest_port.iter().collect()),
            ("rest-cert-file", "rest_cert_file", self.rest_cert_file.iter().collect()),
            ("rest-key-file", "rest_key_file", self.rest_key_file.iter().collect()),
            ("rest-key-file-pass", "rest_key_file_pass", self.rest_key_file_pass.iter().collect()),
            ("rest-admin-user", "rest_admin_user", self.rest_admin_user.iter().collect()),
            ("rest-admin-password-file", "rest_admin_password_file", self.rest_admin_password_file.iter().collect()),
            ("rest-bcrypt-cost", "rest_bcrypt_cost", vec![&self.rest_bcrypt_cost]),
            ("upstream", "upstream", self.upstream.iter().collect()),
            ("upstream-tls-ca-cert-file", "upstream_tls_ca_cert_file", self.upstream_tls_ca_cert_file.iter().collect()),
            ("upstream-tls-cert-file", "upstream_tls_cert_file", self.upstream_tls_cert_file.iter().collect()),
            ("upstream-tls-key-file", "upstream_tls_key_file", self.upstream_tls_key_file.iter().collect()),
            ("upstream-acl", "upstream_acl", self.upstream_acl.iter().collect()),
            ("acl-store", "acl_store", self.acl_store.iter().collect()),
            ("acl-store-cache", "acl_store_cache", self.acl_store_cache.iter().collect()),
            ("acl-store-ca-file", "acl_store_ca_file", self.acl_store_ca_file.iter().collect()),
            ("acl-store-cert-file", "acl_store_cert_file", self.acl_store_cert_file.iter().collect()),
            ("acl-store-key-file", "acl_store_key_file", self.acl_store_key_file.iter().collect()),
        ]
    }

    /// The options given on the command line as redis.conf lines, in command-line order
    /// (defaults are not lines: they must not override the config file).
    fn options_text(&self, matches: &ArgMatches) -> Result<Vec<u8>, String> {
        let mut lines: Vec<(usize, Vec<u8>)> = Vec::new();
        for (name, id, values) in self.directives() {
            if matches.value_source(id) != Some(ValueSource::CommandLine) {
                continue;
            }
            let indices = matches.indices_of(id).into_iter().flatten();
            for (index, value) in indices.zip(values) {
                lines.push((index, directive_line(name, value)?));
            }
        }
        lines.sort_by_key(|(index, _)| *index);
        Ok(lines.into_iter().map(|(_, line)| line).collect::<Vec<_>>().join(&b'\n'))
    }
}

/// `name "value"`, the value quoted so any bytes survive the config parser. `user` and
/// `bind` take several arguments in one option value, split with the config file's rules.
fn directive_line(name: &str, value: &OsStr) -> Result<Vec<u8>, String> {
    let value = value.as_encoded_bytes();
    let args = if matches!(name, "user" | "bind") {
        split_args(value).map_err(|_| format!("Unbalanced quotes in the value of --{name}"))?
    } else {
        vec![value.to_vec()]
    };
    let mut line = name.as_bytes().to_vec();
    for a in &args {
        line.push(b' ');
        quote_arg(a, &mut line);
    }
    Ok(line)
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: &ServeArgs, matches: &ArgMatches) -> ExitCode {
    let redis_version = table().redis_version();
    let mut config = Config::default();
    let options = match args.options_text(matches) {
        Ok(o) => o,
        Err(e) => return refuse(e.as_bytes()),
    };
    // Before the log exists, config errors go to standard error, as redis-server's do.
    if let Err(e) = config.apply_file_and_options(args.config.as_deref(), &options) {
        return refuse(e.as_bytes());
    }
    match RedisLog::open(config.loglevel, config.logfile.as_deref()) {
        Ok(log) => log.install(),
        Err(e) => {
            let msg = format!(
                "\n*** FATAL CONFIG FILE ERROR (Redis {redis_version}) ***\nCan't open the log file: {}",
                strerror(&e)
            );
            return refuse(msg.as_bytes());
        }
    }
    tracing::warn!("oO0OoO0OoO0Oo authgate is starting oO0OoO0OoO0Oo");
    tracing::warn!(
        "authgate version={}, Redis version={redis_version}, bits={}, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        usize::BITS,
        std::process::id()
    );
    tracing::warn!("Configuration loaded");
    let (bind, port) = (config.bind.join(" "), config.port);
    let server = match Server::builder(Arc::new(Acl::new())).config(config).build() {
        Ok(s) => s,
        Err(e) => return fatal(&e.to_string()),
    };
    let runtime = match authgate::server::event_loop() {
        Ok(r) => r,
        Err(e) => return fatal(&format!("Failed creating the event loop: {e}")),
    };
    // The signal handlers are installed before the server binds, so a signal sent as soon as
    // the log says "Ready" is never the default, abrupt one.
    let served = runtime.block_on(async {
        match shutdown_signal() {
            Ok(signal) => server.run_until(signal, |_| {}).await,
            Err(e) => Err(ServerError::Io(e)),
        }
    });
    match served {
        Ok(()) => {
            tracing::warn!("authgate is now ready to exit, bye bye...");
            ExitCode::SUCCESS
        }
        Err(ServerError::Io(e)) => {
            tracing::warn!("Could not create server TCP listening socket {bind}:{port}: {}", strerror(&e));
            fatal(&format!("Failed listening on port {port} (tcp), aborting."))
        }
        Err(e) => fatal(&e.to_string()),
    }
}

/// Logs a fatal error, one log line per line of text as Redis does, repeats it on standard
/// error (where a terminal shows it even when the log goes to a file), and returns status 1.
fn fatal(text: &str) -> ExitCode {
    for line in text.lines().filter(|l| !l.is_empty()) {
        tracing::error!("{line}");
    }
    eprintln!("{text}");
    ExitCode::from(REFUSED)
}

/// The OS error text without Rust's ` (os error N)` suffix: C's `strerror`, as Redis prints.
fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => text[..at].to_string(),
        _ => text,
    }
}

/// A future completing on SIGINT (Ctrl-C) or SIGTERM, which it logs as Redis does. The
/// handlers are registered now; call it inside the runtime.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        let name = tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        };
        tracing::warn!("Received {name} scheduling shutdown...");
        tracing::warn!("User requested shutdown...");
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_round_trips_through_the_config_parser() {
        let value: Vec<u8> = (0u8..=255).collect();
        let mut line = Vec::new();
        quote_arg(&value, &mut line);
        assert_eq!(split_args(&line).unwrap(), vec![value]);
        let mut line = Vec::new();
        quote_arg(b"a b\"c", &mut line);
        assert_eq!(line, b"\"a b\\\"c\"");
    }

    #[test]
    fn user_and_bind_split_their_value() {
        assert_eq!(directive_line("user", OsStr::new("alice on '>a b'")).unwrap(), b"user \"alice\" \"on\" \">a b\"");
        assert_eq!(directive_line("bind", OsStr::new("127.0.0.1 ::1")).unwrap(), b"bind \"127.0.0.1\" \"::1\"");
        assert_eq!(directive_line("requirepass", OsStr::new("a b")).unwrap(), b"requirepass \"a b\"");
        assert!(directive_line("user", OsStr::new("alice \"on")).is_err());
    }
}
