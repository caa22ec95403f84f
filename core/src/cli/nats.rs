//! `authgate nats check|auth|passwd`: nats-server 2.9.10's config checks and login decisions
//! without a server. The verdict (`ok`, the config's errors, `Authorization Violation`) is
//! the command's result, on standard output; the exit status says whether it was a success.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::Arc;

use authgate::nats::password::DEFAULT_COST;
use authgate::nats::{hash_password, Connect, NatsAuth, NatsError};
use clap::{ArgMatches, Args, Subcommand};

use super::{print, refuse};

/// `authgate nats ...`
#[derive(Subcommand)]
pub enum NatsCommand {
    /// Validate a nats-server config: `ok`, or nats-server's errors (`file:line:col: message`)
    /// and exit 1, also for configs nats-server accepts with -t but refuses at start-up
    Check {
        /// The config file
        file: String,
    },
    /// Decide a login and permissions: `ok user=U account=A` then `pub|sub ... allow|deny`
    /// per check in the order given; `Authorization Violation` and exit 1 when refused
    Auth(AuthArgs),
    /// Print a bcrypt hash of the password read from standard input (or a prompt)
    Passwd {
        /// bcrypt cost, 4 to 31
        #[arg(long, default_value_t = DEFAULT_COST)]
        cost: u32,
    },
}

/// `authgate nats auth`
#[derive(Args)]
pub struct AuthArgs {
    /// The config file (omit it for the command-line modes, as nats-server runs without -c)
    file: Option<String>,
    /// CONNECT user
    #[arg(long)]
    user: Option<String>,
    /// CONNECT password
    #[arg(long)]
    password: Option<String>,
    /// CONNECT auth_token
    #[arg(long)]
    token: Option<String>,
    /// Credentials from a client URL: nats://user:pass@host:port or nats://token@host:port
    #[arg(long)]
    url: Option<String>,
    /// A publish to check (repeatable)
    #[arg(long = "pub", value_name = "SUBJECT")]
    publish: Vec<String>,
    /// A subscription to check, "SUBJECT" or "SUBJECT QUEUE" (repeatable)
    #[arg(long = "sub", value_name = "SUBJECT[ QUEUE]")]
    subscribe: Vec<String>,
    /// The server's single user (nats-server --user)
    #[arg(long)]
    server_user: Option<String>,
    /// The server's single user's password (nats-server --pass)
    #[arg(long)]
    server_pass: Option<String>,
    /// The server's token (nats-server --auth)
    #[arg(long)]
    server_auth: Option<String>,
    /// The client's certificate (PEM or DER), for configs with `verify_and_map`: taken as
    /// already verified by the listener (check the chain with `authgate cert verify`)
    #[arg(long, value_name = "FILE")]
    cert: Option<String>,
}

/// Runs a `nats` subcommand.
pub fn run(cmd: NatsCommand, matches: &ArgMatches) -> ExitCode {
    match cmd {
        NatsCommand::Check { file } => match NatsAuth::from_file(&file) {
            Ok(auth) => {
                print(b"ok");
                // The process ends next: freeing every user's tries one by one was a third of
                // the time `check` took on a 10,000-user config (the OS reclaims it at once).
                std::mem::forget(auth);
                ExitCode::SUCCESS
            }
            Err(e) => verdict_error(&e),
        },
        NatsCommand::Auth(args) => {
            let sub = matches.subcommand_matches("auth").expect("clap matched the auth subcommand");
            auth(&args, sub)
        }
        NatsCommand::Passwd { cost } => passwd(cost),
    }
}

/// Prints a refusal's lines (a config nats-server would refuse, or a refused login) on standard
/// error, where nats-server prints them and `authgate acl check` prints its errors, and returns
/// the refused status. Results (`ok`, verdicts) stay on standard output.
fn verdict_error(e: &NatsError) -> ExitCode {
    let text = e.lines().join("\n");
    refuse(text.as_bytes())
}

fn auth(args: &AuthArgs, m: &ArgMatches) -> ExitCode {
    let server = match &args.file {
        Some(f) => match NatsAuth::from_file(f) {
            Ok(a) => a,
            Err(e) => return verdict_error(&e),
        },
        None => match NatsAuth::from_options(Default::default()) {
            Ok(a) => a,
            Err(e) => return verdict_error(&e),
        },
    };
    let server = server.with_command_line(
        args.server_user.as_deref().map(str::as_bytes),
        args.server_pass.as_deref().map(str::as_bytes),
        args.server_auth.as_deref().map(str::as_bytes),
    );
    let mut connect = args.url.as_deref().map(Connect::from_url).unwrap_or_default();
    if let Some(file) = &args.cert {
        match super::cert::load_cert(file) {
            Ok(cert) => connect.certificate = Some(Arc::new(cert)),
            Err(reason) => return refuse(reason.as_bytes()),
        }
    }
    for (flag, field) in [
        (&args.user, &mut connect.user),
        (&args.password, &mut connect.password),
        (&args.token, &mut connect.token),
    ] {
        if let Some(v) = flag {
            *field = v.as_bytes().to_vec();
        }
    }
    let id = match server.authenticate(&connect) {
        Ok(id) => id,
        Err(e) => return verdict_error(&e),
    };
    let mut head = b"ok user=".to_vec();
    head.extend_from_slice(id.user());
    head.extend_from_slice(b" account=");
    head.extend_from_slice(id.account());
    print(&head);
    // The checks in command-line order, publishes and subscriptions interleaved.
    let mut checks: Vec<(usize, bool, &str)> = Vec::new();
    let pubs = m.indices_of("publish").into_iter().flatten();
    checks.extend(pubs.zip(&args.publish).map(|(i, s)| (i, true, s.as_str())));
    let subs = m.indices_of("subscribe").into_iter().flatten();
    checks.extend(subs.zip(&args.subscribe).map(|(i, s)| (i, false, s.as_str())));
    checks.sort_by_key(|c| c.0);
    for (_, is_pub, s) in checks {
        let line = if is_pub {
            let verdict = if id.can_publish(s.as_bytes()) { "allow" } else { "deny" };
            format!("pub {s} {verdict}")
        } else {
            let t = s.trim();
            let (subject, queue) = match t.split_once(char::is_whitespace) {
                Some((sj, q)) => (sj, Some(q.trim())),
                None => (t, None),
            };
            let ok = id.can_subscribe(subject.as_bytes(), queue.map(str::as_bytes));
            let shown = match queue {
                Some(q) => format!("{subject} {q}"),
                None => subject.to_string(),
            };
            format!("sub {shown} {}", if ok { "allow" } else { "deny" })
        };
        print(line.as_bytes());
    }
    ExitCode::SUCCESS
}

fn passwd(cost: u32) -> ExitCode {
    let password = if std::io::stdin().is_terminal() {
        match rpassword::prompt_password("password: ") {
            Ok(p) => p.into_bytes(),
            Err(e) => return refuse(format!("reading the password: {e}").as_bytes()),
        }
    } else {
        let mut line = Vec::new();
        if let Err(e) = std::io::stdin().lock().read_until(b'\n', &mut line) {
            return refuse(format!("reading the password: {e}").as_bytes());
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        line
    };
    match hash_password(&password, cost) {
        Ok(h) => {
            print(h.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => refuse(e.as_bytes()),
    }
}
