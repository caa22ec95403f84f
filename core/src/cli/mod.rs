//! The `authgate` command line (clap).
//!
//! Conventions of every subcommand: results on standard output, errors on standard error;
//! exit status 0 on success, 1 when the input is refused or invalid (a bad aclfile, a DRYRUN
//! denial, a bad config), 2 for a usage error (clap's message). `--help` and `--version` exit 0.

mod acl;
mod cert;
mod log;
mod milvus;
mod nats;
mod serve;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// Exit status of a refused or invalid input (usage errors are clap's 2).
const REFUSED: u8 = 1;

#[derive(Parser)]
#[command(
    name = "authgate",
    version,
    about = "Redis 7.0 ACLs as a library and a RESP server",
    long_about = "authgate: Redis 7.0's AUTH/ACL engine, byte for byte, and a small RESP server \
                  that enforces it.\n\nExit status: 0 success, 1 refused or invalid input, 2 usage error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the RESP server; options are redis.conf directives, as redis-server takes them
    Serve(Box<serve::ServeArgs>),
    /// Validate aclfiles and try rules without a server
    #[command(subcommand)]
    Acl(acl::AclCommand),
    /// Print a random password, as ACL GENPASS does
    Genpass(acl::GenpassArgs),
    /// nats-server 2.9.10 configs and logins: check a config, decide a login, hash a password
    #[command(subcommand)]
    Nats(nats::NatsCommand),
    /// Milvus 2.3.5 users on a credential file or a Milvus' etcd, with Milvus' rules and texts
    #[command(subcommand)]
    Milvus(milvus::MilvusCommand),
    /// Client certificates: the RFC 2253 subject, Redis Software subject checks, verification
    #[command(subcommand)]
    Cert(cert::CertCommand),
}

/// Parses the command line (exiting 2 on a usage error, 0 after `--help`/`--version`) and
/// runs the subcommand.
pub fn run() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Serve(args) => {
            let sub = matches.subcommand_matches("serve").expect("clap matched the serve subcommand");
            serve::run(&args, sub)
        }
        Command::Acl(cmd) => acl::run(cmd),
        Command::Genpass(args) => acl::genpass(&args),
        Command::Nats(cmd) => {
            let sub = matches.subcommand_matches("nats").expect("clap matched the nats subcommand");
            nats::run(cmd, sub)
        }
        Command::Milvus(cmd) => milvus::run(cmd),
        Command::Cert(cmd) => cert::run(cmd),
    }
}

/// Prints `message` (bytes as they are: a key or user name need not be UTF-8) and a newline
/// on standard error, and returns the refused status.
fn refuse(message: &[u8]) -> ExitCode {
    let _ = write_line(&mut std::io::stderr().lock(), message);
    ExitCode::from(REFUSED)
}

/// Prints a result (bytes as they are) and a newline on standard output.
fn print(result: &[u8]) {
    let _ = write_line(&mut std::io::stdout().lock(), result);
}

fn write_line(out: &mut impl std::io::Write, text: &[u8]) -> std::io::Result<()> {
    out.write_all(text)?;
    out.write_all(b"\n")?;
    out.flush()
}
