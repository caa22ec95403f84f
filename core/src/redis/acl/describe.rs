//! The canonical description of users and selectors: the strings of ACL LIST, ACL SAVE and
//! ACL GETUSER, identical to Redis 7.0's.
//!
//! The command part is rebuilt from the bitmap, not remembered from the rules: start from
//! `+@all` or `-@all` (depending on the "future commands" bit), greedily add (or subtract) the
//! category that best fits what is left, then fix single commands. Single-command rules come
//! in command-table order, a fixed order where Redis uses its random hash order.

use super::category::Category;
use super::command_rules::CommandPerms;
use super::commands::{table, CommandTable};
use super::password::push_hex;
use super::selector::{Selector, PERM_ALL, PERM_READ};
use super::user::User;

/// What ACL GETUSER reports for one selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorInfo {
    /// The command rules, e.g. `-@all +get`.
    pub commands: Vec<u8>,
    /// Key patterns joined by spaces (`~*` for allkeys, empty if none).
    pub keys: Vec<u8>,
    /// Channel patterns joined by spaces (`&*` for allchannels, empty if none).
    pub channels: Vec<u8>,
}

/// What ACL GETUSER reports for a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    /// Flag names in Redis' order: `on`/`off`, `nopass`, `skip-sanitize-payload` /
    /// `sanitize-payload`.
    pub flags: Vec<&'static str>,
    /// Password digests (64 lowercase hex characters), in insertion order.
    pub passwords: Vec<String>,
    /// The root selector.
    pub root: SelectorInfo,
    /// The `(...)` selectors, in order.
    pub selectors: Vec<SelectorInfo>,
}

fn push_pattern(out: &mut Vec<u8>, perms: u8, pattern: &[u8]) {
    out.extend_from_slice(match perms {
        PERM_ALL => b"~",
        PERM_READ => b"%R~",
        _ => b"%W~",
    });
    out.extend_from_slice(pattern);
}

/// Redis' `ACLDescribeSelector`, appended to `out`: `<keys><channels><commands>`. The command
/// part is the selector's shared, cached description.
pub(crate) fn write_selector(out: &mut Vec<u8>, s: &Selector) {
    if s.allkeys() {
        out.extend_from_slice(b"~* ");
    } else {
        for (perms, p) in s.patterns.keys() {
            push_pattern(out, perms, p);
            out.push(b' ');
        }
    }
    if s.allchannels() {
        out.extend_from_slice(b"&* ");
    } else {
        out.extend_from_slice(b"resetchannels ");
        for c in s.patterns.channels() {
            out.push(b'&');
            out.extend_from_slice(c);
            out.push(b' ');
        }
    }
    out.extend_from_slice(s.commands.description());
}

/// Redis' `ACLDescribeUser`, appended to `out`: flags, `#digest`s, the root selector, then
/// ` (...)` selectors.
pub(crate) fn write_user(out: &mut Vec<u8>, u: &User) {
    for f in u.flag_names() {
        out.extend_from_slice(f.as_bytes());
        out.push(b' ');
    }
    for p in &u.passwords {
        out.push(b'#');
        push_hex(out, &p.0);
        out.push(b' ');
    }
    for (i, s) in u.selectors.iter().enumerate() {
        if i == 0 {
            write_selector(out, s);
        } else {
            out.extend_from_slice(b" (");
            write_selector(out, s);
            out.push(b')');
        }
    }
}

/// The `user <name> <description>` line of ACL LIST and the aclfile, appended to `out`.
pub(crate) fn write_user_line(out: &mut Vec<u8>, name: &[u8], u: &User) {
    out.extend_from_slice(b"user ");
    out.extend_from_slice(name);
    out.push(b' ');
    write_user(out, u);
}

/// [`write_user`] into a new buffer.
#[cfg(test)]
pub(crate) fn describe_user(u: &User) -> Vec<u8> {
    let mut out = Vec::new();
    write_user(&mut out, u);
    out
}

fn count_bits(t: &CommandTable, s: &CommandPerms, cat: Category) -> (usize, usize) {
    let members = t.members(cat);
    let on = members.iter().filter(|&&id| s.bit(id)).count();
    (on, members.len() - on)
}

/// Redis' `ACLDescribeSelectorCommandRules`. Called once per distinct command rule set (see
/// [`CommandRules::description`](super::command_rules::CommandRules::description)).
pub(crate) fn describe_commands(s: &CommandPerms) -> Vec<u8> {
    let t = table();
    let additive = !s.can_run_future_commands();
    let mut rules: Vec<u8> = if additive { b"-@all ".to_vec() } else { b"+@all ".to_vec() };
    // `fake` replays the emitted rules; `work` is the user's bitmap with the chosen categories
    // undone, so each round measures what is still left to explain.
    let mut fake = CommandPerms::new();
    fake.set_all(!additive);
    let mut work = s.clone();
    let mut used = [false; Category::ALL.len()];
    loop {
        let mut best: Option<(usize, usize, usize)> = None; // (index, diff, same)
        for (i, cat) in Category::ALL.iter().enumerate() {
            if used[i] {
                continue;
            }
            let (on, off) = count_bits(t, &work, *cat);
            let (diff, same) = if additive { (off, on) } else { (on, off) };
            if same <= diff {
                continue;
            }
            let better = match best {
                None => true,
                Some((_, bd, bs)) => diff < bd || (diff == bd && same > bs),
            };
            if better {
                best = Some((i, diff, same));
            }
        }
        let Some((i, _, _)) = best else { break };
        let cat = Category::ALL[i];
        used[i] = true;
        fake.set_category(t, cat, additive);
        work.set_category(t, cat, !additive);
        rules.extend_from_slice(if additive { b"+@" } else { b"-@" });
        rules.extend_from_slice(cat.name().as_bytes());
        rules.push(b' ');
    }
    for cmd in t.top_level() {
        fix_single(t, s, &mut fake, cmd.id, &mut rules);
        for &sub in &cmd.subcommands {
            fix_single(t, s, &mut fake, sub, &mut rules);
        }
        if !s.bit(cmd.id) {
            if let Some(args) = s.firstargs.get(&cmd.id) {
                for a in args.values() {
                    rules.push(b'+');
                    rules.extend_from_slice(cmd.fullname.as_bytes());
                    rules.push(b'|');
                    rules.extend_from_slice(a);
                    rules.push(b' ');
                }
            }
        }
    }
    rules.pop();
    rules
}

fn fix_single(t: &CommandTable, s: &CommandPerms, fake: &mut CommandPerms, id: usize, rules: &mut Vec<u8>) {
    let user_bit = s.bit(id);
    if user_bit != fake.bit(id) {
        let cmd = t.get(id);
        rules.push(if user_bit { b'+' } else { b'-' });
        rules.extend_from_slice(cmd.fullname.as_bytes());
        rules.push(b' ');
        fake.change_perm(cmd, user_bit);
    }
}

/// GETUSER's view of one selector.
pub(crate) fn selector_info(s: &Selector) -> SelectorInfo {
    let mut keys = Vec::new();
    if s.allkeys() {
        keys.extend_from_slice(b"~*");
    } else {
        for (i, (perms, p)) in s.patterns.keys().enumerate() {
            if i > 0 {
                keys.push(b' ');
            }
            push_pattern(&mut keys, perms, p);
        }
    }
    let mut channels = Vec::new();
    if s.allchannels() {
        channels.extend_from_slice(b"&*");
    } else {
        for (i, c) in s.patterns.channels().enumerate() {
            if i > 0 {
                channels.push(b' ');
            }
            channels.push(b'&');
            channels.extend_from_slice(c);
        }
    }
    SelectorInfo { commands: s.commands.description().to_vec(), keys, channels }
}

/// GETUSER's view of a user.
pub(crate) fn user_info(u: &User) -> UserInfo {
    UserInfo {
        flags: u.flag_names(),
        passwords: u.passwords.iter().map(|p| p.to_hex()).collect(),
        root: selector_info(u.root()),
        selectors: u.selectors[1..].iter().map(selector_info).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(rules: &[&str]) -> String {
        let mut u = super::super::draft::UserDraft::new(false);
        for r in rules {
            u.apply(r.as_bytes(), false).unwrap();
        }
        let u = u.freeze(&mut super::super::intern::Interners::new());
        String::from_utf8(describe_user(&u)).unwrap()
    }

    #[test]
    fn spec_examples() {
        assert_eq!(describe(&[]), "off resetchannels -@all");
        assert_eq!(describe(&["+@hash", "+@set", "+@list"]), "off resetchannels -@all +@list +@hash +@set");
        assert_eq!(describe(&["+@read", "+@write", "-@all"]), "off resetchannels -@all");
        assert_eq!(describe(&["allcommands", "nocommands", "+acl"]), "off resetchannels -@all +acl");
        assert_eq!(describe(&["+client", "-client|kill"]), "off resetchannels -@all +client -client|kill");
        assert_eq!(describe(&["-@all", "+client|kill", "+client|id", "+client"]), "off resetchannels -@all +client");
        assert_eq!(describe(&["+select|0", "+select"]), "off resetchannels -@all +select");
        assert_eq!(describe(&["+select|0", "-select"]), "off resetchannels -@all");
        assert_eq!(describe(&["nopass", ">abc"]).split(' ').nth(1).unwrap().len(), 65);
        assert_eq!(describe(&[">abc", "nopass"]), "off nopass resetchannels -@all");
        assert_eq!(
            describe(&["(+get ~a)", "(+set ~b &c)", "allkeys"]),
            "off ~* resetchannels -@all (~a resetchannels -@all +get) (~b resetchannels &c -@all +set)"
        );
        assert_eq!(describe(&["%R~x", "%W~x", "%R~r"]), "off ~x %R~r resetchannels -@all");
    }

    #[test]
    fn every_category_round_trips() {
        for cat in Category::ALL {
            let plus = format!("+@{}", cat.name());
            let minus = format!("-@{}", cat.name());
            assert_eq!(describe(&["+@all", &minus]), format!("off resetchannels +@all {minus}"));
            assert_eq!(describe(&["-@all", &plus]), format!("off resetchannels -@all {plus}"));
        }
    }

    #[test]
    fn subtractive_example() {
        let d = describe(&["reset", "+@all", "-@dangerous", "+flushdb", "-config|set", "+config|get"]);
        assert!(d.starts_with("off sanitize-payload resetchannels +@all -@admin "), "{d}");
    }
}
