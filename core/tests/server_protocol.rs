//! Protocol-level behaviour of `authgate serve`: pipelining, inline commands, protocol errors,
//! RESP3, and the limits on untrusted input.

mod server_util;

use server_util::{start, start_default, wait_for, Client, Reply};

#[test]
fn pipelined_multibulk_and_inline_commands() {
    let (_acl, h) = start_default();
    let mut c = Client::connect(h.port());
    c.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nGET k\r\nset \"a\\x41\" 'b c'\r\n\r\nget aA\nPING\r\n");
    assert_eq!(c.read().unwrap(), Reply::status("OK"));
    assert_eq!(c.read().unwrap(), Reply::bulk("hello"));
    assert_eq!(c.read().unwrap(), Reply::status("OK"));
    assert_eq!(c.read().unwrap(), Reply::bulk("b c"));
    assert_eq!(c.read().unwrap(), Reply::status("PONG"));
}

#[test]
fn many_pipelined_commands_in_one_write() {
    let (_acl, h) = start_default();
    let mut c = Client::connect(h.port());
    let mut batch = Vec::new();
    for _ in 0..2000 {
        batch.extend_from_slice(b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
    }
    c.send_raw(&batch);
    for i in 1..=2000 {
        assert_eq!(c.read().unwrap(), Reply::Int(i));
    }
}

#[test]
fn protocol_errors_reply_then_close() {
    let (_acl, h) = start_default();
    let cases: &[(&[u8], &str)] = &[
        (b"\"foo\r\n", "ERR Protocol error: unbalanced quotes in request"),
        (b"*1\r\n+PING\r\n", "ERR Protocol error: expected '$', got '+'"),
        (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
        (b"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"),
        (b"*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"),
    ];
    for (input, text) in cases {
        let mut c = Client::connect(h.port());
        c.send_raw(b"PING\r\n");
        c.send_raw(input);
        assert_eq!(c.read().unwrap(), Reply::status("PONG"));
        assert_eq!(c.read().unwrap(), Reply::err(text));
        assert!(c.is_closed(), "connection should close after {text}");
    }
    let mut c = Client::connect(h.port());
    c.send_raw(&vec![b'x'; 70 * 1024]);
    assert_eq!(c.read().unwrap(), Reply::err("ERR Protocol error: too big inline request"));
    assert!(c.is_closed());
}

#[test]
fn unauthenticated_limits() {
    let acl = std::sync::Arc::new(authgate::acl::Acl::new());
    acl.set_requirepass(b"pw");
    let h = start(acl);
    let mut c = Client::connect(h.port());
    c.send_raw(b"*11\r\n");
    assert_eq!(c.read().unwrap(), Reply::err("ERR Protocol error: unauthenticated multibulk length"));
    let mut c = Client::connect(h.port());
    c.send_raw(b"*2\r\n$3\r\nget\r\n$16385\r\n");
    assert_eq!(c.read().unwrap(), Reply::err("ERR Protocol error: unauthenticated bulk length"));
    // Pipelining unauthenticated commands without reading: dropped once the replies of the
    // requests read at once pass the output limit (16 KB, about 480 NOAUTH errors). However
    // the kernel splits 600 KB of requests into reads, the server sees reads of thousands of
    // them, so it closes the connection long before it has answered them all.
    let total = 100_000;
    let mut c = Client::connect(h.port());
    let writer = c.send_raw_in_background(b"PING\r\n".repeat(total));
    let mut answered = 0;
    let end = loop {
        match c.read() {
            Ok(r) => {
                assert_eq!(r, Reply::err("NOAUTH Authentication required."));
                answered += 1;
            }
            Err(e) => break e,
        }
    };
    writer.join().unwrap();
    assert!(
        matches!(end.kind(), std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset),
        "the connection should be closed, not time out: {end}"
    );
    assert!(answered < total, "all {total} unauthenticated requests were answered");
    // ...but a smaller batch is answered.
    let mut c = Client::connect(h.port());
    c.send_raw(&b"PING\r\n".repeat(100));
    for _ in 0..100 {
        assert_eq!(c.read().unwrap(), Reply::err("NOAUTH Authentication required."));
    }
}

#[test]
fn resp3_hello_and_shapes() {
    let (_acl, h) = start_default();
    let mut c = Client::connect(h.port());
    let hello = c.cmd(&["HELLO", "3", "SETNAME", "me"]);
    let Reply::Map(pairs) = &hello else { panic!("{hello:?}") };
    assert_eq!(pairs.len(), 7);
    assert_eq!(hello.field("server"), Some(Reply::bulk("redis")));
    assert_eq!(hello.field("version"), Some(Reply::bulk("7.0.15")));
    assert_eq!(hello.field("proto"), Some(Reply::Int(3)));
    assert_eq!(hello.field("modules"), Some(Reply::Array(vec![])));
    assert_eq!(c.cmd(&["GET", "missing"]), Reply::Null);
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), Reply::bulk("me"));
    assert!(matches!(c.cmd(&["CLIENT", "INFO"]), Reply::Verbatim(_)));
    assert_eq!(c.cmd(&["RESET"]), Reply::status("RESET"));
    assert_eq!(c.cmd(&["GET", "missing"]), Reply::Null);
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), Reply::Null);
}

#[test]
fn maxclients_is_enforced() {
    let acl = std::sync::Arc::new(authgate::acl::Acl::new());
    let h = authgate::server::Server::builder(acl).port(0).maxclients(2).build().unwrap().start().unwrap();
    let mut a = Client::connect(h.port());
    let mut b = Client::connect(h.port());
    assert_eq!(a.cmd(&["PING"]), Reply::status("PONG"));
    assert_eq!(b.cmd(&["PING"]), Reply::status("PONG"));
    let mut c = Client::connect(h.port());
    assert_eq!(c.read().unwrap(), Reply::err("ERR max number of clients reached"));
    assert!(c.is_closed());
    drop(a);
    // wait until the server has seen the disconnect: b is then the only client
    wait_for("the server to count one client", || {
        b.cmd(&["INFO", "clients"]).text().contains("\r\nconnected_clients:1\r\n").then_some(())
    });
    let mut d = Client::connect(h.port());
    assert_eq!(d.cmd(&["PING"]), Reply::status("PONG"));
}

#[test]
fn unknown_command_and_arity_errors() {
    let (_acl, h) = start_default();
    let mut c = Client::connect(h.port());
    let long = "a".repeat(200);
    assert_eq!(
        c.cmd(&["nosuch", &long, "b"]),
        Reply::err(&format!("ERR unknown command 'nosuch', with args beginning with: '{}' ", "a".repeat(128)))
    );
    assert_eq!(c.cmd(&["CONFIG", "nosuch"]), Reply::err("ERR unknown subcommand 'nosuch'. Try CONFIG HELP."));
    assert_eq!(c.cmd(&["GET"]), Reply::err("ERR wrong number of arguments for 'get' command"));
    assert_eq!(c.cmd(&["ACL"]), Reply::err("ERR wrong number of arguments for 'acl' command"));
    assert_eq!(c.cmd(&["LPUSH", "l", "x"]), Reply::err("ERR command 'lpush' is not supported by this server"));
    assert!(c.cmd(&["DEBUG", "SEGFAULT"]).text().starts_with("ERR DEBUG command not allowed."));
}
