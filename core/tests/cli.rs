//! The `authgate` binary: clap conventions (help, version, usage errors), the exit statuses
//! and outputs of every subcommand, and `serve`'s log (Redis' line format, levels, no secrets).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use authgate::acl::DEFAULT_LOG_MAX_LEN;
use authgate::server::{DEFAULT_HOST, DEFAULT_MAXCLIENTS, REDIS_PORT};

const BIN: &str = env!("CARGO_BIN_EXE_authgate");
/// How long anything may take to appear before a test gives up.
const DEADLINE: Duration = Duration::from_secs(20);
/// Between two polls of a file or a socket.
const POLL: Duration = Duration::from_millis(10);

fn authgate(args: &[&str]) -> Output {
    Command::new(BIN).args(args).stdin(Stdio::null()).output().expect("run authgate")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help_and_version_exit_0_on_stdout() {
    let out = authgate(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for sub in ["serve", "acl", "genpass"] {
        assert!(help.contains(&format!("  {sub} ")), "{help}");
    }
    assert!(out.stderr.is_empty());
    let out = authgate(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), format!("authgate {}\n", env!("CARGO_PKG_VERSION")));
    for args in [&["acl", "--help"][..], &["acl", "dryrun", "--help"], &["genpass", "--help"]] {
        assert_eq!(authgate(args).status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn usage_errors_exit_2_with_clap_message_on_stderr() {
    for (args, says) in [
        (&["nosuch"][..], "unrecognized subcommand 'nosuch'"),
        (&[], "Usage: authgate <COMMAND>"),
        (&["serve", "--no-such-option", "1"], "unexpected argument '--no-such-option'"),
        (&["serve", "--port"], "a value is required for '--port <PORT>'"),
        (&["acl", "dryrun", "alice", "get"], "--aclfile <FILE>"),
        (&["acl", "check"], "<FILE>"),
        (&["genpass", "many"], "invalid value 'many'"),
    ] {
        let out = authgate(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{args:?}: {}", text(&out.stderr));
    }
}

/// Each option's block of `serve --help`: its line and description.
fn option_help(help: &str, option: &str) -> String {
    let start = help.find(&format!("  {option} <")).unwrap_or_else(|| panic!("{option} missing:\n{help}"));
    let rest = &help[start + 2..];
    let end = rest.find("\n  -").unwrap_or(rest.len());
    rest[..end].to_string()
}

#[test]
fn serve_help_lists_every_option_with_its_default() {
    let out = authgate(&["serve", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    let defaults = [
        ("--port", REDIS_PORT.to_string()),
        ("--bind", DEFAULT_HOST.to_string()),
        ("--acl-pubsub-default", "resetchannels".to_string()),
        ("--acllog-max-len", DEFAULT_LOG_MAX_LEN.to_string()),
        ("--maxclients", DEFAULT_MAXCLIENTS.to_string()),
        ("--loglevel", "notice".to_string()),
    ];
    for (option, default) in &defaults {
        let block = option_help(&help, option);
        assert!(block.contains(&format!("[default: {default}]")), "{block}");
    }
    // Options without a value of their own say what not setting them means.
    for option in ["--requirepass", "--aclfile", "--dir", "--user", "--logfile"] {
        assert!(option_help(&help, option).contains("[default: "), "{option}");
    }
    assert!(option_help(&help, "--config").contains("overrides it"));
}

#[test]
fn acl_check_good_bad_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.acl");
    std::fs::write(&good, "user alice on >pw ~* +get\n").unwrap();
    let out = authgate(&["acl", "check", good.to_str().unwrap()]);
    assert_eq!((out.status.code(), text(&out.stdout), text(&out.stderr)), (Some(0), "OK\n".into(), "".into()));

    let bad = dir.path().join("bad.acl");
    std::fs::write(&bad, "user alice on >pw ~* +get\nuser bob on nosuchrule\n").unwrap();
    let out = authgate(&["acl", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.starts_with(&format!("ERR {}:2: ", bad.display())), "{err}");
    assert!(err.ends_with("no change to the previously active ACL rules was performed\n"), "{err}");

    let out = authgate(&["acl", "check", dir.path().join("none.acl").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("No such file or directory"), "{}", text(&out.stderr));
}

#[test]
fn acl_dryrun_allowed_denied_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.acl");
    std::fs::write(&file, "user alice on >pw ~app:* +get\n").unwrap();
    let f = file.to_str().unwrap();
    let out = authgate(&["acl", "dryrun", "--aclfile", f, "alice", "get", "app:1"]);
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "OK\n".into()));
    // A denial is the answer (stdout); the status says the command would be refused.
    let out = authgate(&["acl", "dryrun", "--aclfile", f, "alice", "get", "other"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "This user has no permissions to access the 'other' key\n");
    let out = authgate(&["acl", "dryrun", "--aclfile", f, "alice", "set", "app:1", "-v"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "This user has no permissions to run the 'set' command\n");
    let out = authgate(&["acl", "dryrun", "--aclfile", f, "nobody", "get", "k"]);
    assert_eq!((out.status.code(), text(&out.stderr)), (Some(1), "ERR User 'nobody' not found\n".into()));
    assert!(out.stdout.is_empty());
}

#[test]
fn genpass_bits() {
    let out = authgate(&["genpass"]);
    assert_eq!(out.status.code(), Some(0));
    let pw = text(&out.stdout);
    assert_eq!(pw.trim_end().len(), authgate::acl::DEFAULT_GENPASS_BITS as usize / 4);
    assert!(pw.trim_end().bytes().all(|b| b.is_ascii_hexdigit()));
    // Redis rounds up to whole hex digits: 5 bits give 2.
    assert_eq!(text(&authgate(&["genpass", "5"]).stdout).len(), "xx\n".len());
    let out = authgate(&["genpass", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("ERR ACL GENPASS argument must be the number of bits"));
}

#[test]
fn serve_config_errors_exit_1_on_stderr_like_redis() {
    let out = authgate(&["serve", "--port", "abc"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer\n"
    );
    let out = authgate(&["serve", "--port", "0", "--loglevel", "loud"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains(">>> 'loglevel \"loud\"'\nargument(s) must be one of the following: debug, verbose, notice, warning"));
    // Options follow the file: line numbers count from the file's first line.
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    std::fs::write(&conf, "port 0\nsave \"\"\n").unwrap();
    let out = authgate(&["serve", "--config", conf.to_str().unwrap(), "--bind", "127.0.0.1", "--maxclients", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("at line 5\n>>> 'maxclients \"x\"'\n"), "{}", text(&out.stderr));
    let out = authgate(&["serve", "--port", "0", "--logfile", "/nonexistent/dir/authgate.log"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).ends_with("Can't open the log file: No such file or directory\n"), "{}", text(&out.stderr));
}

/// A running `authgate serve` logging to a file; killed on drop if still running.
struct Serve {
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Serve {
    fn start(args: &[&str]) -> Serve {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("authgate.log");
        let child = Command::new(BIN)
            .arg("serve")
            .args(args)
            .arg("--logfile")
            .arg(&log)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start authgate serve");
        Serve { child, log, _dir: dir }
    }

    fn log(&self) -> String {
        std::fs::read(&self.log).map(|b| text(&b)).unwrap_or_default()
    }

    /// Polls the log until a line contains `needle`; returns that line.
    fn wait_for_line(&self, needle: &str) -> String {
        let until = Instant::now() + DEADLINE;
        loop {
            let log = self.log();
            if let Some(line) = log.lines().find(|l| l.contains(needle)) {
                return line.to_string();
            }
            assert!(Instant::now() < until, "no log line with {needle:?} in:\n{log}");
            std::thread::sleep(POLL);
        }
    }

    /// The port the server listens on, from its "Running mode" line.
    fn port(&self) -> u16 {
        self.wait_for_line("Ready to accept connections tcp on");
        let line = self.wait_for_line("Running mode=standalone, port=");
        let at = line.find("port=").unwrap() + 5;
        line[at..].trim_end_matches('.').parse().unwrap()
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn terminate(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        assert_eq!(status.code(), Some(0));
        self.log()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A RESP client for simple replies (status, error, integer, bulk).
struct Client(BufReader<TcpStream>);

impl Client {
    fn connect(port: u16) -> Client {
        let until = Instant::now() + DEADLINE;
        loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => return Client(BufReader::new(s)),
                Err(e) => assert!(Instant::now() < until, "connect to {port}: {e}"),
            }
            std::thread::sleep(POLL);
        }
    }

    /// The next bulk string of a multi-part reply.
    fn bulk(&mut self) -> String {
        let mut line = String::new();
        self.0.read_line(&mut line).unwrap();
        let len: usize = line.trim_end().strip_prefix('$').and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{line:?}"));
        let mut body = vec![0; len + 2];
        self.0.read_exact(&mut body).unwrap();
        text(&body[..len])
    }

    fn call(&mut self, args: &[&str]) -> String {
        let mut req = format!("*{}\r\n", args.len());
        for a in args {
            req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        self.0.get_mut().write_all(req.as_bytes()).unwrap();
        let mut line = String::new();
        self.0.read_line(&mut line).unwrap();
        if let Some(len) = line.strip_prefix('$').and_then(|n| n.trim_end().parse::<usize>().ok()) {
            let mut body = vec![0; len + 2];
            self.0.read_exact(&mut body).unwrap();
            return text(&body[..len]);
        }
        line.trim_end().to_string()
    }
}

/// Asserts that `line` is a Redis log line, `pid:M dd Mon yyyy hh:mm:ss.mmm <c> message`,
/// and returns its level character.
fn assert_redis_format(line: &str, pid: u32) -> char {
    let bad = || format!("not a Redis log line: {line:?}");
    let (head, rest) = line.split_once(":M ").unwrap_or_else(|| panic!("{}", bad()));
    assert_eq!(head, pid.to_string(), "{}", bad());
    let b = rest.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.into_iter().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    assert!(digits(0..2) && b[2] == b' ' && MONTHS.contains(&&rest[3..6]) && b[6] == b' ', "{}", bad());
    assert!(digits(7..11) && b[11] == b' ' && digits(12..14) && b[14] == b':' && digits(15..17), "{}", bad());
    assert!(b[17] == b':' && digits(18..20) && b[20] == b'.' && digits(21..24) && b[24] == b' ', "{}", bad());
    assert!(b.get(26) == Some(&b' ') && b.len() > 27, "{}", bad());
    let c = b[25] as char;
    assert!(".-*#".contains(c), "{}", bad());
    c
}

#[test]
fn serve_logs_refused_logins_and_denials_in_redis_format_without_secrets() {
    let secret = "requirepass-Secret-4711";
    // `--port 0` opens no plain listener (Redis' meaning): a port that was free a moment ago.
    let free = free_port().to_string();
    let serve = Serve::start(&["--port", &free, "--requirepass", secret, "--loglevel", "debug"]);
    let pid = serve.child.id();
    let port = serve.port();
    let mut c = Client::connect(port);
    assert_eq!(c.call(&["AUTH", "wrong-Guess-0815"]), "-WRONGPASS invalid username-password pair or user is disabled.");
    assert_eq!(c.call(&["AUTH", secret]), "+OK");
    assert_eq!(c.call(&["ACL", "SETUSER", "bob", "on", ">bob-Pass-2323", "+get", "~public:*"]), "+OK");
    assert_eq!(c.call(&["HELLO", "2", "AUTH", "bob", "bob-Wrong-9999"]), "-WRONGPASS invalid username-password pair or user is disabled.");
    assert_eq!(c.call(&["AUTH", "bob", "bob-Pass-2323"]), "+OK");
    assert!(c.call(&["GET", "secret:1"]).starts_with("-NOPERM"));
    assert!(c.call(&["SET", "public:1", "value-Hidden-1234"]).starts_with("-NOPERM"));
    drop(c);

    let default_failed = serve.wait_for_line("Authentication failed: user 'default'");
    assert_eq!(assert_redis_format(&default_failed, pid), '#');
    let bob_failed = serve.wait_for_line("Authentication failed: user 'bob'");
    assert_eq!(assert_redis_format(&bob_failed, pid), '#');
    let key = serve.wait_for_line("ACL denied: user 'bob', command 'get', key 'secret:1'");
    assert_eq!(assert_redis_format(&key, pid), '#');
    let cmd = serve.wait_for_line("ACL denied: user 'bob', command 'set', client id=");
    assert_eq!(assert_redis_format(&cmd, pid), '#');
    let closed = serve.wait_for_line("Client closed connection id=");
    assert_eq!(assert_redis_format(&closed, pid), '-');

    let log = serve.terminate();
    for line in log.lines() {
        assert_redis_format(line, pid);
    }
    for secret in [secret, "wrong-Guess-0815", "bob-Pass-2323", "bob-Wrong-9999", "value-Hidden-1234"] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
    for said in [
        "# authgate version=",
        "just started",
        "* Ready to accept connections tcp on 127.0.0.1:",
        "- Accepted 127.0.0.1:",
        "# Received SIGTERM scheduling shutdown...",
        "# authgate is now ready to exit, bye bye...",
    ] {
        assert!(log.contains(said), "{said:?} missing:\n{log}");
    }
    assert!(log.contains(&format!("pid={pid}, just started")));
}

/// A port that was free a moment ago (for a server whose log does not name its port).
fn free_port() -> u16 {
    std::net::TcpListener::bind((DEFAULT_HOST, 0)).unwrap().local_addr().unwrap().port()
}

/// Starts a server at `level`, makes a connection fail AUTH and close, and returns the log
/// once the connection's last event is in it (so everything before it is too).
fn log_at_level(level: &str) -> String {
    let port = free_port();
    let serve = Serve::start(&["--port", &port.to_string(), "--loglevel", level, "--requirepass", "pw"]);
    let mut c = Client::connect(port);
    assert!(c.call(&["AUTH", "nope"]).starts_with("-WRONGPASS"));
    drop(c);
    let last = if matches!(level, "debug" | "verbose") { "Client closed connection" } else { "Authentication failed" };
    serve.wait_for_line(last);
    if level == "debug" {
        serve.wait_for_line("clients connected (0 replicas)");
    }
    serve.log()
}

#[test]
fn loglevel_filters_like_redis() {
    let has = |log: &str, c: char| log.lines().any(|l| l.split(' ').nth(5) == Some(&c.to_string()));
    let warning = log_at_level("warning");
    assert!(has(&warning, '#') && !has(&warning, '*') && !has(&warning, '-') && !has(&warning, '.'), "{warning}");
    assert!(warning.contains("Authentication failed: user 'default'"));
    let notice = log_at_level("notice");
    assert!(has(&notice, '#') && has(&notice, '*') && !has(&notice, '-') && !has(&notice, '.'), "{notice}");
    let verbose = log_at_level("verbose");
    assert!(has(&verbose, '*') && has(&verbose, '-') && !has(&verbose, '.'), "{verbose}");
    assert!(verbose.contains("- Accepted 127.0.0.1:"));
    let debug = log_at_level("debug");
    assert!(has(&debug, '.') && has(&debug, '-') && has(&debug, '*') && has(&debug, '#'), "{debug}");
    assert!(debug.contains(". 0 clients connected (0 replicas)") || debug.contains(". 1 clients connected (0 replicas)"));
}

#[test]
fn config_set_loglevel_changes_what_the_running_log_writes() {
    let port = free_port();
    let serve = Serve::start(&["--port", &port.to_string(), "--loglevel", "notice"]);
    let mut admin = Client::connect(port);
    // At notice a connection's accept/close lines (verbose, `-`) are not written; the admin's
    // own connection opened before the change is the proof: its "Accepted" line is absent.
    assert_eq!(admin.call(&["CONFIG", "SET", "loglevel", "VERBOSE"]), "+OK");
    assert_eq!(admin.call(&["CONFIG", "GET", "loglevel"]), "*2");
    assert_eq!((admin.bulk(), admin.bulk()), ("loglevel".to_string(), "verbose".to_string()));
    drop(Client::connect(port));
    let accepted = serve.wait_for_line("- Accepted 127.0.0.1:");
    assert_eq!(serve.log().matches("- Accepted 127.0.0.1:").count(), 1, "only the connection after the change: {accepted}");
    // Back to warning: a refused login (`#`) is still written, a new connection's accept is not.
    assert_eq!(admin.call(&["CONFIG", "SET", "loglevel", "warning"]), "+OK");
    let mut late = Client::connect(port);
    assert!(late.call(&["AUTH", "nobody", "x"]).starts_with("-WRONGPASS"));
    serve.wait_for_line("Authentication failed: user 'nobody'");
    assert_eq!(serve.log().matches("- Accepted 127.0.0.1:").count(), 1, "{}", serve.log());
    // A bad level is Redis' error and leaves the level as it was.
    assert!(admin.call(&["CONFIG", "SET", "loglevel", "loud"]).starts_with(
        "-ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"
    ));
    assert_eq!(admin.call(&["CONFIG", "GET", "loglevel"]), "*2");
    assert_eq!((admin.bulk(), admin.bulk()), ("loglevel".to_string(), "warning".to_string()));
}

#[test]
fn options_override_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("redis.conf");
    // The file's logfile cannot be opened and its loglevel hides the Ready line: the options
    // replace both, or the test never sees a port.
    std::fs::write(&conf, "port 6379\nlogfile /nonexistent/dir/x.log\nloglevel warning\nrequirepass filepw\n").unwrap();
    let free = free_port().to_string();
    let serve = Serve::start(&["--config", conf.to_str().unwrap(), "--port", &free, "--loglevel", "notice"]);
    let mut c = Client::connect(serve.port());
    // What the options do not set, the file does.
    assert_eq!(c.call(&["AUTH", "filepw"]), "+OK");
    // CONFIG GET answers the settings in force: the option's level and log file.
    assert_eq!(c.call(&["CONFIG", "GET", "loglevel"]), "*2");
    assert_eq!((c.bulk(), c.bulk()), ("loglevel".to_string(), "notice".to_string()));
    assert_eq!(c.call(&["CONFIG", "GET", "logfile"]), "*2");
    assert_eq!(c.bulk(), "logfile");
    assert_eq!(c.bulk(), serve.log.to_string_lossy());
}

#[test]
fn fatal_startup_errors_are_logged_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("fatal.log");
    let acl = dir.path().join("users.acl");
    std::fs::write(&acl, "user default on nopass ~* +@all\n").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "--user", "alice on >pw", "--aclfile"])
        .arg(&acl)
        .arg("--logfile")
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.";
    assert!(text(&out.stderr).contains(said));
    let log = text(&std::fs::read(&log).unwrap());
    let line = log.lines().find(|l| l.contains(said)).unwrap_or_else(|| panic!("{log}"));
    assert_eq!(assert_redis_format(line, out_pid(&log)), '#');
    assert!(!log.contains(">pw"));
}

/// The pid every line of `log` starts with.
fn out_pid(log: &str) -> u32 {
    log.split(':').next().unwrap().parse().unwrap()
}

#[test]
fn a_busy_port_is_a_logged_fatal_error() {
    let busy = std::net::TcpListener::bind((DEFAULT_HOST, 0)).unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("busy.log");
    let out = Command::new(BIN).args(["serve", "--port", &port, "--logfile"]).arg(&log).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = text(&std::fs::read(&log).unwrap());
    assert!(log.contains(&format!("# Could not create server TCP listening socket 127.0.0.1:{port}: Address already in use")), "{log}");
    assert!(log.contains(&format!("# Failed listening on port {port} (tcp), aborting.")), "{log}");
    assert!(text(&out.stderr).contains("Failed listening on port"));
}
