//! The work budget of a connection (16 commands per pass over its input, conn.rs): a client
//! whose buffer holds a long pipeline yields the event loop to the other clients between
//! slices instead of keeping it for the whole buffer. Shown by order, not by time: the server
//! and both clients share one current-thread runtime, so nothing runs until the test awaits,
//! and what the second client's command sees tells how far the first client's pipeline got.

use std::net::SocketAddr;
use std::sync::Arc;

use authgate::acl::Acl;
use authgate::server::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The server's budget (conn.rs `WORK_BUDGET`).
const BUDGET: u64 = 16;

/// Commands in the first client's pipeline: several budgets and more than one 16 KiB read,
/// small enough (32,000 bytes) for loopback to take at once while the server does not read.
const PIPELINE: u64 = 4000;

/// Reads from `stream` until `want` bytes have arrived.
async fn read_exactly(stream: &mut TcpStream, want: usize) -> Vec<u8> {
    let mut buf = vec![0; want];
    stream.read_exact(&mut buf).await.unwrap();
    buf
}

/// Sends `request` and reads one integer or bulk-string reply of the form the caller knows.
async fn round_trip(stream: &mut TcpStream, request: &[u8], reply: &[u8]) {
    stream.write_all(request).await.unwrap();
    assert_eq!(read_exactly(stream, reply.len()).await, reply, "reply to {:?}", String::from_utf8_lossy(request));
}

/// Reads a bulk-string reply holding a number (`$N\r\n<digits>\r\n`).
async fn read_bulk_number(stream: &mut TcpStream) -> u64 {
    let mut text = Vec::new();
    while !text.ends_with(b"\r\n") || text.iter().filter(|&&b| b == b'\n').count() < 2 {
        let mut byte = [0u8];
        stream.read_exact(&mut byte).await.unwrap();
        text.push(byte[0]);
    }
    let text = String::from_utf8(text).unwrap();
    let (_, digits) = text.trim_end().split_once("\r\n").unwrap();
    digits.parse().unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn a_long_pipeline_lets_another_client_in_after_each_budget() {
    let server = Server::builder(Arc::new(Acl::new())).bind("127.0.0.1").port(0).build().unwrap();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run_until(
        async {
            let _ = stop_rx.await;
        },
        move |addrs| ready_tx.send(addrs[0]).unwrap(),
    ));
    let addr = ready_rx.await.unwrap();

    // Both connections accepted and idle in their reads, the counter at 1.
    let mut first = TcpStream::connect(addr).await.unwrap();
    let mut second = TcpStream::connect(addr).await.unwrap();
    round_trip(&mut first, b"INCR n\r\n", b":1\r\n").await;
    round_trip(&mut second, b"PING\r\n", b"+PONG\r\n").await;

    // The pipeline, then the second client's GET, both in the kernel before the server runs
    // again: this task has not yielded since, and loopback takes the bytes in one write.
    let pipeline = b"INCR n\r\n".repeat(PIPELINE as usize);
    assert_eq!(first.try_write(&pipeline).unwrap(), pipeline.len(), "loopback took the pipeline in part");
    assert_eq!(second.try_write(b"GET n\r\n").unwrap(), 7);

    // One poll of the event loop finds both sockets readable and wakes the first client first
    // (its bytes came first). It runs one budget of INCRs and yields, which puts it behind the
    // tasks already woken: the second client's GET runs next and sees exactly one budget.
    let seen = read_bulk_number(&mut second).await;
    assert!(seen > 1, "the GET ran before the pipeline started: {seen}");
    assert!(seen < 1 + PIPELINE, "the pipeline kept the event loop to its end: the GET saw {seen}");
    assert_eq!(seen - 1, BUDGET, "the pipeline yielded after {} commands", seen - 1);

    // The pipeline's replies are all there, in order, and the counter ends at its total.
    let mut expected = Vec::new();
    for n in 2..=1 + PIPELINE {
        expected.extend_from_slice(format!(":{n}\r\n").as_bytes());
    }
    assert_eq!(read_exactly(&mut first, expected.len()).await, expected);
    let total = (1 + PIPELINE).to_string();
    round_trip(&mut second, b"GET n\r\n", format!("${}\r\n{total}\r\n", total.len()).as_bytes()).await;

    stop_tx.send(()).unwrap();
    serving.await.unwrap().unwrap();
}
