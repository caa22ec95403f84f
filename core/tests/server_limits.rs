//! Issue 15's server findings, each as the behaviour that must hold: clients that do not read
//! are dropped at their `client-output-buffer-limit`, a kill (CLIENT KILL, ACL DELUSER) closes
//! even a client blocked in a write and frees its slot before the command replies, parsed
//! arguments count against `client-query-buffer-limit`, and `maxclients` is exact.

mod server_util;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authgate::acl::Acl;
use authgate::server::Server;
use server_util::{start_default, wait_for, Client, Reply};

/// Reads until the server closes the connection; the bytes received, or None if it is still
/// open after 10 seconds.
fn bytes_until_closed(s: &mut TcpStream) -> Option<usize> {
    s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0;
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return Some(total),
            Ok(n) => total += n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return Some(total),
        }
    }
    None
}

fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn client_ids(admin: &mut Client) -> Vec<String> {
    let list = admin.cmd(&["CLIENT", "LIST"]).text();
    list.lines().filter_map(|l| l.split(' ').next()).map(str::to_string).collect()
}

fn connected_clients(admin: &mut Client) -> String {
    let info = admin.cmd(&["INFO", "clients"]).text();
    info.lines().find_map(|l| l.strip_prefix("connected_clients:")).unwrap_or_default().to_string()
}

#[test]
fn a_subscriber_that_does_not_read_is_dropped_at_its_pubsub_limit() {
    let (_acl, h) = start_default();
    let mut admin = Client::connect(h.port());
    assert_eq!(admin.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0"]), Reply::status("OK"));
    assert_eq!(
        admin.cmd(&["CONFIG", "GET", "client-output-buffer-limit"]).items()[1].text(),
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 262144 0 0"
    );
    let mut sub = TcpStream::connect(("127.0.0.1", h.port())).unwrap();
    sub.write_all(&command(&[b"SUBSCRIBE", b"flood"])).unwrap();
    wait_for("the subscription", || (admin.cmd(&["PUBSUB", "NUMSUB", "flood"]).items()[1] == Reply::Int(1)).then_some(()));
    let payload = "x".repeat(1 << 20);
    let mut sent = 0;
    // The subscriber never reads: after what the socket buffers take, its output grows past
    // 256 KiB and it is dropped; the publisher then reaches nobody.
    while admin.cmd(&["PUBLISH", "flood", &payload]) == Reply::Int(1) {
        sent += 1;
        assert!(sent < 200, "a subscriber that never reads is still subscribed after 200 MB");
    }
    assert_eq!(admin.cmd(&["PUBSUB", "NUMSUB", "flood"]).items()[1], Reply::Int(0));
    assert_eq!(connected_clients(&mut admin), "1");
    let got = bytes_until_closed(&mut sub).expect("the subscriber's socket is closed");
    assert!(got < sent << 20, "the unsent output was dropped, not delivered");
}

/// A client that pipelines big GETs and never reads: its replies fill the socket, and the
/// server's write to it blocks.
fn blocked_reader(port: u16, admin: &mut Client, auth: Option<(&str, &str)>) -> (TcpStream, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    if let Some((user, pass)) = auth {
        s.write_all(&command(&[b"AUTH", user.as_bytes(), pass.as_bytes()])).unwrap();
        let mut ok = [0u8; 5];
        s.read_exact(&mut ok).unwrap();
        assert_eq!(&ok, b"+OK\r\n");
    }
    s.write_all(&command(&[b"CLIENT", b"SETNAME", b"victim"])).unwrap();
    let mut ok = [0u8; 5];
    s.read_exact(&mut ok).unwrap();
    let pipeline = command(&[b"GET", b"big"]).repeat(64);
    s.write_all(&pipeline).unwrap();
    let line = wait_for("the GETs to run", || {
        let list = admin.cmd(&["CLIENT", "LIST"]).text();
        list.lines().find(|l| l.contains("name=victim") && l.contains("cmd=get")).map(str::to_string)
    });
    (s, line.split(' ').next().unwrap().trim_start_matches("id=").to_string())
}

#[test]
fn client_kill_and_acl_deluser_close_a_client_blocked_in_a_write_at_once() {
    let (_acl, h) = start_default();
    let mut admin = Client::connect(h.port());
    assert_eq!(admin.cmd(&["SET", "big", &"v".repeat(1 << 20)]), Reply::status("OK"));
    assert_eq!(admin.cmd(&["ACL", "SETUSER", "doomed", "on", ">pw", "+@all", "~*"]), Reply::status("OK"));

    let (mut victim, id) = blocked_reader(h.port(), &mut admin, None);
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "ID", &id]), Reply::Int(1));
    assert!(!client_ids(&mut admin).contains(&format!("id={id}")), "the slot is free when CLIENT KILL replies");
    assert_eq!(connected_clients(&mut admin), "1");
    let got = bytes_until_closed(&mut victim).expect("the killed client's socket is closed");
    assert!(got < 64 << 20, "its unsent replies were dropped");

    let (mut victim, id) = blocked_reader(h.port(), &mut admin, Some(("doomed", "pw")));
    assert_eq!(admin.cmd(&["ACL", "DELUSER", "doomed"]), Reply::Int(1));
    assert!(!client_ids(&mut admin).contains(&format!("id={id}")));
    assert_eq!(connected_clients(&mut admin), "1");
    assert!(bytes_until_closed(&mut victim).is_some(), "the deleted user's socket is closed");
}

#[test]
fn a_client_killing_itself_still_gets_the_reply() {
    let (_acl, h) = start_default();
    let mut c = Client::connect(h.port());
    let id = c.cmd(&["CLIENT", "ID"]);
    let Reply::Int(id) = id else { panic!("{id:?}") };
    c.send(&["CLIENT", "KILL", "ID", &id.to_string(), "SKIPME", "no"]);
    c.send(&["PING"]);
    assert_eq!(c.read().unwrap(), Reply::Int(1));
    assert!(c.is_closed(), "closed after the reply, before the pipelined PING");
}

#[test]
fn the_normal_class_hard_limit_drops_a_client_without_its_reply() {
    let (_acl, h) = start_default();
    let mut admin = Client::connect(h.port());
    assert_eq!(admin.cmd(&["SET", "big", &"v".repeat(1 << 20)]), Reply::status("OK"));
    assert_eq!(admin.cmd(&["SET", "small", &"v".repeat(50_000)]), Reply::status("OK"));
    assert_eq!(admin.cmd(&["CONFIG", "SET", "client-output-buffer-limit", "normal 100kb 0 0"]), Reply::status("OK"));
    let mut c = TcpStream::connect(("127.0.0.1", h.port())).unwrap();
    c.write_all(&command(&[b"GET", b"small"])).unwrap();
    let mut head = [0u8; 8];
    c.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"$50000\r\n", "a reply under the limit is sent");
    let mut rest = vec![0u8; 50_002];
    c.read_exact(&mut rest).unwrap();
    c.write_all(&command(&[b"GET", b"big"])).unwrap();
    assert_eq!(bytes_until_closed(&mut c), Some(0), "closed without any of the reply");
    assert_eq!(connected_clients(&mut admin), "1");
}

/// `*2147483647` then empty arguments: each leaves the read buffer as it is parsed, so only
/// counting the parsed arguments keeps the client inside its query buffer limit.
#[test]
fn arguments_of_an_endless_request_count_against_the_query_buffer_limit() {
    let (_acl, h) = start_default();
    let mut admin = Client::connect(h.port());
    assert_eq!(admin.cmd(&["CONFIG", "SET", "client-query-buffer-limit", "1mb"]), Reply::status("OK"));
    let mut c = TcpStream::connect(("127.0.0.1", h.port())).unwrap();
    c.write_all(b"*2147483647\r\n").unwrap();
    let chunk = b"$0\r\n\r\n".repeat(10_000);
    let writer = {
        let mut w = c.try_clone().unwrap();
        std::thread::spawn(move || {
            for _ in 0..100 {
                if w.write_all(&chunk).is_err() {
                    return;
                }
            }
        })
    };
    assert!(bytes_until_closed(&mut c).is_some(), "the client is closed at the limit");
    writer.join().unwrap();
    assert_eq!(connected_clients(&mut admin), "1");
}

/// `maxclients` counted and claimed in one step: on a multi-threaded runtime, concurrent
/// connections never get past it.
#[test]
fn maxclients_is_exact_under_concurrent_connects() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    let server = Server::builder(Arc::new(Acl::new())).bind("127.0.0.1").port(0).maxclients(5).build().unwrap();
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let serving = runtime.spawn(server.run_until(
        async {
            let _ = stop_rx.await;
        },
        move |addrs| port_tx.send(addrs[0].port()).unwrap(),
    ));
    let port = port_rx.recv().unwrap();
    for _round in 0..3 {
        let barrier = Arc::new(std::sync::Barrier::new(40));
        let threads: Vec<_> = (0..40)
            .map(|_| {
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    s.write_all(b"PING\r\n").unwrap();
                    let mut reply = Vec::new();
                    let mut byte = [0u8; 1];
                    while !reply.ends_with(b"\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
                        reply.push(byte[0]);
                    }
                    (String::from_utf8(reply).unwrap(), s)
                })
            })
            .collect();
        let results: Vec<(String, TcpStream)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let served = results.iter().filter(|(r, _)| r == "+PONG\r\n").count();
        let refused = results.iter().filter(|(r, _)| r == "-ERR max number of clients reached\r\n").count();
        assert_eq!((served, refused), (5, 35), "{:?}", results.iter().map(|r| &r.0).collect::<Vec<_>>());
        drop(results);
        // Every slot comes back once those clients leave.
        wait_for("the slots to be free", || {
            let mut c = Client::connect(port);
            c.send(&["INFO", "clients"]);
            c.read().ok()?.text().contains("connected_clients:1\r\n").then_some(())
        });
    }
    let _ = stop_tx.send(());
    runtime.block_on(serving).unwrap().unwrap();
}
