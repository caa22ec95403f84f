//! AUTH, NOAUTH, NOPERM, ACL LOG and the effect of ACL changes on live connections.

mod server_util;

use std::sync::Arc;

use authgate::acl::Acl;
use authgate::server::Server;
use server_util::{start_default, Client, Reply};

#[test]
fn requirepass_noauth_and_auth_forms() {
    let acl = Arc::new(Acl::new());
    let h = Server::builder(acl.clone()).port(0).requirepass("secret").build().unwrap().start().unwrap();
    let mut c = Client::connect(h.port());
    // Unknown command and arity come before NOAUTH.
    assert_eq!(c.cmd(&["NOSUCH"]), Reply::err("ERR unknown command 'NOSUCH', with args beginning with: "));
    assert_eq!(c.cmd(&["GET"]), Reply::err("ERR wrong number of arguments for 'get' command"));
    assert_eq!(c.cmd(&["GET", "k"]), Reply::err("NOAUTH Authentication required."));
    assert_eq!(c.cmd(&["AUTH", "a", "b", "c"]), Reply::err("ERR syntax error"));
    assert_eq!(
        c.cmd(&["AUTH", "wrong"]),
        Reply::err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(c.cmd(&["HELLO", "3"]).text().split(' ').next(), Some("NOAUTH"));
    assert_eq!(c.cmd(&["AUTH", "secret"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["GET", "k"]), Reply::Null);
    assert_eq!(c.cmd(&["CONFIG", "GET", "requirepass"]).items()[1], Reply::bulk("secret"));

    // The failed AUTH is in the ACL LOG with argv[0] as typed.
    let log = c.cmd(&["ACL", "LOG"]);
    let entry = &log.items()[0];
    assert_eq!(entry.field("reason"), Some(Reply::bulk("auth")));
    assert_eq!(entry.field("object"), Some(Reply::bulk("AUTH")));
    assert_eq!(entry.field("username"), Some(Reply::bulk("default")));
    assert_eq!(entry.field("context"), Some(Reply::bulk("toplevel")));

    // Without a password on default, AUTH <pw> is refused.
    let mut d = Client::connect(h.port());
    assert_eq!(d.cmd(&["AUTH", "secret"]), Reply::status("OK"));
    assert_eq!(d.cmd(&["CONFIG", "SET", "requirepass", ""]), Reply::status("OK"));
    assert_eq!(
        d.cmd(&["AUTH", "x"]),
        Reply::err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
    );
}

#[test]
fn noperm_texts_and_log_entries() {
    let (acl, h) = start_default();
    acl.setuser(b"alice", &["on", ">pw", "+get", "+set", "+publish", "~k*", "&news"]).unwrap();
    let mut c = Client::connect(h.port());
    assert_eq!(c.cmd(&["AUTH", "alice", "pw"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["ACL", "WHOAMI"]), Reply::err("NOPERM this user has no permissions to run the 'acl|whoami' command"));
    assert_eq!(c.cmd(&["GET", "other"]), Reply::err("NOPERM this user has no permissions to access one of the keys used as arguments"));
    assert_eq!(c.cmd(&["PUBLISH", "sport", "x"]), Reply::err("NOPERM this user has no permissions to access one of the channels used as arguments"));
    assert_eq!(c.cmd(&["SET", "k1", "v"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["PUBLISH", "news", "x"]), Reply::Int(0));

    let mut admin = Client::connect(h.port());
    let log = admin.cmd(&["ACL", "LOG"]).items();
    assert_eq!(log.len(), 3);
    let objects: Vec<String> = log.iter().map(|e| e.field("object").unwrap().text()).collect();
    assert_eq!(objects, ["sport", "other", "acl|whoami"]);
    let reasons: Vec<String> = log.iter().map(|e| e.field("reason").unwrap().text()).collect();
    assert_eq!(reasons, ["channel", "key", "command"]);
    let info = log[1].field("client-info").unwrap().text();
    assert!(info.contains(" user=alice ") && info.contains(" cmd=get "), "{info}");
    assert!(matches!(log[0].field("age-seconds"), Some(Reply::Bulk(_))));
    assert_eq!(admin.cmd(&["ACL", "LOG", "RESET"]), Reply::status("OK"));
    assert_eq!(admin.cmd(&["ACL", "LOG"]), Reply::Array(vec![]));

    // A change made by the embedding program applies to the live connection at once.
    acl.setuser(b"alice", &["-get"]).unwrap();
    assert_eq!(c.cmd(&["GET", "k1"]), Reply::err("NOPERM this user has no permissions to run the 'get' command"));
}

#[test]
fn multi_queues_and_exec_rechecks() {
    let (acl, h) = start_default();
    acl.setuser(b"bob", &["on", "nopass", "+@all", "~*"]).unwrap();
    let mut c = Client::connect(h.port());
    assert_eq!(c.cmd(&["AUTH", "bob", "any"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["MULTI"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["SET", "a", "1"]), Reply::status("QUEUED"));
    assert_eq!(c.cmd(&["INCR", "a"]), Reply::status("QUEUED"));
    acl.setuser(b"bob", &["-incr"]).unwrap();
    let r = c.cmd(&["EXEC"]).items();
    assert_eq!(r[0], Reply::status("OK"));
    assert_eq!(r[1], Reply::err("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand"));
    let log = acl.log(Some(1));
    assert_eq!(log[0].context.as_str(), "multi");
    // A NOPERM while queueing aborts the transaction.
    assert_eq!(c.cmd(&["MULTI"]), Reply::status("OK"));
    assert!(c.cmd(&["INCR", "a"]).text().starts_with("NOPERM"));
    assert_eq!(c.cmd(&["EXEC"]), Reply::err("EXECABORT Transaction discarded because of previous errors."));
}

#[test]
fn deluser_disconnects_that_users_connections() {
    let (acl, h) = start_default();
    acl.setuser(b"carol", &["on", ">pw", "+@all", "~*"]).unwrap();
    let mut victim = Client::connect(h.port());
    assert_eq!(victim.cmd(&["AUTH", "carol", "pw"]), Reply::status("OK"));
    let mut other = Client::connect(h.port());
    assert_eq!(other.cmd(&["ACL", "DELUSER", "carol", "nobody"]), Reply::Int(1));
    assert!(victim.is_closed());
    assert_eq!(other.cmd(&["PING"]), Reply::status("PONG"));

    // Deleting one's own user: the reply arrives, then the connection closes.
    acl.setuser(b"dave", &["on", ">pw", "+@all", "~*"]).unwrap();
    let mut me = Client::connect(h.port());
    assert_eq!(me.cmd(&["AUTH", "dave", "pw"]), Reply::status("OK"));
    assert_eq!(me.cmd(&["ACL", "DELUSER", "dave"]), Reply::Int(1));
    assert!(me.is_closed());
    assert_eq!(other.cmd(&["ACL", "DELUSER", "default"]), Reply::err("ERR The 'default' user cannot be removed"));
}

#[test]
fn acl_load_and_save_with_aclfile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.acl");
    std::fs::write(&path, "user alice on >alice ~* &* +@all\nuser default on nopass ~* &* +@all\n").unwrap();
    let acl = Arc::new(Acl::new());
    let h = Server::builder(acl.clone()).port(0).aclfile(&path).build().unwrap().start().unwrap();
    let mut alice = Client::connect(h.port());
    assert_eq!(alice.cmd(&["AUTH", "alice", "alice"]), Reply::status("OK"));
    let mut admin = Client::connect(h.port());
    assert_eq!(admin.cmd(&["ACL", "SETUSER", "bob", "on", ">bob"]), Reply::status("OK"));
    assert_eq!(admin.cmd(&["ACL", "SAVE"]), Reply::status("OK"));
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("user bob on #"), "{saved}");
    assert_eq!(admin.cmd(&["ACL", "LOAD"]), Reply::status("OK"));
    // Redis 7.0: every non-default connection is dropped by a successful ACL LOAD.
    assert!(alice.is_closed());
    assert_eq!(admin.cmd(&["PING"]), Reply::status("PONG"));
    std::fs::write(&path, "user x on +nosuch\n").unwrap();
    let err = admin.cmd(&["ACL", "LOAD"]).text();
    assert!(err.starts_with("ERR ") && err.ends_with("WARNING: ACL errors detected, no change to the previously active ACL rules was performed"), "{err}");

    // Without an aclfile, LOAD/SAVE refuse.
    let (_acl2, h2) = start_default();
    let mut c = Client::connect(h2.port());
    assert!(c.cmd(&["ACL", "SAVE"]).text().starts_with("ERR This Redis instance is not configured to use an ACL file."));
}

#[test]
fn hello_auth_and_getuser_shapes() {
    let (acl, h) = start_default();
    acl.setuser(b"eve", &["on", ">pw", "+get", "~x", "(+set ~y)"]).unwrap();
    let mut c = Client::connect(h.port());
    let r = c.cmd(&["HELLO", "3", "AUTH", "eve", "bad"]);
    assert_eq!(r, Reply::err("WRONGPASS invalid username-password pair or user is disabled."));
    assert_eq!(acl.log(Some(1))[0].object, b"HELLO".to_vec());
    let r = c.cmd(&["HELLO", "3", "AUTH", "eve", "pw"]);
    assert_eq!(r.field("proto"), Some(Reply::Int(3)));
    let mut admin = Client::connect(h.port());
    admin.cmd(&["HELLO", "3"]);
    let u = admin.cmd(&["ACL", "GETUSER", "eve"]);
    assert!(matches!(u.field("flags"), Some(Reply::Set(_))));
    assert_eq!(u.field("commands"), Some(Reply::bulk("-@all +get")));
    let sels = u.field("selectors").unwrap().items();
    assert_eq!(sels[0].field("keys"), Some(Reply::bulk("~y")));
    assert_eq!(admin.cmd(&["ACL", "GETUSER", "nobody"]), Reply::Null);
    assert_eq!(admin.cmd(&["ACL", "DRYRUN", "eve", "set", "x", "v"]), Reply::bulk("This user has no permissions to access the 'x' key"));
    assert_eq!(admin.cmd(&["ACL", "DRYRUN", "eve", "get", "x"]), Reply::status("OK"));
    assert_eq!(admin.cmd(&["ACL", "HELP"]).items().len(), 29);
}

#[test]
fn client_kill_user_and_list() {
    let (acl, h) = start_default();
    acl.setuser(b"frank", &["on", "nopass", "+@all"]).unwrap();
    let mut a = Client::connect(h.port());
    assert_eq!(a.cmd(&["CLIENT", "SETNAME", "first"]), Reply::status("OK"));
    assert_eq!(a.cmd(&["AUTH", "frank", "x"]), Reply::status("OK"));
    let mut b = Client::connect(h.port());
    let list = b.cmd(&["CLIENT", "LIST"]).text();
    assert!(list.lines().any(|l| l.contains("name=first") && l.contains(" user=frank ")), "{list}");
    assert_eq!(b.cmd(&["CLIENT", "KILL", "USER", "nosuch"]), Reply::err("ERR No such user 'nosuch'"));
    assert_eq!(b.cmd(&["CLIENT", "KILL", "USER", "frank"]), Reply::Int(1));
    assert!(a.is_closed());
    assert_eq!(b.cmd(&["CLIENT", "KILL", "USER", "default"]), Reply::Int(0));
}
