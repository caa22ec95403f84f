//! Which arguments of a command line are keys, and with which access flags.
//!
//! This follows Redis 7.0's `getKeysFromCommandWithSpecs`: the key specs are evaluated when the
//! command has at least one real key spec and none with VARIABLE_FLAGS; if a spec cannot be
//! evaluated (unknown spec, bad numkeys, out-of-range positions, INCOMPLETE) the command's
//! getkeys function is used instead. The getkeys functions that matter for ACLs are reproduced
//! here (SET ... GET, BITFIELD, SORT ... STORE, MIGRATE ... KEYS, numkeys commands, ...).

use serde::Deserialize;

use crate::redis::cstr::c_str as cstr;
use smallvec::SmallVec;

/// Key-spec flag: the value is read (ACL needs R).
pub const KEY_ACCESS: u16 = 1 << 0;
/// Key-spec flag: the value is updated (ACL needs W).
pub const KEY_UPDATE: u16 = 1 << 1;
/// Key-spec flag: a value is inserted (ACL needs W).
pub const KEY_INSERT: u16 = 1 << 2;
/// Key-spec flag: the key is deleted (ACL needs W).
pub const KEY_DELETE: u16 = 1 << 3;
/// Key-spec flag: not a key (sharded channels); ignored by ACL.
pub const KEY_NOT_KEY: u16 = 1 << 4;
/// Key-spec flag: the spec may miss keys; the getkeys function decides.
pub const KEY_INCOMPLETE: u16 = 1 << 5;
/// Key-spec flag: flags depend on arguments; the getkeys function decides.
pub const KEY_VARIABLE_FLAGS: u16 = 1 << 6;
/// Key-spec flag: read-only access (COMMAND GETKEYSANDFLAGS `RO`; ACL looks at ACCESS..DELETE).
pub const KEY_RO: u16 = 1 << 7;
/// Key-spec flag: read-write access (`RW`).
pub const KEY_RW: u16 = 1 << 8;
/// Key-spec flag: overwrite (`OW`).
pub const KEY_OW: u16 = 1 << 9;
/// Key-spec flag: remove (`RM`).
pub const KEY_RM: u16 = 1 << 10;

/// The flag names in Redis' order (COMMAND GETKEYSANDFLAGS, `addReplyFlagsForKeyArgs`).
pub const KEY_FLAG_NAMES: &[(u16, &str)] = &[
    (KEY_RO, "RO"),
    (KEY_RW, "RW"),
    (KEY_OW, "OW"),
    (KEY_RM, "RM"),
    (KEY_ACCESS, "access"),
    (KEY_UPDATE, "update"),
    (KEY_INSERT, "insert"),
    (KEY_DELETE, "delete"),
    (KEY_NOT_KEY, "not_key"),
    (KEY_INCOMPLETE, "incomplete"),
    (KEY_VARIABLE_FLAGS, "variable_flags"),
];

/// Where a key spec starts looking.
#[derive(Clone, Debug)]
pub(crate) enum BeginSearch {
    Index(i32),
    Keyword { keyword: Vec<u8>, startfrom: i32 },
    Unknown,
}

/// How a key spec finds keys from its start.
#[derive(Clone, Debug)]
pub(crate) enum FindKeys {
    Range { lastkey: i32, keystep: i32, limit: i32 },
    Keynum { keynumidx: i32, firstkey: i32, keystep: i32 },
    Unknown,
}

/// One key spec of a command (from COMMAND INFO).
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "RawSpec")]
pub(crate) struct KeySpec {
    pub(crate) flags: u16,
    pub(crate) begin: BeginSearch,
    pub(crate) find: FindKeys,
}

impl KeySpec {
    pub(crate) fn is_not_key(&self) -> bool {
        self.flags & KEY_NOT_KEY != 0
    }
}

#[derive(Deserialize)]
struct RawSpec {
    flags: Vec<String>,
    begin_search: RawBegin,
    find_keys: RawFind,
}

#[derive(Deserialize)]
struct RawBegin {
    index: Option<i32>,
    keyword: Option<String>,
    startfrom: Option<i32>,
}

#[derive(Deserialize)]
struct RawFind {
    range: Option<RawRange>,
    keynum: Option<RawKeynum>,
}

#[derive(Deserialize)]
struct RawRange {
    lastkey: i32,
    keystep: i32,
    limit: i32,
}

#[derive(Deserialize)]
struct RawKeynum {
    keynumidx: i32,
    firstkey: i32,
    keystep: i32,
}

impl TryFrom<RawSpec> for KeySpec {
    type Error = String;

    fn try_from(r: RawSpec) -> Result<KeySpec, String> {
        let mut flags = 0;
        for f in &r.flags {
            flags |= match f.as_str() {
                "access" => KEY_ACCESS,
                "update" => KEY_UPDATE,
                "insert" => KEY_INSERT,
                "delete" => KEY_DELETE,
                "not_key" => KEY_NOT_KEY,
                "incomplete" => KEY_INCOMPLETE,
                "variable_flags" => KEY_VARIABLE_FLAGS,
                "RO" => KEY_RO,
                "RW" => KEY_RW,
                "OW" => KEY_OW,
                "RM" => KEY_RM,
                other => return Err(format!("unknown key-spec flag {other}")),
            };
        }
        let begin = match (r.begin_search.index, r.begin_search.keyword) {
            (Some(i), _) => BeginSearch::Index(i),
            (None, Some(k)) => BeginSearch::Keyword {
                keyword: k.into_bytes(),
                startfrom: r.begin_search.startfrom.unwrap_or(0),
            },
            (None, None) => BeginSearch::Unknown,
        };
        let find = match (r.find_keys.range, r.find_keys.keynum) {
            (Some(g), _) => FindKeys::Range { lastkey: g.lastkey, keystep: g.keystep, limit: g.limit },
            (None, Some(k)) => {
                FindKeys::Keynum { keynumidx: k.keynumidx, firstkey: k.firstkey, keystep: k.keystep }
            }
            (None, None) => FindKeys::Unknown,
        };
        Ok(KeySpec { flags, begin, find })
    }
}

/// The per-command getkeys functions of Redis 7.0 that the ACL check can reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GetKeys {
    Set,
    Bitfield,
    Sort,
    SortRo,
    Migrate,
    Georadius,
    Xread,
    /// Redis' `genericGetKeys(storeKeyOfs, keyCountOfs, firstKeyOfs, keyStep)`.
    Generic { store: usize, count: usize, first: usize, step: usize },
}

impl GetKeys {
    pub(crate) fn for_command(name: &str) -> Option<GetKeys> {
        let generic = |store, count, first| Some(GetKeys::Generic { store, count, first, step: 1 });
        match name {
            "set" => Some(GetKeys::Set),
            "bitfield" => Some(GetKeys::Bitfield),
            "sort" => Some(GetKeys::Sort),
            "sort_ro" => Some(GetKeys::SortRo),
            "migrate" => Some(GetKeys::Migrate),
            "georadius" | "georadiusbymember" => Some(GetKeys::Georadius),
            "xread" | "xreadgroup" => Some(GetKeys::Xread),
            "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro" => generic(0, 2, 3),
            "zunionstore" | "zinterstore" | "zdiffstore" => generic(1, 2, 3),
            "zunion" | "zinter" | "zdiff" | "sintercard" | "zintercard" | "lmpop" | "zmpop" => {
                generic(0, 1, 2)
            }
            "blmpop" | "bzmpop" => generic(0, 2, 3),
            _ => None,
        }
    }
}

/// A key found in a command line: its argument position and key-spec flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRef {
    /// Index in argv.
    pub pos: usize,
    /// `KEY_*` flags.
    pub flags: u16,
}

/// The keys of one command line; inline for the common small cases.
pub type Keys = SmallVec<[KeyRef; 8]>;

/// Extracts the keys of `argv` for `cmd`, as Redis' ACL check sees them.
pub(crate) fn extract<A: AsRef<[u8]>>(cmd: &super::commands::Command, argv: &[A]) -> Keys {
    let mut out = Keys::new();
    let has_spec = cmd.key_specs.iter().any(|s| !s.is_not_key());
    let variable = cmd.key_specs.iter().any(|s| s.flags & KEY_VARIABLE_FLAGS != 0);
    if has_spec && !variable {
        if from_specs(cmd, argv, &mut out) {
            return out;
        }
        out.clear();
    }
    if let Some(gk) = cmd.getkeys {
        from_function(gk, argv, &mut out);
    }
    out
}

/// Evaluates the key specs; false if a spec is invalid for this argv (Redis returns -1).
fn from_specs<A: AsRef<[u8]>>(cmd: &super::commands::Command, argv: &[A], out: &mut Keys) -> bool {
    let argc = argv.len() as i64;
    for spec in &cmd.key_specs {
        if spec.is_not_key() {
            continue;
        }
        let mut first: i64 = match &spec.begin {
            BeginSearch::Index(i) => *i as i64,
            BeginSearch::Keyword { keyword, startfrom } => {
                let startfrom = *startfrom as i64;
                let (start, end) =
                    if startfrom > 0 { (startfrom, argc - 1) } else { (argc + startfrom, 1) };
                let mut found = 0;
                let mut i = start;
                while i != end {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if argv[i as usize].as_ref().eq_ignore_ascii_case(keyword) {
                        found = i + 1;
                        break;
                    }
                    i = if start <= end { i + 1 } else { i - 1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            BeginSearch::Unknown => return false,
        };
        let (last, step) = match spec.find {
            FindKeys::Range { lastkey, keystep, limit } => {
                let last = if lastkey >= 0 {
                    first + lastkey as i64
                } else if limit == 0 {
                    argc + lastkey as i64
                } else {
                    first + ((argc - first) / limit as i64 + lastkey as i64)
                };
                (last, keystep as i64)
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                if keynumidx as i64 >= argc - first {
                    return false;
                }
                let idx = (first + keynumidx as i64) as usize;
                let numkeys = match parse_i64(argv[idx].as_ref()) {
                    Some(n) if n >= 0 => n,
                    _ => return false,
                };
                first += firstkey as i64;
                // Redis casts numkeys to int here.
                (first + (numkeys as i32) as i64 - 1, keystep as i64)
            }
            FindKeys::Unknown => return false,
        };
        if last >= argc || last < first || first >= argc {
            return false;
        }
        if step <= 0 {
            return false;
        }
        let mut i = first;
        while i <= last {
            out.push(KeyRef { pos: i as usize, flags: spec.flags });
            i += step;
        }
        if spec.flags & KEY_INCOMPLETE != 0 {
            return false;
        }
    }
    true
}

fn eq_nocase<A: AsRef<[u8]>>(arg: &A, word: &[u8]) -> bool {
    arg.as_ref().eq_ignore_ascii_case(word)
}


fn from_function<A: AsRef<[u8]>>(gk: GetKeys, argv: &[A], out: &mut Keys) {
    let argc = argv.len();
    match gk {
        GetKeys::Set => {
            let options = argv.get(3..).unwrap_or_default();
            let get = options.iter().any(|a| cstr(a.as_ref()).eq_ignore_ascii_case(b"get"));
            let flags = if get { KEY_RW | KEY_ACCESS | KEY_UPDATE } else { KEY_OW | KEY_UPDATE };
            out.push(KeyRef { pos: 1, flags });
        }
        GetKeys::Bitfield => {
            let mut readonly = true;
            let mut i = 2;
            while i < argc {
                let rem = argc - i - 1;
                let a = cstr(argv[i].as_ref());
                if a.eq_ignore_ascii_case(b"get") && rem >= 2 {
                    i += 2;
                } else if (a.eq_ignore_ascii_case(b"set") || a.eq_ignore_ascii_case(b"incrby"))
                    && rem >= 3
                {
                    readonly = false;
                    break;
                } else if a.eq_ignore_ascii_case(b"overflow") && rem >= 1 {
                    i += 1;
                } else {
                    readonly = false;
                    break;
                }
                i += 1;
            }
            let flags = if readonly { KEY_RO | KEY_ACCESS } else { KEY_RW | KEY_ACCESS | KEY_UPDATE };
            out.push(KeyRef { pos: 1, flags });
        }
        GetKeys::Sort => {
            out.push(KeyRef { pos: 1, flags: KEY_RO | KEY_ACCESS });
            let mut store = None;
            let mut i = 2;
            while i < argc {
                let a = cstr(argv[i].as_ref());
                // Redis tests "store" inside its loop over the skip list, so it is only seen
                // when the argument is not "limit".
                if a.eq_ignore_ascii_case(b"limit") {
                    i += 2;
                } else if a.eq_ignore_ascii_case(b"store") && i + 1 < argc {
                    store = Some(i + 1);
                } else if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
                    i += 1;
                }
                i += 1;
            }
            if let Some(pos) = store {
                out.push(KeyRef { pos, flags: KEY_OW | KEY_UPDATE });
            }
        }
        GetKeys::SortRo => out.push(KeyRef { pos: 1, flags: KEY_RO | KEY_ACCESS }),
        GetKeys::Migrate => {
            let (mut first, mut num) = (3usize, 1usize);
            if argc > 6 {
                let mut i = 6;
                while i < argc {
                    let a = cstr(argv[i].as_ref());
                    if a.eq_ignore_ascii_case(b"keys") {
                        if !argv[3].as_ref().is_empty() {
                            return;
                        }
                        first = i + 1;
                        num = argc - first;
                        break;
                    }
                    if a.eq_ignore_ascii_case(b"auth") {
                        i += 1;
                    } else if a.eq_ignore_ascii_case(b"auth2") {
                        i += 2;
                    }
                    i += 1;
                }
            }
            for k in 0..num {
                out.push(KeyRef { pos: first + k, flags: KEY_RW | KEY_ACCESS | KEY_DELETE });
            }
        }
        GetKeys::Georadius => {
            let mut stored = None;
            let mut i = 5;
            while i < argc {
                let a = cstr(argv[i].as_ref());
                if (a.eq_ignore_ascii_case(b"store") || a.eq_ignore_ascii_case(b"storedist"))
                    && i + 1 < argc
                {
                    stored = Some(i + 1);
                    i += 1;
                }
                i += 1;
            }
            out.push(KeyRef { pos: 1, flags: KEY_RO | KEY_ACCESS });
            if let Some(pos) = stored {
                out.push(KeyRef { pos, flags: KEY_OW | KEY_UPDATE });
            }
        }
        GetKeys::Xread => {
            let mut streams_pos: Option<usize> = None;
            let mut i = 1;
            while i < argc {
                let a = &argv[i];
                if eq_nocase(a, b"block") || eq_nocase(a, b"count") {
                    i += 1;
                } else if eq_nocase(a, b"group") {
                    i += 2;
                } else if eq_nocase(a, b"noack") {
                } else if eq_nocase(a, b"streams") {
                    streams_pos = Some(i);
                    break;
                } else {
                    break;
                }
                i += 1;
            }
            let Some(sp) = streams_pos else { return };
            let num = argc - sp - 1;
            if num == 0 || num % 2 != 0 {
                return;
            }
            for pos in sp + 1..argc - num / 2 {
                out.push(KeyRef { pos, flags: KEY_RO | KEY_ACCESS });
            }
        }
        GetKeys::Generic { store, count, first, step } => {
            if count >= argc {
                return;
            }
            let num = atoi(argv[count].as_ref());
            let avail = (argc as i64 - first as i64) / step as i64;
            if num < 1 || num as i64 > avail {
                return;
            }
            for k in 0..num as usize {
                out.push(KeyRef { pos: first + k * step, flags: 0 });
            }
            if store != 0 {
                out.push(KeyRef { pos: store, flags: 0 });
            }
        }
    }
}

pub use crate::redis::resp::number::parse_i64;

/// C `atoi` as glibc does it (`(int)strtol(s, NULL, 10)`): leading whitespace, optional sign,
/// digits up to the first non-digit, saturating at the `long` range, then truncated to `int`.
fn atoi(s: &[u8]) -> i32 {
    let s = cstr(s);
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut v: i64 = 0;
    let mut saturated = false;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = (s[i] - b'0') as i64;
        match v.checked_mul(10).and_then(|x| x.checked_add(d)) {
            Some(n) => v = n,
            None => {
                saturated = true;
                break;
            }
        }
        i += 1;
    }
    let long = if saturated {
        if neg {
            i64::MIN
        } else {
            i64::MAX
        }
    } else if neg {
        -v
    } else {
        v
    };
    long as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::acl::commands::table;

    fn keys(argv: &[&str]) -> Vec<(usize, u16)> {
        let argv: Vec<&[u8]> = argv.iter().map(|s| s.as_bytes()).collect();
        let cmd = table().resolve(&argv).unwrap();
        extract(cmd, &argv).iter().map(|k| (k.pos, k.flags)).collect()
    }

    #[test]
    fn set_get_variants() {
        assert_eq!(keys(&["set", "k", "v"]), vec![(1, KEY_OW | KEY_UPDATE)]);
        assert_eq!(keys(&["set", "k", "get"]), vec![(1, KEY_OW | KEY_UPDATE)]);
        assert_eq!(keys(&["set", "k", "v", "EX", "GET"]), vec![(1, KEY_RW | KEY_ACCESS | KEY_UPDATE)]);
    }

    #[test]
    fn numkeys_commands() {
        assert_eq!(keys(&["eval", "s", "2", "a", "b", "c"]).len(), 2);
        assert_eq!(keys(&["eval", "s", "0"]), vec![]);
        // Spec fails on "2x"; genericGetKeys' atoi reads 2.
        assert_eq!(keys(&["eval", "s", "2x", "a", "b"]), vec![(3, 0), (4, 0)]);
        assert_eq!(keys(&["zunionstore", "d", "2", "a", "b"]).len(), 3);
    }

    #[test]
    fn sort_and_migrate() {
        assert_eq!(keys(&["sort", "k", "store", "d"]), vec![(1, KEY_RO | KEY_ACCESS), (3, KEY_OW | KEY_UPDATE)]);
        assert_eq!(
            keys(&["migrate", "h", "p", "", "0", "5", "KEYS", "a", "b"]),
            vec![(7, KEY_RW | KEY_ACCESS | KEY_DELETE), (8, KEY_RW | KEY_ACCESS | KEY_DELETE)]
        );
        assert_eq!(keys(&["migrate", "h", "p", "k", "0", "5"]).len(), 1);
        assert_eq!(keys(&["migrate", "h", "p", "k", "0", "5", "KEYS", "a"]), vec![]);
    }

    #[test]
    fn parse_i64_is_strict() {
        assert_eq!(parse_i64(b"10"), Some(10));
        assert_eq!(parse_i64(b"-10"), Some(-10));
        assert_eq!(parse_i64(b"01"), None);
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b" 1"), None);
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(atoi(b" 12abc"), 12);
        assert_eq!(atoi(b"x"), 0);
    }
}
