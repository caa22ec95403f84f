//! The `authgate` command-line program.
//!
//! ```text
//! authgate serve [--config FILE] [--port 6379] [--bind 127.0.0.1] [--requirepass PW]
//!                [--aclfile FILE] [--dir DIR] [--user "NAME RULE..."]...
//!                [--acl-pubsub-default allchannels|resetchannels] [--acllog-max-len 128]
//!                [--maxclients 10000] [--loglevel notice] [--logfile FILE]
//! authgate acl check FILE
//! authgate acl dryrun --aclfile FILE USER CMD [ARG...]
//! authgate genpass [BITS]
//! ```
//!
//! See [`cli`] for the exit statuses and `authgate serve --help` for every option.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
