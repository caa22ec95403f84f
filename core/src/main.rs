//! The `authgate` command-line program.
//!
//! ```text
//! authgate serve [--config FILE] [--port 6379] [--bind 127.0.0.1] [--aclfile FILE]
//!                [--requirepass PW] [--acl-pubsub-default allchannels|resetchannels]
//!                [--maxclients N] [--acllog-max-len N] [--dir DIR] [--user "name rules..."]
//! authgate acl check FILE
//! authgate acl dryrun --aclfile FILE USER CMD [ARG...]
//! authgate genpass [BITS]
//! ```
//!
//! `serve` options after `--config` override the file, like Redis' command-line directives.
#![forbid(unsafe_code)]

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use authgate::acl::Acl;
use authgate::resp::split_args;
use authgate::server::{Config, Server};

const USAGE: &str = "usage:
  authgate serve [--config FILE] [--port 6379] [--bind 127.0.0.1] [--aclfile FILE] [--requirepass PW]
                 [--acl-pubsub-default allchannels|resetchannels] [--maxclients N]
                 [--acllog-max-len N] [--dir DIR] [--user \"NAME RULE...\"]
  authgate acl check FILE
  authgate acl dryrun --aclfile FILE USER CMD [ARG...]
  authgate genpass [BITS]";

fn main() -> ExitCode {
    // Everything after the program name.
    let args: Vec<String> = std::env::args().collect::<Vec<_>>().split_off(1);
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("acl") => acl(&args[1..]),
        Some("genpass") => genpass(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}

/// Parses `serve` options into a Config.
fn serve_config(args: &[String]) -> Result<Config, String> {
    let mut config = Config::default();
    let mut directives: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let opt = &args[i];
        let Some(name) = opt.strip_prefix("--") else {
            return Err(format!("unexpected argument '{opt}'\n{USAGE}"));
        };
        let Some(value) = args.get(i + 1) else {
            return Err(format!("option '{opt}' needs a value\n{USAGE}"));
        };
        i += 2;
        if name == "config" {
            config.apply_file(Path::new(value))?;
            continue;
        }
        let mut d = vec![name.as_bytes().to_vec()];
        if name == "user" || name == "bind" {
            let parts = split_args(value.as_bytes()).map_err(|_| format!("unbalanced quotes in --{name}"))?;
            d.extend(parts);
        } else {
            d.push(value.as_bytes().to_vec());
        }
        directives.push(d);
    }
    for d in &directives {
        config.apply_directive(d).map_err(|e| {
            format!("Error in option --{}: {e}", String::from_utf8_lossy(&d[0]))
        })?;
    }
    Ok(config)
}

fn serve(args: &[String]) -> Result<(), String> {
    let config = serve_config(args)?;
    let acl = Arc::new(Acl::new());
    let server = Server::builder(acl).config(config).build().map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime
        .block_on(server.run_until(
            shutdown_signal(),
            |addrs| {
                let list: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
                println!(
                    "authgate {} (Redis 7.0.15 compatible) PID: {} port: {}",
                    env!("CARGO_PKG_VERSION"),
                    std::process::id(),
                    addrs.first().map_or(0, |a| a.port())
                );
                println!("Ready to accept connections tcp on {}", list.join(" "));
            },
        ))
        .map_err(|e| match e {
            authgate::server::ServerError::Io(io) => {
                format!("Failed listening on port ({io})")
            }
            other => other.to_string(),
        })
}

/// Completes on Ctrl-C, or on SIGTERM on Unix (Redis shuts down gracefully on both).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn acl(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("check") => {
            let [_, file] = args else { return Err(USAGE.to_string()) };
            let acl = Acl::new();
            match acl.check_aclfile(Path::new(file)) {
                Ok(()) => {
                    println!("OK");
                    Ok(())
                }
                Err(e) => Err(String::from_utf8_lossy(&e.to_bytes()).into_owned()),
            }
        }
        Some("dryrun") => {
            let rest = &args[1..];
            let (file, rest) = match rest {
                [flag, file, rest @ ..] if flag == "--aclfile" => (file, rest),
                _ => return Err(USAGE.to_string()),
            };
            let [user, cmd @ ..] = rest else { return Err(USAGE.to_string()) };
            if cmd.is_empty() {
                return Err(USAGE.to_string());
            }
            let acl = Acl::new();
            acl.load(Path::new(file)).map_err(|e| String::from_utf8_lossy(&e.to_bytes()).into_owned())?;
            let argv: Vec<&[u8]> = cmd.iter().map(|a| a.as_bytes()).collect();
            match acl.dryrun(user.as_bytes(), &argv) {
                Ok(authgate::acl::DryRun::Allowed) => {
                    println!("OK");
                    Ok(())
                }
                Ok(denied) => Err(String::from_utf8_lossy(denied.text()).into_owned()),
                Err(e) => Err(String::from_utf8_lossy(&e.to_bytes()).into_owned()),
            }
        }
        _ => Err(USAGE.to_string()),
    }
}

fn genpass(args: &[String]) -> Result<(), String> {
    if args.len() > 1 {
        return Err(USAGE.to_string());
    }
    let bits = match args.first() {
        None => authgate::acl::DEFAULT_GENPASS_BITS,
        Some(b) => b.parse().map_err(|_| format!("invalid number of bits '{b}'"))?,
    };
    let p = Acl::genpass(bits).map_err(|e| String::from_utf8_lossy(&e.to_bytes()).into_owned())?;
    println!("{p}");
    Ok(())
}
