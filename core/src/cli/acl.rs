//! `authgate acl check|dryrun` and `authgate genpass`: the engine without a server.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use authgate::acl::{Acl, AclOptions, DryRun, DEFAULT_GENPASS_BITS};
use clap::{Args, Subcommand};

use super::{print, refuse, REFUSED};

/// `authgate acl ...`
#[derive(Subcommand)]
pub enum AclCommand {
    /// Validate an aclfile: prints OK, or Redis' error text and exits 1
    Check {
        /// The aclfile
        file: PathBuf,
    },
    /// Load an aclfile and run ACL DRYRUN: prints OK (exit 0) or the denial (exit 1)
    Dryrun {
        /// The aclfile defining the users
        #[arg(long, value_name = "FILE")]
        aclfile: PathBuf,
        /// The user to check
        user: OsString,
        /// The command and its arguments
        #[arg(value_name = "CMD", required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
        argv: Vec<OsString>,
    },
}

/// `authgate genpass [BITS]`
#[derive(Args)]
pub struct GenpassArgs {
    /// Bits of randomness, 1 to 4096 (the password has BITS/4 hex digits, rounded up)
    #[arg(default_value_t = DEFAULT_GENPASS_BITS)]
    bits: u32,
}

/// Runs an `acl` subcommand.
pub fn run(cmd: AclCommand) -> ExitCode {
    match cmd {
        AclCommand::Check { file } => match Acl::new().check_aclfile(&file) {
            Ok(()) => ok(),
            Err(e) => refuse(&e.to_bytes()),
        },
        AclCommand::Dryrun { aclfile, user, argv } => {
            let acl = match Acl::from_file(&aclfile, AclOptions::default()) {
                Ok(acl) => acl,
                Err(e) => return refuse(&e.to_bytes()),
            };
            let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_encoded_bytes()).collect();
            match acl.dryrun(user.as_encoded_bytes(), &argv) {
                Ok(DryRun::Allowed) => ok(),
                // A denial is DRYRUN's answer, not a failure to answer: it is the result
                // (stdout), and the status says the command would be refused.
                Ok(denied) => {
                    print(denied.text());
                    ExitCode::from(REFUSED)
                }
                Err(e) => refuse(&e.to_bytes()),
            }
        }
    }
}

/// Runs `genpass`.
pub fn genpass(args: &GenpassArgs) -> ExitCode {
    match Acl::genpass(args.bits) {
        Ok(p) => {
            print(p.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => refuse(&e.to_bytes()),
    }
}

/// Prints the engine's allowed verdict (`OK`, what DRYRUN and a valid aclfile answer).
fn ok() -> ExitCode {
    print(DryRun::Allowed.text());
    ExitCode::SUCCESS
}
