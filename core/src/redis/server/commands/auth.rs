//! AUTH and HELLO.

use crate::redis::server::session::Session;
use crate::redis::acl::{Command, LogContext, LogReason};
use crate::redis::resp::number::parse_i64;
use crate::redis::resp::Protocol;

const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// Checks `user`/`password`; on success switches the connection to that user. A failure adds
/// an ACL LOG entry whose object is `argv0` as typed.
fn authenticate(s: &mut Session, argv0: &[u8], user: &[u8], password: &[u8]) -> bool {
    // A certificate user logs in only by its certificate, whatever passwords it has.
    let by_password =
        if s.shared.tls.is_certificate_user(user) { None } else { s.shared.acl.authenticate_user(user, password) };
    match by_password {
        Some(u) => {
            s.login(u);
            true
        }
        None => {
            // The user name and the client, never the password.
            tracing::warn!(
                "Authentication failed: user '{}', client id={} addr={}",
                String::from_utf8_lossy(user),
                s.handle.id,
                s.handle.addr
            );
            let context = if s.in_exec { LogContext::Multi } else { LogContext::Toplevel };
            s.shared.acl.log_event(LogReason::Auth, context, argv0, user, s.client_line());
            false
        }
    }
}

/// AUTH [username] password
pub(crate) fn auth(s: &mut Session, _c: &'static Command, argv: &[Vec<u8>]) {
    if argv.len() > 3 {
        return s.out.error_str("ERR syntax error");
    }
    let (user, password): (&[u8], &[u8]) = if argv.len() == 2 {
        if s.shared.acl.default_user().has_nopass() {
            return s.out.error_str("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        }
        (b"default", &argv[1])
    } else {
        (&argv[1], &argv[2])
    };
    if authenticate(s, &argv[0], user, password) {
        s.out.ok();
    } else {
        s.out.error_str(WRONGPASS);
    }
}

/// Validates a client name like `clientSetName`: printable ASCII without spaces.
pub(crate) fn valid_client_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// The error for an invalid client name.
pub(crate) const BAD_CLIENT_NAME: &str =
    "ERR Client names cannot contain spaces, newlines or special characters.";

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
pub(crate) fn hello(s: &mut Session, _c: &'static Command, argv: &[Vec<u8>]) {
    let mut version = None;
    if let Some(v) = argv.get(1) {
        let Some(n) = parse_i64(v) else {
            return s.out.error_str("ERR Protocol version is not an integer or out of range");
        };
        if !(2..=3).contains(&n) {
            return s.out.error_str("NOPROTO unsupported protocol version");
        }
        version = Some(if n == 2 { Protocol::Resp2 } else { Protocol::Resp3 });
    }
    let mut j = 2;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = &argv[j];
        if opt.eq_ignore_ascii_case(b"auth") && more >= 2 {
            if !authenticate(s, &argv[0], &argv[j + 1], &argv[j + 2]) {
                return s.out.error_str(WRONGPASS);
            }
            j += 3;
        } else if opt.eq_ignore_ascii_case(b"setname") && more >= 1 {
            let name = &argv[j + 1];
            if !valid_client_name(name) {
                return s.out.error_str(BAD_CLIENT_NAME);
            }
            s.name.clone_from(name);
            s.sync_info();
            j += 2;
        } else {
            let mut e = b"ERR Syntax error in HELLO option '".to_vec();
            e.extend_from_slice(super::strings::cstr(opt));
            e.push(b'\'');
            return s.out.error(&e);
        }
    }
    if !s.authenticated {
        return s.out.error_str("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
    }
    if let Some(p) = version {
        s.out.proto = p;
        s.sync_info();
    }
    let out = &mut s.out;
    out.map(7);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(crate::redis::acl::table().redis_version().as_bytes());
    out.bulk(b"proto");
    out.integer(out.proto.number());
    out.bulk(b"id");
    out.integer(s.handle.id as i64);
    out.bulk(b"mode");
    out.bulk(b"standalone");
    out.bulk(b"role");
    out.bulk(b"master");
    out.bulk(b"modules");
    out.array(0);
}
