//! The COMMAND command: bare, COUNT, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, LIST, HELP.
//!
//! COMMAND INFO and COMMAND DOCS replies are the exact reply trees captured from redis-server
//! 7.0.15 (`core/data/command_replies.json`), re-encoded for the client's protocol.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value as Json;

use super::acl::help_reply;
use crate::redis::server::session::Session;
use super::strings::SYNTAX;
use crate::redis::acl::keys::KEY_FLAG_NAMES;
use crate::redis::acl::{glob, table, Category, Command, CommandFlags};
use crate::redis::resp::Encoder;

const HELP: &[&str] = &[
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
    "HELP",
    "    Prints this help.",
];

/// A captured reply tree.
#[derive(Debug)]
enum Node {
    Bulk(String),
    Status(String),
    Int(i64),
    Array(Vec<Node>),
    Set(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Null,
}

impl Node {
    fn parse(v: &Json) -> Node {
        let Some(arr) = v.as_array() else { return Node::Null };
        let tag = arr.first().and_then(Json::as_str).unwrap_or("_");
        let arg = arr.get(1);
        let text = || arg.and_then(Json::as_str).unwrap_or("").to_string();
        let list = || arg.and_then(Json::as_array).map(|l| l.iter().map(Node::parse).collect()).unwrap_or_default();
        match tag {
            "$" => Node::Bulk(text()),
            "+" => Node::Status(text()),
            ":" => Node::Int(arg.and_then(Json::as_i64).unwrap_or(0)),
            "*" => Node::Array(list()),
            "~" => Node::Set(list()),
            "%" => Node::Map(
                arg.and_then(Json::as_array)
                    .map(|pairs| {
                        pairs
                            .iter()
                            .filter_map(|p| {
                                let p = p.as_array()?;
                                Some((Node::parse(p.first()?), Node::parse(p.get(1)?)))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => Node::Null,
        }
    }

    fn encode(&self, out: &mut Encoder) {
        match self {
            Node::Bulk(s) => out.bulk(s.as_bytes()),
            Node::Status(s) => out.simple(s.as_bytes()),
            Node::Int(n) => out.integer(*n),
            Node::Array(l) => {
                out.array(l.len());
                l.iter().for_each(|n| n.encode(out));
            }
            Node::Set(l) => {
                out.set(l.len());
                l.iter().for_each(|n| n.encode(out));
            }
            Node::Map(pairs) => {
                out.map(pairs.len());
                for (k, v) in pairs {
                    k.encode(out);
                    v.encode(out);
                }
            }
            Node::Null => out.null(),
        }
    }

    fn as_bulk(&self) -> Option<&str> {
        match self {
            Node::Bulk(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` of a map node.
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(pairs) => pairs.iter().find(|(k, _)| k.as_bulk() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }
}

struct Replies {
    info: HashMap<String, Node>,
    docs: HashMap<String, Node>,
}

fn replies() -> &'static Replies {
    static R: OnceLock<Replies> = OnceLock::new();
    R.get_or_init(|| {
        let json: Json = serde_json::from_str(include_str!("../../../../data/command_replies.json"))
            .unwrap_or(Json::Null);
        let section = |name: &str| -> HashMap<String, Node> {
            json.get(name)
                .and_then(Json::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), Node::parse(v))).collect())
                .unwrap_or_default()
        };
        Replies { info: section("info"), docs: section("docs") }
    })
}

/// The COMMAND INFO entry of a command or subcommand (subcommands are nested in their parent).
fn info_node(cmd: &Command) -> Option<&'static Node> {
    let r = replies();
    match cmd.fullname.split_once('|') {
        None => r.info.get(&cmd.fullname),
        Some((parent, _)) => match r.info.get(parent)? {
            Node::Array(fields) => match fields.get(9)? {
                Node::Array(subs) => subs.iter().find(|s| match s {
                    Node::Array(f) => f.first().and_then(Node::as_bulk) == Some(cmd.fullname.as_str()),
                    _ => false,
                }),
                _ => None,
            },
            _ => None,
        },
    }
}

/// The COMMAND DOCS entry of a command or subcommand.
fn docs_node(cmd: &Command) -> Option<&'static Node> {
    let r = replies();
    match cmd.fullname.split_once('|') {
        None => r.docs.get(&cmd.fullname),
        Some((parent, _)) => r.docs.get(parent)?.get("subcommands")?.get(&cmd.fullname),
    }
}

fn all_top_level() -> Vec<&'static Command> {
    table().top_level().collect()
}

fn info(s: &mut Session, names: &[Vec<u8>]) {
    if names.is_empty() {
        let cmds = all_top_level();
        s.out.array(cmds.len());
        for c in cmds {
            match info_node(c) {
                Some(n) => n.encode(&mut s.out),
                None => s.out.null_array(),
            }
        }
        return;
    }
    s.out.array(names.len());
    for n in names {
        match table().lookup_rule_name(n).and_then(info_node) {
            Some(node) => node.encode(&mut s.out),
            None => s.out.null(),
        }
    }
}

fn docs(s: &mut Session, names: &[Vec<u8>]) {
    let cmds: Vec<&Command> = if names.is_empty() {
        all_top_level()
    } else {
        names.iter().filter_map(|n| table().lookup_rule_name(n)).collect()
    };
    let found: Vec<(&Command, &Node)> = cmds.into_iter().filter_map(|c| Some((c, docs_node(c)?))).collect();
    s.out.map(found.len());
    for (c, node) in found {
        s.out.bulk(c.fullname.as_bytes());
        node.encode(&mut s.out);
    }
}

/// COMMAND GETKEYS / GETKEYSANDFLAGS (`with_flags`: each key with its key-spec flags).
fn getkeys(s: &mut Session, argv: &[Vec<u8>], with_flags: bool) {
    let line = &argv[2..];
    let Ok(cmd) = table().resolve(line) else {
        return s.out.error_str("ERR Invalid command specified");
    };
    if !cmd.has_keys() {
        return s.out.error_str("ERR The command has no key arguments");
    }
    if !cmd.arity_ok(line.len()) {
        return s.out.error_str("ERR Invalid number of arguments specified for command");
    }
    let found = cmd.keys(line);
    if found.is_empty() {
        if cmd.flags.has(CommandFlags::NO_MANDATORY_KEYS) {
            return s.out.array(0);
        }
        return s.out.error_str("ERR Invalid arguments specified for command");
    }
    s.out.array(found.len());
    for k in &found {
        if !with_flags {
            s.out.bulk(&line[k.pos]);
            continue;
        }
        s.out.array(2);
        s.out.bulk(&line[k.pos]);
        let names: Vec<&str> =
            KEY_FLAG_NAMES.iter().filter(|(bit, _)| k.flags & bit != 0).map(|(_, n)| *n).collect();
        s.out.set(names.len());
        for n in names {
            s.out.simple(n.as_bytes());
        }
    }
}

fn list(s: &mut Session, argv: &[Vec<u8>]) {
    let t = table();
    let names: Vec<&str> = match argv.len() {
        2 => t.all().iter().map(|c| c.fullname.as_str()).collect(),
        5 if argv[2].eq_ignore_ascii_case(b"filterby") => {
            let (kind, arg) = (argv[3].to_ascii_lowercase(), &argv[4]);
            match kind.as_slice() {
                b"module" => Vec::new(),
                b"aclcat" => match Category::from_name(arg) {
                    Some(cat) => t.members(cat).iter().map(|&id| t.get(id).fullname.as_str()).collect(),
                    None => Vec::new(),
                },
                b"pattern" => t
                    .all()
                    .iter()
                    .map(|c| c.fullname.as_str())
                    .filter(|n| glob::matches_nocase(arg, n.as_bytes()))
                    .collect(),
                _ => return s.out.error_str(SYNTAX),
            }
        }
        _ => return s.out.error_str(SYNTAX),
    };
    s.out.array(names.len());
    for n in names {
        s.out.bulk(n.as_bytes());
    }
}

/// COMMAND [subcommand ...]
pub(crate) fn command(s: &mut Session, cmd: &'static Command, argv: &[Vec<u8>]) {
    if argv.len() == 1 {
        return info(s, &[]);
    }
    match cmd.name.as_str() {
        "count" => s.out.integer(all_top_level().len() as i64),
        "info" => info(s, &argv[2..]),
        "docs" => docs(s, &argv[2..]),
        "getkeys" => getkeys(s, argv, false),
        "getkeysandflags" => getkeys(s, argv, true),
        "list" => list(s, argv),
        "help" => help_reply(&mut s.out, HELP),
        _ => {
            let msg = format!("ERR command '{}' is not supported by this server", cmd.fullname);
            s.out.error_str(&msg);
        }
    }
}
