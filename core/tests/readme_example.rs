//! The README's Rust example, kept compiling and passing.

use std::sync::Arc;

use authgate::acl::{Acl, AclError, DenialKind};
use authgate::server::Server;

#[test]
fn readme_rust_example() {
    let acl = Arc::new(Acl::new());
    acl.setuser(b"alice", &["on", ">secret", "~cache:*", "+get"]).unwrap();
    assert!(acl.authenticate(b"alice", b"secret"));
    acl.check(b"alice", &["GET", "cache:1"]).unwrap();
    match acl.check(b"alice", &["GET", "other"]) {
        Err(AclError::Denied { kind: DenialKind::Key, object, .. }) => assert_eq!(object, b"other"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        acl.dryrun(b"alice", &["DEL", "x"]).unwrap().text(),
        b"This user has no permissions to run the 'del' command"
    );

    let server = Server::builder(acl.clone()).port(0).build().unwrap().start().unwrap();
    assert_ne!(server.port(), 0);
    server.stop();
}
