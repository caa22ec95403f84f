//! A tiny blocking RESP client and server fixture for the server integration tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use authgate::acl::Acl;
use authgate::server::{Server, ServerHandle};

/// A decoded reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    Null,
    Array(Vec<Reply>),
    Map(Vec<(Reply, Reply)>),
    Set(Vec<Reply>),
    Push(Vec<Reply>),
    Double(String),
    Bool(bool),
    Verbatim(Vec<u8>),
}

impl Reply {
    pub fn bulk(s: &str) -> Reply {
        Reply::Bulk(s.as_bytes().to_vec())
    }
    pub fn status(s: &str) -> Reply {
        Reply::Status(s.to_string())
    }
    pub fn err(s: &str) -> Reply {
        Reply::Error(s.to_string())
    }
    pub fn text(&self) -> String {
        match self {
            Reply::Bulk(b) | Reply::Verbatim(b) => String::from_utf8_lossy(b).into_owned(),
            Reply::Status(s) | Reply::Error(s) | Reply::Double(s) => s.clone(),
            other => format!("{other:?}"),
        }
    }
    pub fn items(&self) -> Vec<Reply> {
        match self {
            Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => v.clone(),
            Reply::Map(pairs) => pairs.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect(),
            _ => Vec::new(),
        }
    }
    /// Value under `key` in a map (RESP3) or flat key/value array (RESP2).
    pub fn field(&self, key: &str) -> Option<Reply> {
        let items = self.items();
        items.chunks(2).find(|p| p[0].text() == key).map(|p| p[1].clone())
    }
}

pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    pub fn connect(port: u16) -> Client {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Client { reader: BufReader::new(s.try_clone().unwrap()), writer: s }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write");
    }

    /// Writes `bytes` from another thread, ignoring write errors (for input the server may stop
    /// reading and close the connection on); join the handle once the replies are read.
    pub fn send_raw_in_background(&self, bytes: Vec<u8>) -> std::thread::JoinHandle<()> {
        let mut w = self.writer.try_clone().expect("clone");
        std::thread::spawn(move || {
            let _ = w.write_all(&bytes);
        })
    }

    pub fn send(&mut self, args: &[&str]) {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        self.send_raw(&out);
    }

    pub fn cmd(&mut self, args: &[&str]) -> Reply {
        self.send(args);
        self.read().expect("reply")
    }

    fn line(&mut self) -> std::io::Result<String> {
        let mut l = String::new();
        let n = self.reader.read_line(&mut l)?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
        }
        Ok(l.trim_end_matches("\r\n").to_string())
    }

    fn bulk_body(&mut self, n: usize) -> std::io::Result<Vec<u8>> {
        let mut buf = vec![0; n + 2];
        self.reader.read_exact(&mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    fn many(&mut self, n: &str) -> std::io::Result<Vec<Reply>> {
        let n: usize = n.parse().unwrap();
        (0..n).map(|_| self.read()).collect()
    }

    /// Reads one reply; Err on EOF/timeout.
    pub fn read(&mut self) -> std::io::Result<Reply> {
        let l = self.line()?;
        let (t, rest) = l.split_at(1);
        Ok(match t {
            "+" => Reply::Status(rest.into()),
            "-" => Reply::Error(rest.into()),
            ":" => Reply::Int(rest.parse().unwrap()),
            "," => Reply::Double(rest.into()),
            "#" => Reply::Bool(rest == "t"),
            "_" => Reply::Null,
            "$" if rest == "-1" => Reply::Null,
            "*" if rest == "-1" => Reply::Null,
            "$" => Reply::Bulk(self.bulk_body(rest.parse().unwrap())?),
            "=" => {
                let b = self.bulk_body(rest.parse().unwrap())?;
                Reply::Verbatim(b[4..].to_vec())
            }
            "*" => Reply::Array(self.many(rest)?),
            "~" => Reply::Set(self.many(rest)?),
            ">" => Reply::Push(self.many(rest)?),
            "%" => {
                let n: usize = rest.parse().unwrap();
                let mut pairs = Vec::new();
                for _ in 0..n {
                    pairs.push((self.read()?, self.read()?));
                }
                Reply::Map(pairs)
            }
            other => panic!("unexpected reply type {other:?} in {l:?}"),
        })
    }

    /// True if the server closed the connection (EOF or reset) within the timeout.
    pub fn is_closed(&mut self) -> bool {
        self.writer.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut b = [0u8; 1];
        matches!(self.reader.read(&mut b), Ok(0) | Err(_))
    }
}

/// Polls `probe` (each call a round trip to the server) until it returns Some, failing the
/// test after 5 seconds: waiting on the event itself rather than sleeping for it.
pub fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after 5 s waiting for {what}");
    }
}

/// A server on a free port sharing `acl`.
pub fn start(acl: Arc<Acl>) -> ServerHandle {
    Server::builder(acl).bind("127.0.0.1").port(0).build().expect("build").start().expect("start")
}

/// A server with a fresh default ACL.
pub fn start_default() -> (Arc<Acl>, ServerHandle) {
    let acl = Arc::new(Acl::new());
    let h = start(acl.clone());
    (acl, h)
}
