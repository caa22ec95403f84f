//! Connection commands: PING, ECHO, QUIT, RESET, SELECT.

use crate::redis::server::keyspace::DATABASES;
use super::pubsub;
use crate::redis::server::session::Session;
use super::strings::NOT_INTEGER;
use crate::redis::acl::Command;
use crate::redis::resp::number::parse_i64;
use crate::redis::resp::Protocol;

/// PING [message] (RESP2 subscribers get `["pong", message]`).
pub(crate) fn ping(s: &mut Session, _c: &'static Command, argv: &[Vec<u8>]) {
    if argv.len() > 2 {
        return s.out.error_str("ERR wrong number of arguments for 'ping' command");
    }
    if s.in_pubsub() && !s.out.is_resp3() {
        s.out.array(2);
        s.out.bulk(b"pong");
        s.out.bulk(argv.get(1).map_or(&b""[..], |a| a));
    } else if let Some(m) = argv.get(1) {
        s.out.bulk(m);
    } else {
        s.out.simple(b"PONG");
    }
}

/// ECHO message
pub(crate) fn echo(s: &mut Session, _c: &'static Command, argv: &[Vec<u8>]) {
    s.out.bulk(&argv[1]);
}

/// QUIT: `+OK`, then the connection closes.
pub(crate) fn quit(s: &mut Session, _c: &'static Command, _argv: &[Vec<u8>]) {
    s.out.ok();
    s.close = true;
}

/// RESET: back to a fresh connection state (default user, RESP2, db 0, no name, no MULTI, no
/// subscriptions).
pub(crate) fn reset(s: &mut Session, _c: &'static Command, _argv: &[Vec<u8>]) {
    s.multi = None;
    pubsub::unsubscribe_all(s);
    s.db = 0;
    s.out.proto = Protocol::Resp2;
    s.name.clear();
    s.user = s.shared.acl.default_user();
    s.authenticated = !s.shared.acl.default_requires_auth();
    s.sync_info();
    s.out.simple(b"RESET");
}

/// SELECT index
pub(crate) fn select(s: &mut Session, _c: &'static Command, argv: &[Vec<u8>]) {
    let Some(n) = parse_i64(&argv[1]) else {
        return s.out.error_str(NOT_INTEGER);
    };
    if i32::try_from(n).is_err() {
        return s.out.error_str("ERR value is out of range, value must between -2147483648 and 2147483647");
    }
    if n < 0 || n >= DATABASES as i64 {
        return s.out.error_str("ERR DB index is out of range");
    }
    s.db = n as usize;
    s.sync_info();
    s.out.ok();
}
