//! SORT and SORT_RO. This server's keyspace holds only strings, which SORT refuses, so the
//! whole command is: Redis' option parsing (with its errors, including the ACL rule that BY
//! with a pattern and GET need unrestricted read access, spec §5), then WRONGTYPE for an
//! existing key, or the empty result for a missing one (STORE deletes the destination).

use crate::redis::server::keyspace::cached_now;
use crate::redis::server::session::Session;
use super::strings::{cstr, NOT_INTEGER, SYNTAX};
use crate::redis::acl::Command;
use crate::redis::resp::number::parse_i64;

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

fn is(arg: &[u8], word: &str) -> bool {
    cstr(arg).eq_ignore_ascii_case(word.as_bytes())
}

/// The first error SORT's option parsing meets, in Redis' order, or the STORE destination.
fn parse_options<'a>(s: &Session, cmd: &'static Command, argv: &'a [Vec<u8>]) -> Result<Option<&'a [u8]>, &'static str> {
    let readonly = cmd.fullname == "sort_ro";
    let full_access = s.user.sort_unrestricted_read(cmd, argv);
    let mut store: Option<&[u8]> = None;
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if is(a, "asc") || is(a, "desc") || is(a, "alpha") {
        } else if is(a, "limit") && left >= 2 {
            if parse_i64(&argv[j + 1]).is_none() || parse_i64(&argv[j + 2]).is_none() {
                return Err(NOT_INTEGER);
            }
            j += 2;
        } else if !readonly && is(a, "store") && left >= 1 {
            store = Some(&argv[j + 1]);
            j += 1;
        } else if is(a, "by") && left >= 1 {
            // BY without `*` means "don't sort", which needs no extra access.
            if cstr(&argv[j + 1]).contains(&b'*') && !full_access {
                return Err(BY_DENIED);
            }
            j += 1;
        } else if is(a, "get") && left >= 1 {
            if !full_access {
                return Err(GET_DENIED);
            }
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(store)
}

const BY_DENIED: &str = "ERR BY option of SORT denied due to insufficient ACL permissions.";
const GET_DENIED: &str = "ERR GET option of SORT denied due to insufficient ACL permissions.";

/// The ACL refusal SORT / SORT_RO gives from its option parsing (BY with a pattern or GET
/// without unrestricted read access), if parsing meets it before any other error. Proxy
/// mode answers it itself: the upstream, where the client runs as another user, would not.
pub(crate) fn acl_denial(s: &Session, cmd: &'static Command, argv: &[Vec<u8>]) -> Option<&'static str> {
    match parse_options(s, cmd, argv) {
        Err(text) if text == BY_DENIED || text == GET_DENIED => Some(text),
        _ => None,
    }
}

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
/// [STORE destination], and SORT_RO (no STORE).
pub(crate) fn sort(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
    let store = match parse_options(s, cmd, argv) {
        Ok(store) => store,
        Err(text) => return s.out.error_str(text),
    };
    let db = s.shared.keyspace.db(s.db);
    let now = cached_now();
    if db.exists(&argv[1], now) {
        return s.out.error_str(WRONGTYPE);
    }
    match store {
        Some(dest) => {
            db.remove(dest, now);
            s.out.integer(0);
        }
        None => s.out.array(0),
    }
}
