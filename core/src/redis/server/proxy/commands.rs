//! The upstream's command table, as its COMMAND reply lists it.
//!
//! Redis looks a command up before any other check, so a command the server lacks is an
//! unknown command, not a NOAUTH or a NOPERM with an ACL LOG entry. In front of an upstream
//! that lacks some of Redis 7.0.15's commands (an older Redis, Valkey, KeyDB, a Redis with
//! `rename-command`), authgate answers those the same way: it reads the upstream's COMMAND
//! once, keeps which of its own commands the upstream has (and with what arity), and
//! dispatch consults that before arity. authgate's table still decides categories, key specs
//! and what is a command at all; a command only the upstream has stays unknown.

use std::collections::HashMap;

use super::reply::UpstreamProtocolError;
use crate::redis::acl::{self, table, Command, ResolveError};
use crate::redis::resp::number::parse_i64;

/// The largest COMMAND reply accepted (Redis 7.0's is about 150 KiB; modules add some).
pub(crate) const MAX_COMMAND_REPLY: usize = 16 * 1024 * 1024;

/// What the upstream has of one of authgate's commands (indexed by [`Command::id`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    /// The upstream has it, with this arity (`None`: the upstream lists the container but not
    /// its subcommands, as Redis before 7 does, so only authgate's arity applies).
    Known(Option<i32>),
    /// The upstream has no command of this name.
    NoCommand,
    /// The upstream has the container but lists no such subcommand.
    NoSubcommand,
}

/// Which of authgate's commands the upstream has.
#[derive(Debug)]
pub(crate) struct UpstreamCommands {
    by_id: Vec<Entry>,
}

impl UpstreamCommands {
    /// The table of an upstream whose COMMAND reply is `reply` (one whole RESP2 reply).
    pub(crate) fn parse(reply: &[u8]) -> Result<UpstreamCommands, UpstreamProtocolError> {
        let (value, _) = Value::parse(reply)?;
        let Value::Array(items) = value else {
            return Err(UpstreamProtocolError("COMMAND did not return an array".into()));
        };
        // name -> (arity, subcommand name -> arity); names are lowercase in every Redis.
        let mut listed: HashMap<Vec<u8>, Listed> = HashMap::new();
        for item in &items {
            let Some((name, arity, subs)) = describe(item) else { continue };
            let subs = subs.map(|subs| {
                subs.iter()
                    .filter_map(describe)
                    .map(|(full, arity, _)| {
                        // Redis 7 names a subcommand `container|sub`.
                        let sub = full.rsplit(|&b| b == b'|').next().unwrap_or(&full).to_vec();
                        (sub, arity)
                    })
                    .collect()
            });
            listed.insert(name.to_ascii_lowercase(), (arity, subs));
        }
        let all = table().all();
        let by_id = all
            .iter()
            .map(|c| {
                let top = c.parent.map_or(c, |p| &all[p]);
                let Some((arity, subs)) = listed.get(top.name.as_bytes()) else { return Entry::NoCommand };
                if c.parent.is_none() {
                    return Entry::Known(Some(*arity));
                }
                match subs {
                    Some(subs) if !subs.is_empty() => match subs.get(c.name.as_bytes()) {
                        Some(a) => Entry::Known(Some(*a)),
                        None => Entry::NoSubcommand,
                    },
                    _ => Entry::Known(None),
                }
            })
            .collect();
        Ok(UpstreamCommands { by_id })
    }

    /// How many of authgate's commands (subcommands included) the upstream lacks.
    pub(crate) fn missing(&self) -> usize {
        self.by_id.iter().filter(|e| !matches!(e, Entry::Known(_))).count()
    }

    /// The error Redis would give for `argv` (resolved by authgate to `cmd`) if the upstream
    /// lacks the command or its arity refuses the line; `None` if the upstream accepts it.
    pub(crate) fn rejection(&self, cmd: &Command, argv: &[Vec<u8>]) -> Option<Rejection> {
        match self.by_id.get(cmd.id).copied().unwrap_or(Entry::Known(None)) {
            Entry::NoCommand => Some(Rejection::Unknown(acl::unknown_command_message(argv, ResolveError::UnknownCommand))),
            Entry::NoSubcommand => {
                Some(Rejection::Unknown(acl::unknown_command_message(argv, ResolveError::UnknownSubcommand)))
            }
            Entry::Known(Some(arity)) if !arity_ok(arity, argv.len()) => Some(Rejection::Arity(acl::arity_message(cmd))),
            Entry::Known(_) => None,
        }
    }
}

/// The strings of a reply that is one array (or RESP3 map, flattened) of bulk or simple
/// strings, such as CONFIG GET's; `None` for any other reply.
pub(super) fn bulk_items(reply: &[u8]) -> Option<Vec<Vec<u8>>> {
    let (Value::Array(items), _) = Value::parse(reply).ok()? else { return None };
    items.into_iter().map(|v| if let Value::Bulk(b) = v { Some(b) } else { None }).collect()
}

/// Why the upstream's table refuses a command line, with the error text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// An unknown command or subcommand (rejected before the command is even counted).
    Unknown(Vec<u8>),
    /// A wrong number of arguments for the command.
    Arity(Vec<u8>),
}

fn arity_ok(arity: i32, argc: usize) -> bool {
    let (arity, argc) = (arity as i64, argc as i64);
    !((arity > 0 && arity != argc) || argc < -arity)
}

/// A command the upstream lists: its arity and, from Redis 7 on, its subcommands' arities.
type Listed = (i32, Option<HashMap<Vec<u8>, i32>>);

/// A COMMAND entry: its name, arity and (Redis 7) subcommand entries.
type Described<'a> = (Vec<u8>, i32, Option<&'a [Value]>);

/// A COMMAND entry's name, arity and (Redis 7) subcommand entries.
fn describe(item: &Value) -> Option<Described<'_>> {
    let Value::Array(fields) = item else { return None };
    let Some(Value::Bulk(name)) = fields.first() else { return None };
    let Some(Value::Int(arity)) = fields.get(1) else { return None };
    let subs = match fields.get(9) {
        Some(Value::Array(subs)) => Some(subs.as_slice()),
        _ => None,
    };
    Some((name.clone(), i32::try_from(*arity).ok()?, subs))
}

/// The parts of a RESP reply COMMAND uses (RESP3 forms included, should an upstream send
/// them): strings, numbers and arrays; anything else is kept as `Other`.
#[derive(Debug, PartialEq)]
enum Value {
    Bulk(Vec<u8>),
    Int(i64),
    Array(Vec<Value>),
    Other,
}

impl Value {
    /// Parses one reply at the start of `buf`; returns it and the bytes it took.
    fn parse(buf: &[u8]) -> Result<(Value, usize), UpstreamProtocolError> {
        let bad = |what: &str| UpstreamProtocolError(format!("COMMAND reply: {what}"));
        let end = buf.windows(2).position(|w| w == b"\r\n").ok_or_else(|| bad("truncated"))?;
        let (kind, text, mut used) = (buf[0], &buf[1..end], end + 2);
        let count = || parse_i64(text).ok_or_else(|| bad("a bad length"));
        let value = match kind {
            b'+' => Value::Bulk(text.to_vec()),
            b':' => Value::Int(count()?),
            b'$' | b'=' | b'!' => {
                let n = count()?;
                if n < 0 {
                    Value::Other
                } else {
                    let n = n as usize;
                    let body = buf.get(used..used + n).ok_or_else(|| bad("truncated"))?;
                    used += n + 2;
                    if buf.len() < used {
                        return Err(bad("truncated"));
                    }
                    Value::Bulk(body.to_vec())
                }
            }
            b'*' | b'~' | b'>' | b'%' | b'|' => {
                let n = count()?;
                let n = if matches!(kind, b'%' | b'|') { n.saturating_mul(2) } else { n };
                let mut items = Vec::new();
                for _ in 0..n.max(0) {
                    let (v, len) = Value::parse(&buf[used..])?;
                    used += len;
                    items.push(v);
                }
                if kind == b'|' {
                    // An attribute precedes the value it describes.
                    let (v, len) = Value::parse(&buf[used..])?;
                    return Ok((v, used + len));
                }
                if n < 0 {
                    Value::Other
                } else {
                    Value::Array(items)
                }
            }
            b'-' | b'_' | b',' | b'#' | b'(' => Value::Other,
            _ => return Err(bad("not RESP")),
        };
        Ok((value, used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(argv: &[&str]) -> Vec<Vec<u8>> {
        argv.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    /// A COMMAND reply listing GET (RESP2, Redis 7 shape) and CONFIG with only GET, and
    /// PING in Redis 5's six-field shape.
    const REPLY: &[u8] = b"*3\r\n\
*10\r\n$3\r\nget\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n*0\r\n*0\r\n\
*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*0\r\n*0\r\n*0\r\n\
*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*0\r\n:0\r\n:0\r\n:0\r\n*0\r\n*0\r\n*0\r\n*0\r\n\
*6\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n";

    #[test]
    fn what_the_upstream_lacks_is_unknown_before_arity() {
        let t = UpstreamCommands::parse(REPLY).unwrap();
        let cmd = |argv: &[&str]| table().resolve(&line(argv)).unwrap();
        assert_eq!(t.rejection(cmd(&["GET", "k"]), &line(&["GET", "k"])), None);
        assert_eq!(t.rejection(cmd(&["PING"]), &line(&["PING"])), None);
        assert_eq!(
            t.rejection(cmd(&["SET", "k"]), &line(&["SET", "k"])),
            Some(Rejection::Unknown(b"ERR unknown command 'SET', with args beginning with: 'k' ".to_vec()))
        );
        assert_eq!(
            t.rejection(cmd(&["CONFIG", "SET", "a"]), &line(&["CONFIG", "SET", "a"])),
            Some(Rejection::Unknown(b"ERR unknown subcommand 'SET'. Try CONFIG HELP.".to_vec()))
        );
        assert_eq!(t.rejection(cmd(&["CONFIG", "GET", "a"]), &line(&["CONFIG", "GET", "a"])), None);
        assert!(t.missing() > 100);
    }

    #[test]
    fn the_upstream_arity_applies() {
        // An upstream whose GET takes any number of arguments, and one whose GET takes three.
        let loose = UpstreamCommands::parse(b"*1\r\n*6\r\n$3\r\nget\r\n:-2\r\n*0\r\n:1\r\n:1\r\n:1\r\n").unwrap();
        let strict = UpstreamCommands::parse(b"*1\r\n*6\r\n$3\r\nget\r\n:3\r\n*0\r\n:1\r\n:1\r\n:1\r\n").unwrap();
        let argv = line(&["GET", "k"]);
        let get = table().resolve(&argv).unwrap();
        assert_eq!(loose.rejection(get, &argv), None);
        assert_eq!(
            strict.rejection(get, &argv),
            Some(Rejection::Arity(b"ERR wrong number of arguments for 'get' command".to_vec()))
        );
    }

    #[test]
    fn a_container_without_listed_subcommands_keeps_them_all() {
        // Redis 6 lists CONFIG with no subcommands: every CONFIG subcommand is the upstream's.
        let t = UpstreamCommands::parse(b"*1\r\n*7\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*0\r\n").unwrap();
        let argv = line(&["CONFIG", "RESETSTAT"]);
        assert_eq!(t.rejection(table().resolve(&argv).unwrap(), &argv), None);
    }

    #[test]
    fn a_reply_that_is_not_a_command_table_is_an_error() {
        assert!(UpstreamCommands::parse(b"-ERR unknown command 'COMMAND'\r\n").is_err());
        assert!(UpstreamCommands::parse(b"*2\r\n*1\r\n").is_err());
        assert!(UpstreamCommands::parse(b"?x\r\n").is_err());
    }
}
