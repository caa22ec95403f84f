//! The CLIENT command: ID, SETNAME, GETNAME, LIST, INFO, KILL, HELP.

use std::sync::Arc;

use super::acl::help_reply;
use super::auth::{valid_client_name, BAD_CLIENT_NAME};
use crate::redis::server::clients::ClientHandle;
use crate::redis::server::session::Session;
use super::strings::{cstr, SYNTAX};
use crate::redis::acl::Command;
use crate::redis::resp::number::parse_i64;

const HELP: &[&str] = &[
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
];

/// Client types of CLIENT LIST/KILL TYPE.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClientType {
    Normal,
    Pubsub,
    /// master / replica / slave: never matches here.
    Other,
}

fn parse_type(name: &[u8]) -> Option<ClientType> {
    let n = name.to_ascii_lowercase();
    match n.as_slice() {
        b"normal" => Some(ClientType::Normal),
        b"pubsub" => Some(ClientType::Pubsub),
        b"master" | b"replica" | b"slave" => Some(ClientType::Other),
        _ => None,
    }
}

fn type_of(c: &ClientHandle) -> ClientType {
    let i = c.info.lock();
    if i.sub + i.psub + i.ssub > 0 {
        ClientType::Pubsub
    } else {
        ClientType::Normal
    }
}

fn unknown_type(s: &mut Session, name: &[u8]) {
    let mut e = b"ERR Unknown client type '".to_vec();
    e.extend_from_slice(cstr(name));
    e.push(b'\'');
    s.out.error(&e);
}

fn line_of(s: &Session, c: &Arc<ClientHandle>) -> Vec<u8> {
    if c.id == s.handle.id {
        s.client_line()
    } else {
        c.line(0, 0)
    }
}

fn list(s: &mut Session, argv: &[Vec<u8>]) {
    let mut clients = s.shared.clients.all();
    if argv.len() == 4 && argv[2].eq_ignore_ascii_case(b"type") {
        let Some(t) = parse_type(&argv[3]) else { return unknown_type(s, &argv[3]) };
        clients.retain(|c| type_of(c) == t);
    } else if argv.len() > 3 && argv[2].eq_ignore_ascii_case(b"id") {
        let mut ids = Vec::new();
        for a in &argv[3..] {
            match parse_i64(a) {
                Some(n) if n >= 1 => ids.push(n as u64),
                _ => return s.out.error_str("ERR Invalid client ID"),
            }
        }
        clients.retain(|c| ids.contains(&c.id));
    } else if argv.len() != 2 {
        return s.out.error_str(SYNTAX);
    }
    let mut text = Vec::new();
    for c in &clients {
        text.extend_from_slice(&line_of(s, c));
        text.push(b'\n');
    }
    s.out.verbatim(b"txt", &text);
}

#[derive(Default)]
struct KillFilter {
    id: Option<u64>,
    kind: Option<ClientType>,
    user: Option<Vec<u8>>,
    addr: Option<Vec<u8>>,
    laddr: Option<Vec<u8>>,
    skipme: bool,
}

fn kill(s: &mut Session, argv: &[Vec<u8>]) {
    let clients = s.shared.clients.all();
    if argv.len() == 3 {
        // Old form: CLIENT KILL ip:port
        let target = &argv[2];
        match clients.iter().find(|c| c.addr.to_string().as_bytes() == target.as_slice()) {
            Some(c) => {
                s.shared.disconnect(c);
                s.out.ok();
            }
            None => s.out.error_str("ERR No such client"),
        }
        return;
    }
    if argv.len() % 2 != 0 {
        return s.out.error_str(SYNTAX);
    }
    let mut f = KillFilter { skipme: true, ..KillFilter::default() };
    for pair in argv[2..].chunks(2) {
        let (opt, val) = (&pair[0], &pair[1]);
        let opt = opt.to_ascii_lowercase();
        match opt.as_slice() {
            b"id" => match parse_i64(val) {
                Some(n) if n > 0 => f.id = Some(n as u64),
                _ => return s.out.error_str("ERR client-id should be greater than 0"),
            },
            b"type" => match parse_type(val) {
                Some(t) => f.kind = Some(t),
                None => return unknown_type(s, val),
            },
            b"user" => {
                if s.shared.acl.user(val).is_none() {
                    let mut e = b"ERR No such user '".to_vec();
                    e.extend_from_slice(cstr(val));
                    e.push(b'\'');
                    return s.out.error(&e);
                }
                f.user = Some(val.clone());
            }
            b"addr" => f.addr = Some(val.clone()),
            b"laddr" => f.laddr = Some(val.clone()),
            b"skipme" => {
                if val.eq_ignore_ascii_case(b"yes") {
                    f.skipme = true;
                } else if val.eq_ignore_ascii_case(b"no") {
                    f.skipme = false;
                } else {
                    return s.out.error_str(SYNTAX);
                }
            }
            _ => return s.out.error_str(SYNTAX),
        }
    }
    let mut killed = 0;
    for c in &clients {
        if f.id.is_some_and(|id| id != c.id)
            || f.kind.is_some_and(|t| t != type_of(c))
            || f.addr.as_ref().is_some_and(|a| c.addr.to_string().as_bytes() != a.as_slice())
            || f.laddr.as_ref().is_some_and(|a| c.laddr.to_string().as_bytes() != a.as_slice())
            || (f.skipme && c.id == s.handle.id)
        {
            continue;
        }
        if let Some(u) = &f.user {
            let same = c.info.lock().user.as_ref().is_some_and(|cu| cu.name() == u.as_slice());
            if !same {
                continue;
            }
        }
        s.shared.disconnect(c);
        killed += 1;
    }
    s.out.integer(killed);
}

/// CLIENT <subcommand> ...
pub(crate) fn client(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
    match cmd.name.as_str() {
        "id" => s.out.integer(s.handle.id as i64),
        "getname" => {
            if s.name.is_empty() {
                s.out.null();
            } else {
                s.out.bulk(&s.name.clone());
            }
        }
        "setname" => {
            let name = &argv[2];
            if !valid_client_name(name) {
                return s.out.error_str(BAD_CLIENT_NAME);
            }
            s.name.clone_from(name);
            s.sync_info();
            s.out.ok();
        }
        "list" => list(s, argv),
        "info" => {
            let mut line = s.client_line();
            line.push(b'\n');
            s.out.verbatim(b"txt", &line);
        }
        "kill" => kill(s, argv),
        "help" => help_reply(&mut s.out, HELP),
        _ => {
            let msg = format!("ERR command '{}' is not supported by this server", cmd.fullname);
            s.out.error_str(&msg);
        }
    }
}
