//! ACL SAVE and ACL LOAD do their file I/O off the event loop: while one is held in the middle
//! of its I/O (the pause seam of `atomic_file`, which blocks the I/O until the test lets it go),
//! another client is served at once, and the issuing connection's pipeline waits its turn. The
//! server runs every connection on one event-loop thread, so a save or load done on that
//! thread would leave the other client's PING unanswered until the release.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use super::{ServerController, ServerOptions};
use crate::atomic_file::pause::Pause;
use crate::redis::acl::Acl;

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Only a guard against a hang: every read below expects bytes the server must send.
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s
}

fn expect_reply(s: &mut TcpStream, expected: &[u8]) {
    let mut got = vec![0u8; expected.len()];
    s.read_exact(&mut got)
        .unwrap_or_else(|e| panic!("no reply {:?}: {e}", String::from_utf8_lossy(expected)));
    assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(expected));
}

/// Nothing has been sent to `s` (the socket has no byte to read right now).
fn nothing_sent(s: &mut TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut one = [0u8; 1];
    let r = s.read(&mut one);
    s.set_nonblocking(false).unwrap();
    matches!(r, Err(e) if e.kind() == ErrorKind::WouldBlock)
}

#[test]
fn ping_is_answered_while_acl_save_and_load_are_in_their_file_io() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.acl");
    std::fs::write(&path, b"user default on nopass ~* &* +@all\n").unwrap();
    let acl = Arc::new(Acl::new());
    let opts = ServerOptions { aclfile: Some(path.clone()), ..Default::default() };
    let server = ServerController::new(acl.clone(), &opts).unwrap();
    let port = server.start().unwrap();
    // Made after the start, which loads the (small) aclfile: a large file for SAVE to write
    // and LOAD to read, 2,000 users with 40 patterns each (about 2 MB).
    for i in 0..2000 {
        let mut rules: Vec<Vec<u8>> = vec![b"on".to_vec(), format!(">pw{i}").into_bytes(), b"+@read".to_vec()];
        rules.extend((0..40).map(|j| format!("~user:{i}:key:{j}:*").into_bytes()));
        acl.setuser(format!("u{i}").as_bytes(), &rules).unwrap();
    }
    let listed = acl.list();
    for command in ["SAVE", "LOAD"] {
        let pause = Pause::at(&path);
        let mut a = connect(port);
        a.write_all(format!("ACL {command}\r\nPING\r\n").as_bytes()).unwrap();
        pause.wait_entered();
        // The ACL command is now held inside its file I/O...
        let mut b = connect(port);
        b.write_all(b"PING\r\n").unwrap();
        expect_reply(&mut b, b"+PONG\r\n");
        // ...and another client was served meanwhile, while the issuing client's own PING waits
        // behind its ACL command (replies in order): nothing can have been sent to it yet.
        assert!(nothing_sent(&mut a), "ACL {command} replied before its I/O was let go");
        drop(pause);
        expect_reply(&mut a, b"+OK\r\n+PONG\r\n");
    }
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 1_000_000, "the saved file is the large one: {size} bytes");
    assert_eq!(acl.list(), listed, "ACL LOAD read back what ACL SAVE wrote");
    assert!(server.stop());
}
