//! The error contract: every engine and server failure converts into `authgate::Error` with
//! the kind, code, text and fields that every binding shows.

use std::sync::Arc;

use authgate::acl::{Acl, DenialKind};
use authgate::server::{ServerController, ServerOptions};
use authgate::{Error, ErrorKind};

fn err(r: Result<impl std::fmt::Debug, impl Into<Error> + std::fmt::Debug>) -> Error {
    r.map_err(Into::into).unwrap_err()
}

#[test]
fn denials_carry_kind_command_and_object() {
    let acl = Acl::new();
    acl.setuser(b"u", &["on", "nopass", "~k*", "&ch", "+get", "+publish"]).unwrap();

    let e = err(acl.check(b"u", &["SET", "k1", "v"]));
    assert_eq!((e.kind(), e.code()), (ErrorKind::NoPerm, "NOPERM"));
    assert_eq!(e.message(), "NOPERM this user has no permissions to run the 'set' command");
    let d = e.denial().unwrap();
    assert_eq!((d.kind, d.command.as_str(), d.object.as_slice()), (DenialKind::Command, "set", &b"set"[..]));
    assert_eq!(d.kind.as_str(), "command");

    let e = err(acl.check(b"u", &["GET", "other"]));
    let d = e.denial().unwrap();
    assert_eq!((d.kind.as_str(), d.object.as_slice()), ("key", &b"other"[..]));
    assert_eq!(e.message(), "NOPERM this user has no permissions to access one of the keys used as arguments");

    let e = err(acl.check(b"u", &["PUBLISH", "nope", "m"]));
    assert_eq!(e.denial().unwrap().kind.as_str(), "channel");
    assert_eq!(e.denial().unwrap().object, b"nope");
}

#[test]
fn engine_errors_map_to_their_kinds() {
    let acl = Acl::new();
    let e = err(acl.check(b"ghost", &["GET", "k"]));
    assert_eq!((e.code(), e.message()), ("NOT_FOUND", "ERR User 'ghost' not found".to_string()));
    assert!(e.denial().is_none());

    let e = err(acl.setuser(b"u", &["+nosuchcommand"]));
    assert_eq!(e.code(), "ERR");
    assert_eq!(
        e.message(),
        "ERR Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("users.acl");
    std::fs::write(&bad, "user alice on +nosuch\n").unwrap();
    let e = err(acl.load(&bad));
    assert_eq!(e.code(), "CONFIG");
    assert!(e.message().starts_with("ERR /"), "{}", e.message());

    let e = err(acl.save(&dir.path().join("no/such/dir/users.acl")));
    assert_eq!(e.code(), "IO");
    assert!(e.detail().is_some());
    assert_eq!(
        e.message(),
        "ERR There was an error trying to save the ACLs. Please check the server logs for more information"
    );
}

#[test]
fn server_errors_map_to_their_kinds() {
    let opts = ServerOptions { config_file: Some("/nonexistent/authgate.conf".into()), ..Default::default() };
    let e = ServerController::new(Arc::new(Acl::new()), &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.message().starts_with("Fatal error, can't open config file '/nonexistent/authgate.conf'"));

    let dir = tempfile::tempdir().unwrap();
    let acl_path = dir.path().join("users.acl");
    std::fs::write(&acl_path, "user alice on +nosuch\n").unwrap();
    let opts = ServerOptions { aclfile: Some(acl_path), ..Default::default() };
    let server = ServerController::new(Arc::new(Acl::new()), &opts).unwrap();
    let e = server.start().unwrap_err();
    assert_eq!(e.code(), "CONFIG");
    assert!(e.message().starts_with("Aborting Redis startup because of ACL errors: "), "{}", e.message());
    assert!(!server.running());
}
