//! aclfiles through ACL LOAD (Redis' line reading, per-line errors, all or nothing). Beyond
//! "never panics": a failed load changes nothing and says so in Redis' words, and a file that
//! loads survives ACL SAVE + ACL LOAD unchanged.
#![no_main]

use authgate::acl::{Acl, AclError};
use libfuzzer_sys::fuzz_target;

const NO_CHANGE: &[u8] =
    b"WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

fuzz_target!(|data: &[u8]| {
    let acl = Acl::new();
    acl.setuser(b"keeper", &[&b"on"[..], b"nopass", b"+@all"]).unwrap();
    let before = acl.list();
    match acl.load_text(data, "users.acl") {
        Err(AclError::Load(text)) => {
            assert!(text.ends_with(NO_CHANGE), "{}", String::from_utf8_lossy(&text));
            assert_eq!(acl.list(), before, "a failed ACL LOAD changed the users");
        }
        Err(e) => panic!("ACL LOAD failed with {e:?}"),
        Ok(()) => {
            let mut saved = Vec::new();
            for line in acl.list() {
                saved.extend_from_slice(&line);
                saved.push(b'\n');
            }
            let reloaded = Acl::new();
            if let Err(e) = reloaded.load_text(&saved, "users.acl") {
                panic!("ACL SAVE output of a loaded file does not load: {e:?}\n{}", String::from_utf8_lossy(&saved));
            }
            assert_eq!(reloaded.list(), acl.list(), "ACL SAVE + LOAD changed a user");
        }
    }
});
