//! String commands: GET, SET and its options, the INCR family, APPEND, STRLEN, MGET, MSET, ...
//!
//! Error texts and edge cases follow Redis 7.0 (`t_string.c`): option parsing order, the
//! `invalid expire time in '<cmd>' command` checks, integer and float parsing, overflow errors.

use crate::redis::server::keyspace::{cached_now, Db, Value};
pub(crate) use crate::redis::cstr::c_str as cstr;
mod long_double;

use long_double::incr_by_float;
use crate::redis::resp::number::parse_i64;
use crate::redis::resp::Encoder;

pub(crate) const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
pub(crate) const SYNTAX: &str = "ERR syntax error";
const NOT_FLOAT: &str = "ERR value is not a valid float";


fn eq(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

pub(crate) fn expire_error(out: &mut Encoder, cmd: &str) {
    out.error_str(&format!("ERR invalid expire time in '{cmd}' command"));
}

/// GET key
pub(crate) fn get(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    db.read(&argv[1], cached_now(), |v| match v {
        Some(v) => out.bulk(&v.data),
        None => out.null(),
    });
}

/// GETDEL key
pub(crate) fn getdel(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    db.update(&argv[1], cached_now(), |slot| match slot.take() {
        Some(v) => out.bulk(&v.data),
        None => out.null(),
    });
}

#[derive(Default)]
struct SetFlags {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    /// (unit is seconds, absolute, value argument)
    expire: Option<(bool, bool, usize)>,
}

/// Parses SET's options like `parseExtendedStringArgumentsOrReply`.
fn parse_set_flags(argv: &[Vec<u8>]) -> Result<SetFlags, &'static str> {
    let mut f = SetFlags::default();
    let mut j = 3;
    while j < argv.len() {
        let opt = &argv[j][..];
        let has_next = j + 1 < argv.len();
        let exp_kind = f.expire.map(|(s, a, _)| (s, a));
        if eq(opt, "nx") && !f.xx {
            f.nx = true;
        } else if eq(opt, "xx") && !f.nx {
            f.xx = true;
        } else if eq(opt, "get") {
            f.get = true;
        } else if eq(opt, "keepttl") && f.expire.is_none() {
            f.keepttl = true;
        } else if !f.keepttl && has_next {
            let kind = if eq(opt, "ex") {
                (true, false)
            } else if eq(opt, "px") {
                (false, false)
            } else if eq(opt, "exat") {
                (true, true)
            } else if eq(opt, "pxat") {
                (false, true)
            } else {
                return Err(SYNTAX);
            };
            // Each expire option excludes the other three but may be repeated.
            if exp_kind.is_some_and(|k| k != kind) {
                return Err(SYNTAX);
            }
            f.expire = Some((kind.0, kind.1, j + 1));
            j += 1;
        } else {
            return Err(SYNTAX);
        }
        j += 1;
    }
    Ok(f)
}

/// Converts an expire argument to absolute Unix ms like `getExpireMillisecondsOrReply`.
pub(crate) fn expire_ms(arg: &[u8], seconds: bool, absolute: bool, now: i64) -> Result<i64, bool> {
    let mut ms = parse_i64(arg).ok_or(false)?;
    if ms <= 0 || (seconds && ms > i64::MAX / 1000) {
        return Err(true);
    }
    if seconds {
        ms *= 1000;
    }
    if !absolute {
        ms = ms.wrapping_add(now);
    }
    if ms <= 0 {
        return Err(true);
    }
    Ok(ms)
}

/// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
pub(crate) fn set(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    let flags = match parse_set_flags(argv) {
        Ok(f) => f,
        Err(e) => return out.error_str(e),
    };
    let now = cached_now();
    let expire_at = match flags.expire {
        None => None,
        Some((seconds, absolute, idx)) => match expire_ms(&argv[idx], seconds, absolute, now) {
            Ok(t) => Some(t),
            Err(false) => return out.error_str(NOT_INTEGER),
            Err(true) => return expire_error(out, "set"),
        },
    };
    let value = &argv[2];
    db.update(&argv[1], now, |slot| {
        if flags.get {
            match slot {
                Some(v) => out.bulk(&v.data),
                None => out.null(),
            }
        }
        let found = slot.is_some();
        if (flags.nx && found) || (flags.xx && !found) {
            if !flags.get {
                out.null();
            }
            return;
        }
        let ttl = if flags.keepttl { slot.as_ref().and_then(|v| v.expire_at) } else { expire_at };
        match slot {
            Some(v) => {
                v.data.clear();
                v.data.extend_from_slice(value);
                v.expire_at = ttl;
            }
            None => *slot = Some(Value { data: value.clone(), expire_at: ttl }),
        }
        if !flags.get {
            out.ok();
        }
    });
}

/// SETNX key value
pub(crate) fn setnx(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    db.update(&argv[1], cached_now(), |slot| {
        if slot.is_some() {
            out.integer(0);
        } else {
            *slot = Some(Value::new(argv[2].clone()));
            out.integer(1);
        }
    });
}

/// SETEX key seconds value / PSETEX key ms value
pub(crate) fn setex(db: &Db, argv: &[Vec<u8>], out: &mut Encoder, seconds: bool) {
    let now = cached_now();
    let name = if seconds { "setex" } else { "psetex" };
    let t = match expire_ms(&argv[2], seconds, false, now) {
        Ok(t) => t,
        Err(false) => return out.error_str(NOT_INTEGER),
        Err(true) => return expire_error(out, name),
    };
    db.set(&argv[1], Value { data: argv[3].clone(), expire_at: Some(t) });
    out.ok();
}

/// GETSET key value
pub(crate) fn getset(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    db.update(&argv[1], cached_now(), |slot| {
        match slot {
            Some(v) => out.bulk(&v.data),
            None => out.null(),
        }
        *slot = Some(Value::new(argv[2].clone()));
    });
}

/// INCR/DECR/INCRBY/DECRBY: `by` is the increment, already parsed.
pub(crate) fn incr_by(db: &Db, key: &[u8], by: i64, out: &mut Encoder) {
    db.update(key, cached_now(), |slot| {
        let old = match slot {
            Some(v) => match parse_i64(&v.data) {
                Some(n) => n,
                None => return out.error_str(NOT_INTEGER),
            },
            None => 0,
        };
        let Some(new) = old.checked_add(by) else {
            return out.error_str("ERR increment or decrement would overflow");
        };
        let mut buf = Vec::with_capacity(20);
        crate::redis::resp::number::write_i64(&mut buf, new);
        match slot {
            Some(v) => v.data = buf,
            None => *slot = Some(Value::new(buf)),
        }
        out.integer(new);
    });
}

/// INCRBY/DECRBY argument parsing; `negate` for DECRBY.
pub(crate) fn incr_by_arg(db: &Db, argv: &[Vec<u8>], out: &mut Encoder, negate: bool) {
    let Some(n) = parse_i64(&argv[2]) else {
        return out.error_str(NOT_INTEGER);
    };
    if negate && n == i64::MIN {
        return out.error_str("ERR decrement would overflow");
    }
    incr_by(db, &argv[1], if negate { -n } else { n }, out);
}

/// INCRBYFLOAT key increment
pub(crate) fn incrbyfloat(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    db.update(&argv[1], cached_now(), |slot| {
        let text = match incr_by_float(slot.as_ref().map(|v| v.data.as_slice()), &argv[2]) {
            Ok(t) => t.into_bytes(),
            Err(None) => return out.error_str(NOT_FLOAT),
            Err(Some(())) => return out.error_str("ERR increment would produce NaN or Infinity"),
        };
        out.bulk(&text);
        match slot {
            Some(v) => v.data = text,
            None => *slot = Some(Value::new(text)),
        }
    });
}

/// APPEND key value
pub(crate) fn append(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    db.update(&argv[1], cached_now(), |slot| {
        let v = slot.get_or_insert_with(Value::default);
        if v.data.len() + argv[2].len() > crate::redis::resp::parse::PROTO_MAX_BULK_LEN as usize {
            return out.error_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        }
        v.data.extend_from_slice(&argv[2]);
        out.integer(v.data.len() as i64);
    });
}

/// STRLEN key
pub(crate) fn strlen(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    let n = db.read(&argv[1], cached_now(), |v| v.map_or(0, |v| v.data.len()));
    out.integer(n as i64);
}

/// MGET key [key ...]
pub(crate) fn mget(db: &Db, argv: &[Vec<u8>], out: &mut Encoder) {
    let now = cached_now();
    out.array(argv.len() - 1);
    for k in &argv[1..] {
        db.read(k, now, |v| match v {
            Some(v) => out.bulk(&v.data),
            None => out.null(),
        });
    }
}

/// MSET key value [key value ...] and MSETNX (`nx`).
pub(crate) fn mset(db: &Db, argv: &[Vec<u8>], out: &mut Encoder, nx: bool) {
    if argv.len() % 2 == 0 {
        let name = if nx { "msetnx" } else { "mset" };
        return out.error_str(&format!("ERR wrong number of arguments for '{name}' command"));
    }
    let keys: Vec<&[u8]> = argv[1..].iter().step_by(2).map(|k| &k[..]).collect();
    let done = db.atomically(&keys, cached_now(), |l| {
        if nx && keys.iter().any(|k| l.exists(k)) {
            return false;
        }
        for pair in argv[1..].chunks(2) {
            l.set(&pair[0], Value::new(pair[1].clone()));
        }
        true
    });
    if nx {
        out.integer(i64::from(done));
    } else {
        out.ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::resp::Protocol;
    use crate::redis::server::keyspace::Keyspace;

    fn run(db: &Db, f: fn(&Db, &[Vec<u8>], &mut Encoder), args: &[&str]) -> String {
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let mut out = Encoder::new(Protocol::Resp2);
        f(db, &argv, &mut out);
        String::from_utf8(out.buf).unwrap()
    }

    #[test]
    fn set_options() {
        let ks = Keyspace::new();
        let db = ks.db(0);
        assert_eq!(run(db, set, &["set", "k", "v"]), "+OK\r\n");
        assert_eq!(run(db, set, &["set", "k", "w", "nx"]), "$-1\r\n");
        assert_eq!(run(db, set, &["set", "k", "w", "nx", "get"]), "$1\r\nv\r\n");
        assert_eq!(run(db, set, &["set", "k", "w", "xx", "get"]), "$1\r\nv\r\n");
        assert_eq!(run(db, get, &["get", "k"]), "$1\r\nw\r\n");
        assert_eq!(run(db, set, &["set", "k", "v", "nx", "xx"]), "-ERR syntax error\r\n");
        assert_eq!(run(db, set, &["set", "k", "v", "ex", "get"]), format!("-{NOT_INTEGER}\r\n"));
        assert_eq!(run(db, set, &["set", "k", "v", "ex", "0"]), "-ERR invalid expire time in 'set' command\r\n");
        assert_eq!(run(db, set, &["set", "k", "v", "ex", "1", "px", "1"]), "-ERR syntax error\r\n");
        assert_eq!(run(db, set, &["set", "k", "v", "ex", "1", "ex", "2"]), "+OK\r\n");
        assert_eq!(run(db, set, &["set", "k", "v", "keepttl", "ex", "2"]), "-ERR syntax error\r\n");
        assert_eq!(run(db, set, &["set", "k", "v", "ex"]), "-ERR syntax error\r\n");
        assert_eq!(
            run(db, set, &["set", "k", "v", "ex", "9223372036854775"]),
            "-ERR invalid expire time in 'set' command\r\n"
        );
    }

    #[test]
    fn counters() {
        let ks = Keyspace::new();
        let db = ks.db(0);
        assert_eq!(run(db, |d, a, o| incr_by(d, &a[1], 1, o), &["incr", "n"]), ":1\r\n");
        assert_eq!(run(db, |d, a, o| incr_by_arg(d, a, o, false), &["incrby", "n", "41"]), ":42\r\n");
        assert_eq!(run(db, |d, a, o| incr_by_arg(d, a, o, true), &["decrby", "n", "x"]), format!("-{NOT_INTEGER}\r\n"));
        assert_eq!(
            run(db, |d, a, o| incr_by_arg(d, a, o, false), &["incrby", "n", "9223372036854775807"]),
            "-ERR increment or decrement would overflow\r\n"
        );
        assert_eq!(run(db, incrbyfloat, &["incrbyfloat", "f", "10.5"]), "$4\r\n10.5\r\n");
        assert_eq!(run(db, incrbyfloat, &["incrbyfloat", "f", "0.1"]), "$4\r\n10.6\r\n");
        assert_eq!(run(db, append, &["append", "f", "x"]), ":5\r\n");
        assert_eq!(run(db, strlen, &["strlen", "f"]), ":5\r\n");
        assert_eq!(run(db, |d, a, o| mset(d, a, o, true), &["msetnx", "f", "1", "g", "2"]), ":0\r\n");
        assert_eq!(run(db, |d, a, o| mset(d, a, o, false), &["mset", "f", "1", "g"]), "-ERR wrong number of arguments for 'mset' command\r\n");
        assert_eq!(run(db, mget, &["mget", "f", "nope"]), "*2\r\n$5\r\n10.6x\r\n$-1\r\n");
    }
}
