//! ACL SETUSER argument lists: the input is the rule list, one rule per line. Beyond "never
//! panics": what SETUSER accepted must survive ACL SAVE + ACL LOAD, that is, the user's ACL
//! LIST line loaded as an aclfile gives the same ACL LIST (for rules made of printable
//! characters without spaces or parentheses: Redis writes patterns unquoted, so those do not
//! round-trip in Redis either). A rejected list must change nothing.
#![no_main]

use authgate::acl::Acl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rules: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if rules.len() > 64 {
        return;
    }
    let acl = Acl::new();
    acl.setuser(b"alice", &[&b"on"[..], b"~k*", b"+get"]).unwrap();
    let before = acl.list();
    if acl.setuser(b"alice", &rules).is_err() {
        assert_eq!(acl.list(), before, "a failed SETUSER changed a user");
        return;
    }
    let plain = |r: &[u8]| r.iter().all(|&b| b.is_ascii_graphic() && b != b'(' && b != b')');
    if !rules.iter().all(|r| plain(r)) {
        return;
    }
    let mut file = Vec::new();
    for line in acl.list() {
        file.extend_from_slice(&line);
        file.push(b'\n');
    }
    let reloaded = Acl::new();
    if let Err(e) = reloaded.load_text(&file, "users.acl") {
        panic!("ACL LIST output does not load: {:?}\n{}", e, String::from_utf8_lossy(&file));
    }
    assert_eq!(reloaded.list(), acl.list(), "ACL SAVE + LOAD changed a user");
});
