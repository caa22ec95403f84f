//! Generic keyspace commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, the EXPIRE and TTL
//! families, PERSIST, DBSIZE, FLUSHDB and FLUSHALL, with Redis 7.0's argument rules and texts.

use crate::redis::server::keyspace::{cached_now, Db, Keyspace};
use super::strings::{expire_error, NOT_INTEGER, SYNTAX};
use crate::redis::acl::glob;
use crate::redis::resp::number::{parse_i64, parse_u64, write_u64};
use crate::redis::resp::Encoder;

/// DEL/UNLINK key [key ...]
pub(crate) fn del(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    let now = cached_now();
    let n = argv[1..].iter().filter(|k| db.remove(k, now)).count();
    out.integer(n as i64);
}

/// EXISTS key [key ...] (a key named twice counts twice)
pub(crate) fn exists(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    let now = cached_now();
    let n = argv[1..].iter().filter(|k| db.exists(k, now)).count();
    out.integer(n as i64);
}

/// TYPE key
pub(crate) fn type_(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    if db.exists(&argv[1], cached_now()) {
        out.simple(b"string");
    } else {
        out.simple(b"none");
    }
}

fn pattern_matches(pattern: &[u8], key: &[u8]) -> bool {
    pattern == b"*" || glob::matches(pattern, key)
}

/// KEYS pattern
pub(crate) fn keys(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    let pattern = &argv[1];
    let found = db.keys(cached_now(), |k| pattern_matches(pattern, k));
    out.array(found.len());
    for k in &found {
        out.bulk(k);
    }
}

/// Redis' `parseScanCursorOrReply`: C `strtoul` on the argument as a C string, refusing a
/// leading space, trailing garbage and overflow. So `""` is cursor 0 and `-1` wraps around.
fn parse_scan_cursor(arg: &[u8]) -> Option<u64> {
    let s = match arg.iter().position(|&b| b == 0) {
        Some(n) => &arg[..n],
        None => arg,
    };
    if s.first().is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) {
        return None;
    }
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        // No digits: strtoul consumes nothing, so only the empty string ends cleanly.
        return if s.is_empty() { Some(0) } else { None };
    }
    let v = parse_u64(digits)?;
    Some(if neg { v.wrapping_neg() } else { v })
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
pub(crate) fn scan(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    let Some(cursor) = parse_scan_cursor(&argv[1]) else {
        return out.error_str("ERR invalid cursor");
    };
    let mut count = 10usize;
    let mut pattern: Option<&[u8]> = None;
    let mut type_ok = true;
    let mut j = 2;
    while j < argv.len() {
        let opt = &argv[j];
        let has_value = j + 1 < argv.len();
        if opt.eq_ignore_ascii_case(b"count") && has_value {
            match parse_i64(&argv[j + 1]) {
                None => return out.error_str(NOT_INTEGER),
                Some(n) if n < 1 => return out.error_str(SYNTAX),
                Some(n) => count = usize::try_from(n).unwrap_or(usize::MAX),
            }
        } else if opt.eq_ignore_ascii_case(b"match") && has_value {
            pattern = Some(&argv[j + 1]);
        } else if opt.eq_ignore_ascii_case(b"type") && has_value {
            // Only strings exist here: any other type name selects nothing.
            type_ok = argv[j + 1].eq_ignore_ascii_case(b"string");
        } else {
            return out.error_str(SYNTAX);
        }
        j += 2;
    }
    let page = db.scan(cursor, count, cached_now());
    let keys: Vec<&Vec<u8>> = page
        .keys
        .iter()
        .filter(|k| type_ok && pattern.map_or(true, |p| pattern_matches(p, k)))
        .collect();
    out.array(2);
    let mut c = Vec::with_capacity(20);
    write_u64(&mut c, page.cursor);
    out.bulk(&c);
    out.array(keys.len());
    for k in keys {
        out.bulk(k);
    }
}

/// The flags of EXPIRE and friends.
#[derive(Default)]
struct ExpireFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

/// EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT]
pub(crate) fn expire(db: &Db, argv: &[Vec<u8>], out: &mut Encoder, name: &str, seconds: bool, absolute: bool) {
    let mut f = ExpireFlags::default();
    for opt in &argv[3..] {
        if opt.eq_ignore_ascii_case(b"nx") {
            f.nx = true;
        } else if opt.eq_ignore_ascii_case(b"xx") {
            f.xx = true;
        } else if opt.eq_ignore_ascii_case(b"gt") {
            f.gt = true;
        } else if opt.eq_ignore_ascii_case(b"lt") {
            f.lt = true;
        } else {
            let mut e = b"ERR Unsupported option ".to_vec();
            e.extend_from_slice(super::strings::cstr(opt));
            return out.error(&e);
        }
    }
    if f.nx && (f.xx || f.gt || f.lt) {
        return out.error_str("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if f.gt && f.lt {
        return out.error_str("ERR GT and LT options at the same time are not compatible");
    }
    let Some(mut when) = parse_i64(&argv[2]) else {
        return out.error_str(NOT_INTEGER);
    };
    let now = cached_now();
    if seconds {
        if !(i64::MIN / 1000..=i64::MAX / 1000).contains(&when) {
            return expire_error(out, name);
        }
        when *= 1000;
    }
    let base = if absolute { 0 } else { now };
    if when > i64::MAX - base {
        return expire_error(out, name);
    }
    when += base;
    db.update(&argv[1], now, |slot| {
        let Some(v) = slot else {
            return out.integer(0);
        };
        let current = v.expire_at;
        let refused = (f.nx && current.is_some())
            || (f.xx && current.is_none())
            || (f.gt && current.map_or(true, |c| when <= c))
            || (f.lt && current.is_some_and(|c| when >= c));
        if refused {
            return out.integer(0);
        }
        if when <= now {
            *slot = None;
        } else {
            v.expire_at = Some(when);
        }
        out.integer(1);
    });
}

/// TTL/PTTL key (`ms` for PTTL); EXPIRETIME/PEXPIRETIME with `absolute`.
pub(crate) fn ttl(db: &Db, argv: &[Vec<u8>], out: &mut Encoder, ms: bool, absolute: bool) {
    let now = cached_now();
    let reply = db.read(&argv[1], now, |v| match v {
        None => -2,
        Some(v) => match v.expire_at {
            None => -1,
            Some(t) if absolute => {
                if ms {
                    t
                } else {
                    (t + 500) / 1000
                }
            }
            Some(t) => {
                let left = (t - now).max(0);
                if ms {
                    left
                } else {
                    (left + 500) / 1000
                }
            }
        },
    });
    out.integer(reply);
}

/// PERSIST key
pub(crate) fn persist(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    db.update(&argv[1], cached_now(), |slot| match slot {
        Some(v) if v.expire_at.is_some() => {
            v.expire_at = None;
            out.integer(1);
        }
        _ => out.integer(0),
    });
}

/// DBSIZE
pub(crate) fn dbsize(db: &Db, out: &mut Encoder) {
    out.integer(db.len() as i64);
}

/// Validates FLUSHDB/FLUSHALL's optional ASYNC|SYNC argument.
fn flush_args_ok(argv: &[Vec<u8>], out: &mut Encoder) -> bool {
    match argv.len() {
        1 => true,
        2 if argv[1].eq_ignore_ascii_case(b"sync") || argv[1].eq_ignore_ascii_case(b"async") => true,
        _ => {
            out.error_str(SYNTAX);
            false
        }
    }
}

/// FLUSHDB [ASYNC|SYNC]
pub(crate) fn flushdb(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    if flush_args_ok(argv, out) {
        db.flush();
        out.ok();
    }
}

/// FLUSHALL [ASYNC|SYNC]
pub(crate) fn flushall(ks: &Keyspace, argv: &[Vec<u8>], out: &mut Encoder) {
    if flush_args_ok(argv, out) {
        ks.flush_all();
        out.ok();
    }
}

#[cfg(test)]
mod tests {
    use super::parse_scan_cursor;

    #[test]
    fn scan_cursor_is_strtoul() {
        assert_eq!(parse_scan_cursor(b""), Some(0));
        assert_eq!(parse_scan_cursor(b"17"), Some(17));
        assert_eq!(parse_scan_cursor(b"+17"), Some(17));
        assert_eq!(parse_scan_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_scan_cursor(b"5\0junk"), Some(5));
        assert_eq!(parse_scan_cursor(b" 1"), None);
        assert_eq!(parse_scan_cursor(b"1 "), None);
        assert_eq!(parse_scan_cursor(b"-"), None);
        assert_eq!(parse_scan_cursor(b"abc"), None);
        assert_eq!(parse_scan_cursor(b"18446744073709551616"), None);
    }
}
