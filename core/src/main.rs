//! The `authgate` command-line program.
//!
//! ```text
//! authgate serve [--config FILE] [--DIRECTIVE VALUE]...   (redis.conf directives)
//! authgate acl check FILE
//! authgate acl dryrun --aclfile FILE USER CMD [ARG...]
//! authgate genpass [BITS]
//! ```
//!
//! See `cli` for the exit statuses and `authgate serve --help` for every option and its
//! default.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
