//! The Redis 7.0.15 command table: every command and subcommand with its arity, flags, ACL
//! categories (explicit and implicit) and key specs.
//!
//! The data is `core/data/commands.json`, generated from a live redis-server by
//! `scripts/gen_command_table.py` and committed. It is parsed once, on first use.
//!
//! Every command and subcommand gets a numeric id, used as its bit in a selector's command
//! bitmap. Ids follow a fixed order (top-level commands by name, each followed by its
//! subcommands by name); that order is also the deterministic order in which ACL LIST prints
//! single-command rules, where Redis uses its random hash-table order.

use std::sync::OnceLock;

use serde::Deserialize;

use super::category::{Category, CategorySet};
use super::keys::{GetKeys, KeySpec};

/// Command flags the engine and the server care about (a subset of Redis' `CMD_*` flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommandFlags(u32);

impl CommandFlags {
    /// `write`
    pub const WRITE: u32 = 1 << 0;
    /// `readonly`
    pub const READONLY: u32 = 1 << 1;
    /// `admin`
    pub const ADMIN: u32 = 1 << 2;
    /// `pubsub`
    pub const PUBSUB: u32 = 1 << 3;
    /// `noscript`
    pub const NOSCRIPT: u32 = 1 << 4;
    /// `blocking`
    pub const BLOCKING: u32 = 1 << 5;
    /// `fast`
    pub const FAST: u32 = 1 << 6;
    /// `no_auth`: runs before authentication and skips the command-bit check.
    pub const NO_AUTH: u32 = 1 << 7;
    /// `no_multi`: refused inside MULTI.
    pub const NO_MULTI: u32 = 1 << 8;
    /// `movablekeys`
    pub const MOVABLE_KEYS: u32 = 1 << 9;
    /// `denyoom`
    pub const DENYOOM: u32 = 1 << 10;
    /// `loading`
    pub const LOADING: u32 = 1 << 11;
    /// `stale`
    pub const STALE: u32 = 1 << 12;
    /// `no_mandatory_keys`: every key argument may be absent (EVAL, FCALL, ...).
    pub const NO_MANDATORY_KEYS: u32 = 1 << 13;

    fn from_names(names: &[String]) -> CommandFlags {
        let mut bits = 0;
        for n in names {
            bits |= match n.as_str() {
                "write" => Self::WRITE,
                "readonly" => Self::READONLY,
                "admin" => Self::ADMIN,
                "pubsub" => Self::PUBSUB,
                "noscript" => Self::NOSCRIPT,
                "blocking" => Self::BLOCKING,
                "fast" => Self::FAST,
                "no_auth" => Self::NO_AUTH,
                "no_multi" => Self::NO_MULTI,
                "movablekeys" => Self::MOVABLE_KEYS,
                "denyoom" => Self::DENYOOM,
                "loading" => Self::LOADING,
                "stale" => Self::STALE,
                "no_mandatory_keys" => Self::NO_MANDATORY_KEYS,
                _ => 0,
            };
        }
        CommandFlags(bits)
    }

    /// True if every bit of `flag` is set.
    pub fn has(self, flag: u32) -> bool {
        self.0 & flag == flag
    }
}

/// Which arguments of a command are Pub/Sub channels, for the channel permission check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelArgs {
    /// PUBLISH / SPUBLISH: `argv[1]`, glob-matched.
    Publish,
    /// SUBSCRIBE / SSUBSCRIBE: `argv[1..]`, glob-matched.
    Subscribe,
    /// PSUBSCRIBE: `argv[1..]`, compared literally with the ACL patterns.
    PatternSubscribe,
}

/// One command or subcommand of the table.
#[derive(Debug)]
pub struct Command {
    /// Bit index in selector bitmaps; also the position in [`CommandTable::all`].
    pub id: usize,
    /// Lowercase name as Redis prints it: `get`, `client|kill`.
    pub fullname: String,
    /// Own name: `get`, `kill`.
    pub name: String,
    /// Redis arity: positive = exact argc, negative = at least `-arity`.
    pub arity: i32,
    /// Command flags.
    pub flags: CommandFlags,
    /// ACL categories, implicit ones included.
    pub categories: CategorySet,
    /// Parent container for subcommands.
    pub parent: Option<usize>,
    /// Subcommand ids (sorted by name).
    pub subcommands: Vec<usize>,
    pub(crate) key_specs: Vec<KeySpec>,
    pub(crate) getkeys: Option<GetKeys>,
    /// Redis' `doesCommandHaveKeys`: a getkeys function or a key spec that is not NOT_KEY.
    pub(crate) has_keys: bool,
    pub(crate) channels: Option<ChannelArgs>,
    sub_index: NameIndex,
}

impl Command {
    /// True for AUTH, HELLO, QUIT and RESET: allowed before authentication and never denied by
    /// command rules.
    pub fn is_no_auth(&self) -> bool {
        self.flags.has(CommandFlags::NO_AUTH)
    }

    /// True if the command has subcommands (`client`, `config`, `acl`, ...).
    pub fn is_container(&self) -> bool {
        !self.subcommands.is_empty()
    }

    /// Redis' arity rule for `argc` arguments (command name included).
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        let arity = self.arity as i64;
        !((arity > 0 && arity != argc) || argc < -arity)
    }

    /// True if the command declares keys (Redis' `doesCommandHaveKeys`): key rules apply.
    pub fn has_keys(&self) -> bool {
        self.has_keys
    }

    /// The keys of a command line (`argv[0]` is the command), as the ACL check and COMMAND
    /// GETKEYS see them: key specs, or the command's getkeys function when specs cannot decide.
    pub fn keys<A: AsRef<[u8]>>(&self, argv: &[A]) -> super::keys::Keys {
        super::keys::extract(self, argv)
    }

    /// Whether the permission check looks at channels for this command.
    pub fn channel_args(&self) -> Option<ChannelArgs> {
        self.channels
    }
}

/// Why a command line could not be resolved to a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// `argv[0]` is not a command.
    UnknownCommand,
    /// `argv[0]` is a container and `argv[1]` is not one of its subcommands.
    UnknownSubcommand,
}

/// The whole command table.
pub struct CommandTable {
    commands: Vec<Command>,
    top_level: NameIndex,
    members: Vec<Vec<usize>>,
    redis_version: String,
}

#[derive(Deserialize)]
struct RawTable {
    redis_version: String,
    categories: Vec<String>,
    commands: Vec<RawCommand>,
}

#[derive(Deserialize)]
struct RawCommand {
    name: String,
    arity: i32,
    flags: Vec<String>,
    categories: Vec<String>,
    key_specs: Vec<KeySpec>,
    subcommands: Vec<RawCommand>,
}

static TABLE: OnceLock<CommandTable> = OnceLock::new();

/// The process-wide command table.
pub fn table() -> &'static CommandTable {
    TABLE.get_or_init(|| {
        CommandTable::from_json(include_str!("../../../data/commands.json"))
            .expect("the committed command table is valid")
    })
}

impl CommandTable {
    fn from_json(text: &str) -> Result<CommandTable, String> {
        let raw: RawTable = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for (i, name) in raw.categories.iter().enumerate() {
            if Category::ALL.get(i).map(|c| c.name()) != Some(name.as_str()) {
                return Err(format!("category {i} is {name}, expected the Redis 7.0 order"));
            }
        }
        let mut t = CommandTable {
            commands: Vec::new(),
            top_level: NameIndex::default(),
            members: vec![Vec::new(); Category::ALL.len()],
            redis_version: raw.redis_version,
        };
        let mut tops: Vec<&RawCommand> = raw.commands.iter().collect();
        tops.sort_by(|a, b| a.name.cmp(&b.name));
        for rc in tops {
            let id = t.push(rc, None)?;
            t.top_level.insert(rc.name.as_bytes().to_vec(), id);
            let mut subs: Vec<&RawCommand> = rc.subcommands.iter().collect();
            subs.sort_by(|a, b| a.name.cmp(&b.name));
            for sc in subs {
                let sid = t.push(sc, Some(id))?;
                let own = t.commands[sid].name.clone();
                t.commands[id].subcommands.push(sid);
                t.commands[id].sub_index.insert(own.into_bytes(), sid);
            }
        }
        for cmd in &t.commands {
            for cat in cmd.categories.iter() {
                t.members[cat as usize].push(cmd.id);
            }
        }
        if t.commands.len() >= super::command_rules::FUTURE_COMMANDS_BIT {
            return Err("command table too large for the selector bitmap".into());
        }
        Ok(t)
    }

    fn push(&mut self, rc: &RawCommand, parent: Option<usize>) -> Result<usize, String> {
        let id = self.commands.len();
        let fullname = rc.name.to_ascii_lowercase();
        let name = match fullname.rsplit_once('|') {
            Some((_, sub)) => sub.to_string(),
            None => fullname.clone(),
        };
        let mut categories = CategorySet::default();
        for c in &rc.categories {
            let cat = Category::from_name(c.as_bytes()).ok_or(format!("unknown category {c}"))?;
            categories.insert(cat);
        }
        let getkeys = if parent.is_none() { GetKeys::for_command(&fullname) } else { None };
        let has_keys = getkeys.is_some() || rc.key_specs.iter().any(|s| !s.is_not_key());
        let channels = match fullname.as_str() {
            "publish" | "spublish" => Some(ChannelArgs::Publish),
            "subscribe" | "ssubscribe" => Some(ChannelArgs::Subscribe),
            "psubscribe" => Some(ChannelArgs::PatternSubscribe),
            _ => None,
        };
        self.commands.push(Command {
            id,
            fullname,
            name,
            arity: rc.arity,
            flags: CommandFlags::from_names(&rc.flags),
            categories,
            parent,
            subcommands: Vec::new(),
            key_specs: rc.key_specs.clone(),
            getkeys,
            has_keys,
            channels,
            sub_index: NameIndex::default(),
        });
        Ok(id)
    }

    /// The Redis version the table was generated from (`7.0.15`).
    pub fn redis_version(&self) -> &str {
        &self.redis_version
    }

    /// Every command and subcommand, in id order.
    pub fn all(&self) -> &[Command] {
        &self.commands
    }

    /// Top-level commands only, in id order.
    pub fn top_level(&self) -> impl Iterator<Item = &Command> {
        self.commands.iter().filter(|c| c.parent.is_none())
    }

    /// The command with this id.
    pub fn get(&self, id: usize) -> &Command {
        &self.commands[id]
    }

    /// Ids of the commands and subcommands in `cat`, in id order.
    pub fn members(&self, cat: Category) -> &[usize] {
        &self.members[cat as usize]
    }

    /// A top-level command by name, case-insensitively.
    #[inline]
    pub fn lookup_top(&self, name: &[u8]) -> Option<&Command> {
        self.top_level.get(name).map(|id| &self.commands[id])
    }

    /// Redis' `ACLLookupCommand`: `name` or `container|sub` (at most one `|`), case-insensitive.
    pub fn lookup_rule_name(&self, name: &[u8]) -> Option<&Command> {
        let mut parts = name.split(|&b| b == b'|');
        let base = parts.next()?;
        let sub = parts.next();
        if parts.next().is_some() {
            return None;
        }
        let cmd = self.lookup_top(base)?;
        match sub {
            None => Some(cmd),
            Some(sub) => self.lookup_sub(cmd, sub),
        }
    }

    fn lookup_sub(&self, cmd: &Command, sub: &[u8]) -> Option<&Command> {
        cmd.sub_index.get(sub).map(|id| &self.commands[id])
    }

    /// Redis' `lookupCommand` for a command line: the subcommand when `argv[0]` is a container
    /// and there is an `argv[1]`, else the command itself.
    pub fn resolve<A: AsRef<[u8]>>(&self, argv: &[A]) -> Result<&Command, ResolveError> {
        let first = argv.first().ok_or(ResolveError::UnknownCommand)?;
        let cmd = self.lookup_top(first.as_ref()).ok_or(ResolveError::UnknownCommand)?;
        if argv.len() == 1 || cmd.subcommands.is_empty() {
            return Ok(cmd);
        }
        self.lookup_sub(cmd, argv[1].as_ref()).ok_or(ResolveError::UnknownSubcommand)
    }
}

/// Lowercase name -> id: open addressing over a power-of-two slot vector with FNV-1a hashing
/// of the lowercased name, computed in one pass over the input. Command lookup runs for every
/// request the server handles, so it avoids allocation and SipHash. Plain vectors also keep
/// the process-wide table free of interior pointers, so leak checkers (valgrind in the C
/// tests) see it as reachable rather than "possibly lost".
#[derive(Debug, Default)]
struct NameIndex {
    names: Vec<(Box<[u8]>, usize)>,
    /// (hash, index into `names` + 1); 0 marks an empty slot.
    slots: Vec<(u64, u32)>,
}

#[inline]
fn fnv_lower(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name {
        h ^= b.to_ascii_lowercase() as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl NameIndex {
    fn insert(&mut self, name: Vec<u8>, id: usize) {
        let name = name.to_ascii_lowercase().into_boxed_slice();
        match self.names.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = id,
            None => self.names.push((name, id)),
        }
        self.rebuild();
    }

    fn rebuild(&mut self) {
        let cap = (self.names.len() * 4).next_power_of_two().max(8);
        self.slots = vec![(0, 0); cap];
        for (i, (n, _)) in self.names.iter().enumerate() {
            let h = fnv_lower(n);
            let mut at = (h as usize) & (cap - 1);
            while self.slots[at].1 != 0 {
                at = (at + 1) & (cap - 1);
            }
            self.slots[at] = (h, i as u32 + 1);
        }
    }

    /// Case-insensitive lookup of the id stored for `name`.
    #[inline]
    fn get(&self, name: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let h = fnv_lower(name);
        let mut at = (h as usize) & mask;
        loop {
            let (sh, idx) = self.slots[at];
            if idx == 0 {
                return None;
            }
            let i = idx as usize - 1;
            if sh == h && self.names[i].0.eq_ignore_ascii_case(name) {
                return Some(self.names[i].1);
            }
            at = (at + 1) & mask;
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shape() {
        let t = table();
        assert_eq!(t.all().len(), 366);
        assert_eq!(t.top_level().count(), 240);
        assert_eq!(t.redis_version(), "7.0.15");
        let counts: Vec<usize> = Category::ALL.iter().map(|c| t.members(*c).len()).collect();
        assert_eq!(
            counts,
            vec![34, 87, 108, 19, 37, 24, 16, 22, 7, 5, 10, 23, 13, 65, 99, 267, 10, 75, 35, 5, 21]
        );
    }

    #[test]
    fn lookups() {
        let t = table();
        assert_eq!(t.lookup_top(b"GeT").unwrap().fullname, "get");
        assert_eq!(t.lookup_rule_name(b"CLIENT|Kill").unwrap().fullname, "client|kill");
        assert!(t.lookup_rule_name(b"get|x").is_none());
        assert!(t.lookup_rule_name(b"config|get|x").is_none());
        assert!(t.lookup_rule_name(b"").is_none());
        let argv: [&[u8]; 2] = [b"client", b"nosuch"];
        assert_eq!(t.resolve(&argv).unwrap_err(), ResolveError::UnknownSubcommand);
        let argv: [&[u8]; 1] = [b"config"];
        assert_eq!(t.resolve(&argv).unwrap().fullname, "config");
        let argv: [&[u8]; 3] = [b"GET", b"a", b"b"];
        assert!(!t.resolve(&argv).unwrap().arity_ok(3));
        assert!(t.lookup_top(b"auth").unwrap().is_no_auth());
    }
}
