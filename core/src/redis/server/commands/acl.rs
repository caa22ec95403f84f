//! The ACL command and its subcommands.

use super::file_job::FileJob;
use crate::redis::server::session::Session;
use crate::redis::acl::{
    Acl, AclError, Command, DryRun, ListSink, SelectorInfo, DEFAULT_GENPASS_BITS,
};
use crate::redis::resp::number::parse_i64;
use crate::redis::resp::Encoder;

/// The ACL HELP lines (status replies).
const HELP: &[&str] = &[
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Prints this help.",
];

/// Writes a help reply: an array of status lines.
pub(crate) fn help_reply(out: &mut Encoder, lines: &[&str]) {
    out.array(lines.len());
    for l in lines {
        out.simple(l.as_bytes());
    }
}

/// `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CMD> HELP.`
pub(crate) fn subcommand_syntax_error(out: &mut Encoder, argv: &[Vec<u8>]) {
    let sub = super::strings::cstr(&argv[1]);
    let mut e = b"ERR unknown subcommand or wrong number of arguments for '".to_vec();
    e.extend_from_slice(&sub[..sub.len().min(128)]);
    e.extend_from_slice(b"'. Try ");
    e.extend_from_slice(&super::strings::cstr(&argv[0]).to_ascii_uppercase());
    e.extend_from_slice(b" HELP.");
    out.error(&e);
}

fn error(out: &mut Encoder, e: &AclError) {
    out.error(&e.to_bytes());
}

fn bulk_array<T: AsRef<[u8]>>(out: &mut Encoder, items: &[T]) {
    out.array(items.len());
    for i in items {
        out.bulk(i.as_ref());
    }
}

fn selector_map(out: &mut Encoder, sel: &SelectorInfo) {
    out.map(3);
    out.bulk(b"commands");
    out.bulk(&sel.commands);
    out.bulk(b"keys");
    out.bulk(&sel.keys);
    out.bulk(b"channels");
    out.bulk(&sel.channels);
}

/// ACL LIST's lines encoded as they are written: each goes straight into the output buffer
/// and is framed there, so a 100,000-user reply is never built a second time.
struct ListReply<'a> {
    out: &'a mut Encoder,
    start: usize,
}

impl ListSink for ListReply<'_> {
    fn begin(&mut self, lines: usize) {
        self.out.array(lines);
    }

    fn line_buffer(&mut self) -> &mut Vec<u8> {
        self.start = self.out.buf.len();
        &mut self.out.buf
    }

    fn line_end(&mut self) {
        self.out.bulk_in_place(self.start);
    }
}

fn getuser(s: &mut Session, name: &[u8]) {
    let Some(info) = s.shared.acl.getuser(name) else {
        return s.out.null();
    };
    let out = &mut s.out;
    out.map(6);
    out.bulk(b"flags");
    out.set(info.flags.len());
    for f in &info.flags {
        out.bulk(f.as_bytes());
    }
    out.bulk(b"passwords");
    bulk_array(out, &info.passwords);
    out.bulk(b"commands");
    out.bulk(&info.root.commands);
    out.bulk(b"keys");
    out.bulk(&info.root.keys);
    out.bulk(b"channels");
    out.bulk(&info.root.channels);
    out.bulk(b"selectors");
    out.array(info.selectors.len());
    for sel in &info.selectors {
        selector_map(out, sel);
    }
}

fn log(s: &mut Session, argv: &[Vec<u8>]) {
    let mut count = None;
    if let Some(arg) = argv.get(2) {
        if arg.eq_ignore_ascii_case(b"reset") {
            s.shared.acl.log_reset();
            return s.out.ok();
        }
        match parse_i64(arg) {
            Some(n) => count = Some(n.max(0) as usize),
            None => return s.out.error_str(super::strings::NOT_INTEGER),
        }
    }
    let entries = s.shared.acl.log(count);
    let out = &mut s.out;
    out.array(entries.len());
    for e in &entries {
        out.map(7);
        out.bulk(b"count");
        out.integer(e.count as i64);
        out.bulk(b"reason");
        out.bulk(e.reason.as_str().as_bytes());
        out.bulk(b"context");
        out.bulk(e.context.as_str().as_bytes());
        out.bulk(b"object");
        out.bulk(&e.object);
        out.bulk(b"username");
        out.bulk(&e.username);
        out.bulk(b"age-seconds");
        out.double(e.age_seconds);
        out.bulk(b"client-info");
        out.bulk(&e.client_info);
    }
}

/// ACL <subcommand> ...
pub(crate) fn acl(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
    if let Some(store) = s.shared.acl_store.clone() {
        if crate::redis::server::acl_store::acl_write(s, &store, cmd, argv) {
            return;
        }
    }
    let acl = s.shared.acl.clone();
    match cmd.name.as_str() {
        "setuser" => match acl.setuser(&argv[2], &argv[3..]) {
            Ok(()) => s.out.ok(),
            Err(e) => error(&mut s.out, &e),
        },
        "getuser" => getuser(s, &argv[2]),
        "deluser" => match acl.deluser(&argv[2..]) {
            Ok(n) => s.out.integer(n as i64),
            Err(e) => error(&mut s.out, &e),
        },
        "list" => acl.write_list(&mut ListReply { out: &mut s.out, start: 0 }),
        "users" => bulk_array(&mut s.out, &acl.users()),
        "whoami" => s.out.bulk(s.user.name()),
        "cat" if argv.len() <= 3 => match acl.cat(argv.get(2).map(|a| a.as_slice())) {
            Ok(names) => bulk_array(&mut s.out, &names),
            Err(e) => error(&mut s.out, &e),
        },
        "genpass" if argv.len() <= 3 => match genpass(argv.get(2).map(|a| a.as_slice())) {
            Ok(p) => s.out.bulk(p.as_bytes()),
            Err(e) => error(&mut s.out, &e),
        },
        "log" if argv.len() <= 3 => log(s, argv),
        "dryrun" => match acl.dryrun(&argv[2], &argv[3..]) {
            Ok(DryRun::Allowed) => s.out.ok(),
            Ok(DryRun::Denied { message, .. }) => s.out.bulk(&message),
            Err(e) => error(&mut s.out, &e),
        },
        "save" | "load" => {
            let (path, shown) = {
                let config = s.shared.config.read();
                (config.aclfile_path(), config.aclfile_shown())
            };
            let (Some(path), Some(shown)) = (path, shown) else {
                return error(&mut s.out, &AclError::NoAclFile);
            };
            let save = cmd.name == "save";
            let run = move || {
                let done = if save { acl.save(&path) } else { acl.load_as(&path, &shown) };
                done.map_err(|e| e.to_bytes())
            };
            // The connection awaits the job before its next command (see FileJob).
            FileJob::start(s, run);
        }
        "help" => help_reply(&mut s.out, HELP),
        _ => subcommand_syntax_error(&mut s.out, argv),
    }
}

/// `ACL GENPASS [bits]` with the argument as typed: Redis parses a long (any integer), then
/// refuses what is outside 1..=4096.
fn genpass(bits: Option<&[u8]>) -> Result<String, AclError> {
    let bits = match bits {
        None => i64::from(DEFAULT_GENPASS_BITS),
        Some(b) => parse_i64(b).ok_or(AclError::NotAnInteger)?,
    };
    let bits = u32::try_from(bits).map_err(|_| AclError::GenpassRange)?;
    Acl::genpass(bits)
}
