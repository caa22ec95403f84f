//! `authgate milvus users list|create|passwd|delete|verify`: Milvus 2.3.5's user management on a
//! credential file or on the etcd a real Milvus uses, without a Milvus proxy (for example to
//! reset a forgotten root password). Errors are Milvus' texts, on standard error, exit 1.
//! Passwords come from standard input (one per line) or a prompt, never from the command line
//! unless `--password` / `--old-password` are given explicitly.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use authgate::credentials::{CredentialError, CredentialOptions, CredentialStore, StoreLocation, StoreSettings};
use clap::{Args, Subcommand};

use super::{print, refuse};

/// `authgate milvus ...`
#[derive(Subcommand)]
pub enum MilvusCommand {
    /// Milvus users: list, create, change a password, delete, check a password
    #[command(subcommand)]
    Users(UsersCommand),
}

/// `authgate milvus users ...`
#[derive(Subcommand)]
pub enum UsersCommand {
    /// Print every user, one a line, root included, in byte order
    List(StoreArgs),
    /// Create a user; the password is read from standard input or a prompt
    Create {
        /// The user name (stored as given; Milvus' rules apply to it trimmed)
        name: String,
        /// The password (visible to other users of the machine: prefer standard input)
        #[arg(long)]
        password: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Change a password: the old one, then the new one, from standard input or prompts (a
    /// --caller listed in --super-user needs no old password)
    Passwd {
        /// The user name
        name: String,
        /// The new password (visible to other users of the machine: prefer standard input)
        #[arg(long)]
        password: Option<String>,
        /// The old password (visible to other users of the machine: prefer standard input)
        #[arg(long)]
        old_password: Option<String>,
        /// Who makes the change (Milvus' authenticated user); a super user skips the old password
        #[arg(long)]
        caller: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Delete a user (root cannot be deleted; an unknown user is not an error)
    Delete {
        /// The user name
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Check a password: `ok` and exit 0, or Milvus' login failure and exit 1
    Verify {
        /// The user name (exact: a login is not trimmed)
        name: String,
        /// The password (visible to other users of the machine: prefer standard input)
        #[arg(long)]
        password: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where the users are, and Milvus' settings.
#[derive(Args)]
pub struct StoreArgs {
    /// A credential file (JSON; created on the first write)
    #[arg(long, value_name = "PATH", conflicts_with = "etcd", required_unless_present = "etcd")]
    file: Option<String>,
    /// etcd endpoints, comma-separated (HOST:PORT or URLs): the etcd of a Milvus
    #[arg(long, value_name = "HOST:PORT[,...]")]
    etcd: Option<String>,
    /// Milvus' etcd.rootPath
    #[arg(long, default_value = "by-dev")]
    root_path: String,
    /// Milvus' etcd.metaSubPath
    #[arg(long, default_value = "meta")]
    meta_sub_path: String,
    /// etcd user (etcd's own auth); its password is read from $ETCD_PASSWORD
    #[arg(long)]
    etcd_user: Option<String>,
    /// CA certificate (PEM) for TLS to etcd
    #[arg(long, value_name = "PEM")]
    etcd_ca: Option<String>,
    /// Client certificate (PEM) for TLS to etcd
    #[arg(long, value_name = "PEM", requires = "etcd_key")]
    etcd_cert: Option<String>,
    /// Client key (PEM) for TLS to etcd
    #[arg(long, value_name = "PEM", requires = "etcd_cert")]
    etcd_key: Option<String>,
    /// bcrypt cost of new hashes, 4 to 31
    #[arg(long)]
    bcrypt_cost: Option<u32>,
    /// proxy.minPasswordLength
    #[arg(long)]
    min_password_length: Option<usize>,
    /// proxy.maxPasswordLength
    #[arg(long)]
    max_password_length: Option<usize>,
    /// proxy.maxUserNum
    #[arg(long)]
    max_user_num: Option<usize>,
    /// common.security.superUsers (repeatable)
    #[arg(long = "super-user", value_name = "NAME")]
    super_users: Vec<String>,
}

impl StoreArgs {
    fn options(&self) -> CredentialOptions {
        let d = CredentialOptions::default();
        CredentialOptions {
            bcrypt_cost: self.bcrypt_cost.unwrap_or(d.bcrypt_cost),
            min_password_length: self.min_password_length.unwrap_or(d.min_password_length),
            max_password_length: self.max_password_length.unwrap_or(d.max_password_length),
            max_user_num: self.max_user_num.unwrap_or(d.max_user_num),
            super_users: self.super_users.clone(),
            ..d
        }
    }

    /// Opens the store through core's [`StoreSettings`], which reads the PEM files and checks
    /// the pairs, as every binding does.
    fn open(&self) -> Result<CredentialStore, String> {
        let mut settings = StoreSettings { options: self.options(), ..StoreSettings::default() };
        if let Some(file) = &self.file {
            settings.location = StoreLocation::File(file.into());
        } else {
            settings.location = StoreLocation::etcd_list(self.etcd.as_deref().unwrap_or_default());
            settings.root_path = Some(self.root_path.clone());
            settings.meta_sub_path = Some(self.meta_sub_path.clone());
            settings.etcd_ca = self.etcd_ca.as_ref().map(Into::into);
            settings.etcd_cert = self.etcd_cert.as_ref().map(Into::into);
            settings.etcd_key = self.etcd_key.as_ref().map(Into::into);
            if let Some(user) = &self.etcd_user {
                let password = std::env::var("ETCD_PASSWORD").map_err(|_| "--etcd-user needs $ETCD_PASSWORD".to_string())?;
                settings.etcd_user = Some(user.clone());
                settings.etcd_password = Some(password);
            }
        }
        settings.open().map_err(|e| e.to_string())
    }
}

/// Runs `authgate milvus ...`.
pub fn run(cmd: MilvusCommand) -> ExitCode {
    let MilvusCommand::Users(cmd) = cmd;
    match users(cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => refuse(message.as_bytes()),
    }
}

fn users(cmd: UsersCommand) -> Result<(), String> {
    let text = |e: CredentialError| e.to_string();
    match cmd {
        UsersCommand::List(store) => {
            for name in store.open()?.list_users().map_err(text)? {
                print(name.as_bytes());
            }
        }
        UsersCommand::Create { name, password, store } => {
            let password = password_or_read(password, "password: ")?;
            store.open()?.create_user(&name, &password).map_err(text)?;
        }
        UsersCommand::Passwd { name, password, old_password, caller, store } => {
            let privileged = caller.as_deref().is_some_and(|c| store.super_users.iter().any(|s| s == c));
            let old = if privileged && old_password.is_none() { Vec::new() } else { password_or_read(old_password, "old password: ")? };
            let new = password_or_read(password, "new password: ")?;
            store.open()?.update_password(&name, &old, &new, caller.as_deref()).map_err(text)?;
        }
        UsersCommand::Delete { name, store } => store.open()?.delete_user(&name).map_err(text)?,
        UsersCommand::Verify { name, password, store } => {
            let password = password_or_read(password, "password: ")?;
            if !store.open()?.verify(&name, &password).map_err(text)? {
                return Err(CredentialError::AuthCheckFailure.to_string());
            }
            print(b"ok");
        }
    }
    Ok(())
}

/// The given password, or one line of standard input (a prompt without echo at a terminal).
fn password_or_read(given: Option<String>, prompt: &str) -> Result<Vec<u8>, String> {
    if let Some(p) = given {
        return Ok(p.into_bytes());
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt).map(String::into_bytes).map_err(|e| format!("reading the password: {e}"));
    }
    let mut line = Vec::new();
    std::io::stdin().lock().read_until(b'\n', &mut line).map_err(|e| format!("reading the password: {e}"))?;
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
    Ok(line)
}
