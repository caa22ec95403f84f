//! ACL SETUSER argument lists: the input is the rule list, one rule per line. Beyond "never
//! panics": what SETUSER accepted must survive ACL SAVE + ACL LOAD, that is, the user's ACL
//! LIST line loaded as an aclfile gives the same ACL LIST (for rules made of printable
//! characters without spaces or parentheses: Redis writes patterns unquoted, so those do not
//! round-trip in Redis either). A rejected list must change nothing.
//!
//! As in the aclfile target, the two engines live for the whole run (their interned command
//! rules keep their descriptions across inputs) and each input starts from the same users.

use std::sync::LazyLock;

use authgate::acl::Acl;

/// The users every input starts from: Redis' default user and alice, whom the rules change.
const BASELINE: &[u8] = b"user default on nopass ~* &* +@all\nuser alice on ~k* +get\n";

static ENGINES: LazyLock<(Acl, Acl)> = LazyLock::new(|| (Acl::new(), Acl::new()));

/// One input of the target: returns normally or panics with what went wrong.
pub fn run(data: &[u8]) {
    let rules: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if rules.len() > 64 {
        return;
    }
    let (acl, reloaded) = &*ENGINES;
    acl.load_text(BASELINE, "baseline.acl").unwrap();
    let before = acl.list();
    if acl.setuser(b"alice", &rules).is_err() {
        assert_eq!(acl.list(), before, "a failed SETUSER changed a user");
        return;
    }
    let plain = |r: &[u8]| r.iter().all(|&b| b.is_ascii_graphic() && b != b'(' && b != b')');
    if !rules.iter().all(|r| plain(r)) {
        return;
    }
    let listed = acl.list();
    let mut file = Vec::new();
    for line in &listed {
        file.extend_from_slice(line);
        file.push(b'\n');
    }
    if let Err(e) = reloaded.load_text(&file, "users.acl") {
        panic!("ACL LIST output does not load: {:?}\n{}", e, String::from_utf8_lossy(&file));
    }
    assert_eq!(reloaded.list(), listed, "ACL SAVE + LOAD changed a user");
}
