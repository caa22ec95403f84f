//! The string keyspace of `authgate serve`: commands, options, errors, databases, expiry.

mod server_util;

use server_util::{start_default, wait_for, Client, Reply};

#[test]
fn strings_and_counters() {
    let (_acl, h) = start_default();
    let mut c = Client::connect(h.port());
    assert_eq!(c.cmd(&["SET", "k", "v", "NX"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["SET", "k", "w", "NX"]), Reply::Null);
    assert_eq!(c.cmd(&["SET", "k", "w", "XX", "GET"]), Reply::bulk("v"));
    assert_eq!(c.cmd(&["SET", "k", "v", "EX", "GET"]), Reply::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["SET", "k", "v", "EX", "0"]), Reply::err("ERR invalid expire time in 'set' command"));
    assert_eq!(c.cmd(&["SET", "k", "v", "NX", "XX"]), Reply::err("ERR syntax error"));
    assert_eq!(c.cmd(&["APPEND", "k", "xyz"]), Reply::Int(4));
    assert_eq!(c.cmd(&["STRLEN", "k"]), Reply::Int(4));
    assert_eq!(c.cmd(&["INCR", "k"]), Reply::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["INCRBY", "n", "10"]), Reply::Int(10));
    assert_eq!(c.cmd(&["DECR", "n"]), Reply::Int(9));
    assert_eq!(c.cmd(&["INCRBYFLOAT", "f", "10.5"]), Reply::bulk("10.5"));
    assert_eq!(c.cmd(&["INCRBYFLOAT", "f", "0.1"]), Reply::bulk("10.6"));
    assert_eq!(c.cmd(&["MSET", "a", "1", "b", "2"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["MGET", "a", "b", "zz"]), Reply::Array(vec![Reply::bulk("1"), Reply::bulk("2"), Reply::Null]));
    assert_eq!(c.cmd(&["MSETNX", "a", "x", "c", "3"]), Reply::Int(0));
    assert_eq!(c.cmd(&["EXISTS", "a", "a", "c"]), Reply::Int(2));
    assert_eq!(c.cmd(&["DEL", "a", "b", "c"]), Reply::Int(2));
    assert_eq!(c.cmd(&["TYPE", "k"]), Reply::status("string"));
    assert_eq!(c.cmd(&["TYPE", "a"]), Reply::status("none"));
}

#[test]
fn databases_keys_scan_and_flush() {
    let (_acl, h) = start_default();
    let mut c = Client::connect(h.port());
    for i in 0..50 {
        assert_eq!(c.cmd(&["SET", &format!("user:{i}"), "x"]), Reply::status("OK"));
    }
    c.cmd(&["SET", "other", "x"]);
    assert_eq!(c.cmd(&["KEYS", "user:1?"]).items().len(), 10);
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    loop {
        let r = c.cmd(&["SCAN", &cursor, "MATCH", "user:*", "COUNT", "7"]).items();
        for k in r[1].items() {
            assert!(seen.insert(k.text()));
        }
        cursor = r[0].text();
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 50);
    assert_eq!(c.cmd(&["SCAN", "0", "TYPE", "list"]).items()[1], Reply::Array(vec![]));
    assert_eq!(c.cmd(&["SCAN", "x"]), Reply::err("ERR invalid cursor"));
    assert_eq!(c.cmd(&["SELECT", "16"]), Reply::err("ERR DB index is out of range"));
    assert_eq!(c.cmd(&["SELECT", "9"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["DBSIZE"]), Reply::Int(0));
    assert_eq!(c.cmd(&["SET", "z", "1"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["FLUSHDB"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["SELECT", "0"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["DBSIZE"]), Reply::Int(51));
    assert_eq!(c.cmd(&["FLUSHALL", "BAD"]), Reply::err("ERR syntax error"));
    assert_eq!(c.cmd(&["FLUSHALL"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["DBSIZE"]), Reply::Int(0));
}

#[test]
fn expiry() {
    let (_acl, h) = start_default();
    let mut c = Client::connect(h.port());
    // A long expiry for the checks that must see the key alive, however slow the machine.
    assert_eq!(c.cmd(&["SET", "k", "v", "PX", "100000"]), Reply::status("OK"));
    let Reply::Int(ttl) = c.cmd(&["PTTL", "k"]) else { panic!() };
    assert!(ttl > 0 && ttl <= 100_000, "{ttl}");
    assert_eq!(c.cmd(&["GET", "k"]), Reply::bulk("v"));
    assert_eq!(c.cmd(&["TTL", "nokey"]), Reply::Int(-2));
    // An expiry in the past deletes the key at once.
    assert_eq!(c.cmd(&["PEXPIREAT", "k", "1"]), Reply::Int(1));
    assert_eq!(c.cmd(&["GET", "k"]), Reply::Null);
    // A short one: the key goes away on its own (waiting for that, with a deadline).
    assert_eq!(c.cmd(&["SET", "k", "v", "PX", "20"]), Reply::status("OK"));
    wait_for("the key to expire", || (c.cmd(&["GET", "k"]) == Reply::Null).then_some(()));
    assert_eq!(c.cmd(&["EXISTS", "k"]), Reply::Int(0));
    assert_eq!(c.cmd(&["SET", "k", "v"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["TTL", "k"]), Reply::Int(-1));
    assert_eq!(c.cmd(&["EXPIRE", "k", "100", "XX"]), Reply::Int(0));
    assert_eq!(c.cmd(&["EXPIRE", "k", "100"]), Reply::Int(1));
    assert_eq!(c.cmd(&["EXPIRE", "k", "50", "GT"]), Reply::Int(0));
    assert_eq!(c.cmd(&["EXPIRE", "k", "10", "NX", "XX"]), Reply::err("ERR NX and XX, GT or LT options at the same time are not compatible"));
    assert_eq!(c.cmd(&["TTL", "k"]), Reply::Int(100));
    assert_eq!(c.cmd(&["SET", "k", "w", "KEEPTTL"]), Reply::status("OK"));
    assert_eq!(c.cmd(&["TTL", "k"]), Reply::Int(100));
    assert_eq!(c.cmd(&["PERSIST", "k"]), Reply::Int(1));
    assert_eq!(c.cmd(&["TTL", "k"]), Reply::Int(-1));
    assert_eq!(c.cmd(&["PEXPIRE", "k", "-1"]), Reply::Int(1));
    assert_eq!(c.cmd(&["EXISTS", "k"]), Reply::Int(0));
}

#[test]
fn sort_on_a_string_keyspace_and_info() {
    let (acl, h) = start_default();
    let mut c = Client::connect(h.port());
    assert_eq!(c.cmd(&["SET", "s", "v"]), Reply::status("OK"));
    assert_eq!(
        c.cmd(&["SORT", "s"]),
        Reply::err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(c.cmd(&["SORT", "missing", "LIMIT", "0", "x"]), Reply::err("ERR value is not an integer or out of range"));
    assert_eq!(c.cmd(&["SORT", "missing", "ALPHA", "DESC"]), Reply::Array(vec![]));
    assert_eq!(c.cmd(&["SORT", "missing", "STORE", "s"]), Reply::Int(0));
    assert_eq!(c.cmd(&["EXISTS", "s"]), Reply::Int(0), "STORE of an empty result deletes the destination");
    assert_eq!(c.cmd(&["SORT_RO", "missing", "STORE", "s"]), Reply::err("ERR syntax error"));

    // BY with a pattern and GET need unrestricted read access (spec §5).
    acl.setuser(b"limited", &["on", ">p", "+@all", "~v*", "%W~*"]).unwrap();
    let mut l = Client::connect(h.port());
    assert_eq!(l.cmd(&["AUTH", "limited", "p"]), Reply::status("OK"));
    assert_eq!(
        l.cmd(&["SORT", "vlist", "BY", "v*"]),
        Reply::err("ERR BY option of SORT denied due to insufficient ACL permissions.")
    );
    assert_eq!(
        l.cmd(&["SORT", "vlist", "GET", "#"]),
        Reply::err("ERR GET option of SORT denied due to insufficient ACL permissions.")
    );
    assert_eq!(l.cmd(&["SORT", "vlist", "BY", "nosort"]), Reply::Array(vec![]));

    c.cmd(&["SET", "k", "v", "EX", "100"]);
    let info = c.cmd(&["INFO"]).text();
    assert!(info.starts_with("# Server\r\nredis_version:7.0.15\r\n"), "{info}");
    assert!(info.contains("\r\nloading:0\r\n") && info.contains("\r\nrole:master\r\n"));
    assert!(info.contains("\r\ndb0:keys=1,expires=1,avg_ttl=0\r\n"), "{info}");
    let keyspace = c.cmd(&["INFO", "keyspace"]).text();
    assert!(keyspace.starts_with("# Keyspace\r\n") && !keyspace.contains("# Server"));
}
