//! Pub/Sub through `authgate serve`: delivery, reply shapes, context rules, revocation.

mod server_util;

use server_util::{start_default, Client, Reply};

fn push(items: &[Reply]) -> Vec<Reply> {
    items.to_vec()
}

#[test]
fn publish_delivers_messages_and_pmessages() {
    let (_acl, h) = start_default();
    let mut sub = Client::connect(h.port());
    assert_eq!(sub.cmd(&["SUBSCRIBE", "news"]).items(), push(&[Reply::bulk("subscribe"), Reply::bulk("news"), Reply::Int(1)]));
    sub.send(&["PSUBSCRIBE", "n*"]);
    assert_eq!(sub.read().unwrap().items(), push(&[Reply::bulk("psubscribe"), Reply::bulk("n*"), Reply::Int(2)]));
    let mut publ = Client::connect(h.port());
    assert_eq!(publ.cmd(&["PUBLISH", "news", "hi"]), Reply::Int(2));
    assert_eq!(publ.cmd(&["PUBLISH", "other", "hi"]), Reply::Int(0));
    assert_eq!(sub.read().unwrap().items(), push(&[Reply::bulk("message"), Reply::bulk("news"), Reply::bulk("hi")]));
    assert_eq!(
        sub.read().unwrap().items(),
        push(&[Reply::bulk("pmessage"), Reply::bulk("n*"), Reply::bulk("news"), Reply::bulk("hi")])
    );
    // RESP2 context restriction, and PING's special reply.
    assert_eq!(
        sub.cmd(&["GET", "x"]),
        Reply::err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
    );
    assert_eq!(sub.cmd(&["PING"]).items(), push(&[Reply::bulk("pong"), Reply::bulk("")]));
    assert_eq!(publ.cmd(&["PUBSUB", "NUMSUB", "news"]).items(), push(&[Reply::bulk("news"), Reply::Int(1)]));
    sub.send(&["UNSUBSCRIBE"]);
    assert_eq!(sub.read().unwrap().items(), push(&[Reply::bulk("unsubscribe"), Reply::bulk("news"), Reply::Int(1)]));
    sub.send(&["PUNSUBSCRIBE"]);
    assert_eq!(sub.read().unwrap().items(), push(&[Reply::bulk("punsubscribe"), Reply::bulk("n*"), Reply::Int(0)]));
    assert_eq!(sub.cmd(&["UNSUBSCRIBE"]).items(), push(&[Reply::bulk("unsubscribe"), Reply::Null, Reply::Int(0)]));
    assert_eq!(sub.cmd(&["PING"]), Reply::status("PONG"));
}

#[test]
fn resp3_subscribers_get_pushes_and_can_run_commands() {
    let (_acl, h) = start_default();
    let mut sub = Client::connect(h.port());
    sub.cmd(&["HELLO", "3"]);
    assert!(matches!(sub.cmd(&["SUBSCRIBE", "c"]), Reply::Push(_)));
    assert_eq!(sub.cmd(&["GET", "x"]), Reply::Null);
    let mut publ = Client::connect(h.port());
    assert_eq!(publ.cmd(&["PUBLISH", "c", "m"]), Reply::Int(1));
    assert_eq!(sub.read().unwrap(), Reply::Push(vec![Reply::bulk("message"), Reply::bulk("c"), Reply::bulk("m")]));
}

#[test]
fn subscribers_are_killed_when_channel_permission_is_revoked() {
    let (acl, h) = start_default();
    acl.setuser(b"psuser", &["on", "nopass", "+@all", "&news.*", "&sport"]).unwrap();
    let mut pattern_sub = Client::connect(h.port());
    assert_eq!(pattern_sub.cmd(&["AUTH", "psuser", "x"]), Reply::status("OK"));
    pattern_sub.cmd(&["PSUBSCRIBE", "news.*"]);
    let mut channel_sub = Client::connect(h.port());
    assert_eq!(channel_sub.cmd(&["AUTH", "psuser", "x"]), Reply::status("OK"));
    channel_sub.send(&["SUBSCRIBE", "news.1", "sport"]);
    channel_sub.read().unwrap();
    channel_sub.read().unwrap();
    assert_eq!(
        channel_sub.cmd(&["SUBSCRIBE", "other"]),
        Reply::err("NOPERM this user has no permissions to access one of the channels used as arguments")
    );
    let mut admin = Client::connect(h.port());
    assert_eq!(admin.cmd(&["ACL", "SETUSER", "psuser", "resetchannels", "&news.1", "&sport"]), Reply::status("OK"));
    assert!(pattern_sub.is_closed());
    assert_eq!(admin.cmd(&["PUBLISH", "sport", "goal"]), Reply::Int(1));
    assert_eq!(channel_sub.read().unwrap().items()[2], Reply::bulk("goal"));
}
