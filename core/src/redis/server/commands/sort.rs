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

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
/// [STORE destination], and SORT_RO (no STORE).
pub(crate) fn sort(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
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
                return s.out.error_str(NOT_INTEGER);
            }
            j += 2;
        } else if !readonly && is(a, "store") && left >= 1 {
            store = Some(&argv[j + 1]);
            j += 1;
        } else if is(a, "by") && left >= 1 {
            // BY without `*` means "don't sort", which needs no extra access.
            if cstr(&argv[j + 1]).contains(&b'*') && !full_access {
                return s.out.error_str("ERR BY option of SORT denied due to insufficient ACL permissions.");
            }
            j += 1;
        } else if is(a, "get") && left >= 1 {
            if !full_access {
                return s.out.error_str("ERR GET option of SORT denied due to insufficient ACL permissions.");
            }
            j += 1;
        } else {
            return s.out.error_str(SYNTAX);
        }
        j += 1;
    }
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
