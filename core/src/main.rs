//! The `authgate` command-line program.
//!
//! ```text
//! authgate serve [--config FILE] [--DIRECTIVE VALUE]...   (redis.conf directives)
//! authgate acl check FILE
//! authgate acl dryrun --aclfile FILE USER CMD [ARG...]
//! authgate genpass [BITS]
//! authgate nats check FILE
//! authgate nats auth [FILE] [--user U] [--password P] [--token T] [--pub S]... [--sub "S[ Q]"]...
//! authgate nats passwd [--cost 11]
//! ```
//!
//! See `cli` for the exit statuses and `authgate serve --help` for every option and its
//! default.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
