//! The canonical description of users and selectors: the strings of ACL LIST, ACL SAVE and
//! ACL GETUSER, identical to Redis 7.0's.
//!
//! The command part is rebuilt from the bitmap, not remembered from the rules: start from
//! `+@all` or `-@all` (depending on the "future commands" bit), greedily add (or subtract) the
//! category that best fits what is left, then fix single commands. Single-command rules come
//! in command-table order, a fixed order where Redis uses its random hash order.

use super::category::Category;
use super::commands::{table, CommandTable};
use super::selector::{KeyPattern, Selector, PERM_ALL, PERM_READ};
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

fn push_pattern(out: &mut Vec<u8>, p: &KeyPattern) {
    out.extend_from_slice(match p.perms {
        PERM_ALL => b"~",
        PERM_READ => b"%R~",
        _ => b"%W~",
    });
    out.extend_from_slice(&p.pattern);
}

/// Redis' `ACLDescribeSelector`: `<keys><channels><commands>`.
pub(crate) fn describe_selector(s: &Selector) -> Vec<u8> {
    let mut out = Vec::new();
    if s.allkeys {
        out.extend_from_slice(b"~* ");
    } else {
        for p in &s.keys {
            push_pattern(&mut out, p);
            out.push(b' ');
        }
    }
    if s.allchannels {
        out.extend_from_slice(b"&* ");
    } else {
        out.extend_from_slice(b"resetchannels ");
        for c in &s.channels {
            out.push(b'&');
            out.extend_from_slice(c);
            out.push(b' ');
        }
    }
    out.extend_from_slice(&describe_commands(s));
    out
}

/// Redis' `ACLDescribeUser`: flags, `#digest`s, the root selector, then ` (...)` selectors.
pub(crate) fn describe_user(u: &User) -> Vec<u8> {
    let mut out = Vec::new();
    for f in u.flag_names() {
        out.extend_from_slice(f.as_bytes());
        out.push(b' ');
    }
    for p in &u.passwords {
        out.push(b'#');
        out.extend_from_slice(p.to_hex().as_bytes());
        out.push(b' ');
    }
    for (i, s) in u.selectors.iter().enumerate() {
        let d = describe_selector(s);
        if i == 0 {
            out.extend_from_slice(&d);
        } else {
            out.extend_from_slice(b" (");
            out.extend_from_slice(&d);
            out.push(b')');
        }
    }
    out
}

/// The `user <name> <description>` line of ACL LIST and the aclfile.
pub(crate) fn user_line(u: &User) -> Vec<u8> {
    let mut out = b"user ".to_vec();
    out.extend_from_slice(&u.name);
    out.push(b' ');
    out.extend_from_slice(&describe_user(u));
    out
}

fn count_bits(t: &CommandTable, s: &Selector, cat: Category) -> (usize, usize) {
    let members = t.members(cat);
    let on = members.iter().filter(|&&id| s.bit(id)).count();
    (on, members.len() - on)
}

/// Redis' `ACLDescribeSelectorCommandRules`.
pub(crate) fn describe_commands(s: &Selector) -> Vec<u8> {
    let t = table();
    let additive = !s.can_run_future_commands();
    let mut rules: Vec<u8> = if additive { b"-@all ".to_vec() } else { b"+@all ".to_vec() };
    // `fake` replays the emitted rules; `work` is the user's bitmap with the chosen categories
    // undone, so each round measures what is still left to explain.
    let mut fake = Selector::new(false);
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
                for a in args {
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

fn fix_single(t: &CommandTable, s: &Selector, fake: &mut Selector, id: usize, rules: &mut Vec<u8>) {
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
    if s.allkeys {
        keys.extend_from_slice(b"~*");
    } else {
        for (i, p) in s.keys.iter().enumerate() {
            if i > 0 {
                keys.push(b' ');
            }
            push_pattern(&mut keys, p);
        }
    }
    let mut channels = Vec::new();
    if s.allchannels {
        channels.extend_from_slice(b"&*");
    } else {
        for (i, c) in s.channels.iter().enumerate() {
            if i > 0 {
                channels.push(b' ');
            }
            channels.push(b'&');
            channels.extend_from_slice(c);
        }
    }
    SelectorInfo { commands: describe_commands(s), keys, channels }
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
        let mut u = User::new(b"n", false);
        for r in rules {
            u.apply(r.as_bytes(), false).unwrap();
        }
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
