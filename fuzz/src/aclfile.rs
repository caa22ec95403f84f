//! aclfiles through ACL LOAD (Redis' line reading, per-line errors, all or nothing). Beyond
//! "never panics": a failed load changes nothing and says so in Redis' words, and a file that
//! loads survives ACL SAVE + ACL LOAD unchanged.
//!
//! The two engines (the one the input is loaded into, the one its saved text is reloaded
//! into) live for the whole run instead of being built per input: an engine interns the
//! command rules it has seen with their canonical description, the costly part of ACL LIST,
//! so rules met by earlier inputs are not described again. Each input first loads the same
//! baseline users, so what an input does never depends on the inputs before it.

use std::sync::LazyLock;

use authgate::acl::{Acl, AclError};

const NO_CHANGE: &[u8] =
    b"WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

/// The users every input starts from: Redis' default user and one other.
const BASELINE: &[u8] = b"user default on nopass ~* &* +@all\nuser keeper on nopass +@all\n";

static ENGINES: LazyLock<(Acl, Acl)> = LazyLock::new(|| (Acl::new(), Acl::new()));

/// Redis writes a selector's rules unquoted between parentheses but reads a selector back
/// with sdssplitargs (ACL LOAD splits the root rules on single spaces only), so a selector rule
/// holding a `)`, a quote or a blank (possible through a quoted `"…"` token of the file) reads
/// back differently from what was saved. For `ACL SETUSER u2 (~x))` redis-server 7.0.15 lists
/// `user u2 off resetchannels -@all (~x) resetchannels -@all)`, a line its own ACL LOAD rejects;
/// for the file line `user w (~ "&c('~" )` it lists `(~ resetchannels &c('~ -@all)` and loads
/// that back as `(resetchannels -@all)` (both in tests/differential, aclfile-line-forms). Users
/// with such a selector are not round-tripped.
fn lists_unambiguously(acl: &Acl) -> bool {
    let ambiguous = |b: &u8| matches!(b, b')' | b'\'' | b'"' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0);
    acl.users().iter().all(|name| {
        acl.getuser(name).is_some_and(|u| {
            u.selectors.iter().all(|s| [&s.keys, &s.channels, &s.commands].iter().all(|f| !f.iter().any(ambiguous)))
        })
    })
}

/// One input of the target: returns normally or panics with what went wrong.
pub fn run(data: &[u8]) {
    let (acl, reloaded) = &*ENGINES;
    acl.load_text(BASELINE, "baseline.acl").unwrap();
    let before = acl.list();
    match acl.load_text(data, "users.acl") {
        Err(AclError::Load(text)) => {
            assert!(text.ends_with(NO_CHANGE), "{}", String::from_utf8_lossy(&text));
            assert_eq!(acl.list(), before, "a failed ACL LOAD changed the users");
        }
        Err(e) => panic!("ACL LOAD failed with {e:?}"),
        Ok(()) if !lists_unambiguously(acl) => {}
        Ok(()) => {
            let listed = acl.list();
            let mut saved = Vec::new();
            for line in &listed {
                saved.extend_from_slice(line);
                saved.push(b'\n');
            }
            if let Err(e) = reloaded.load_text(&saved, "users.acl") {
                panic!("ACL SAVE output of a loaded file does not load: {e:?}\n{}", String::from_utf8_lossy(&saved));
            }
            assert_eq!(reloaded.list(), listed, "ACL SAVE + LOAD changed a user");
        }
    }
}
