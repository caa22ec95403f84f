//! What the upstream sends on its own: Pub/Sub messages to a subscribed connection (keyspace
//! notifications included) and MONITOR's lines.
//!
//! A subscribed or monitoring client's upstream connection is in push mode. Its pushes are
//! relayed to the client as they arrive, byte for byte (RESP2 arrays or RESP3 `>` pushes, as
//! the upstream sends them), between batches ([`take`]) and while a batch's replies are read
//! (the exchange relays a push that arrives ahead of a reply with [`peek`]). They are copied
//! in read-sized pieces with a scanner that remembers where a push ends, so a large message
//! is never held whole; the pubsub output limit applies to what the client has not read.

use super::reply::ReplyScanner;
use super::ProxySession;
use crate::redis::resp::Protocol;
use crate::redis::server::outlimits::ClientClass;
use crate::redis::server::session::Session;

/// What the next upstream reply is, from its first bytes.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Peek {
    /// A message or MONITOR line: relayed where it is, not the reply of a command.
    Push,
    /// The reply of the next command sent.
    Reply,
    /// Too few bytes to tell.
    More,
}

/// The push kinds Redis sends outside command replies, with their element counts.
const MESSAGES: [(&[u8], u8); 3] = [(b"message", 3), (b"pmessage", 4), (b"smessage", 3)];

/// Tells a push from a reply: a RESP2 subscriber gets `*3 message …` (`*4 pmessage …`) arrays,
/// a RESP3 one `>` pushes (a RESP3 client may run any command while subscribed, and only the
/// push type tells a message from an array reply); a monitor gets `+<time> […] …` lines.
pub(super) fn peek(buf: &[u8], proto: Protocol, monitoring: bool) -> Peek {
    let Some(&first) = buf.first() else { return Peek::More };
    if monitoring && first == b'+' {
        return match buf.get(1) {
            None => Peek::More,
            Some(b) if b.is_ascii_digit() => Peek::Push,
            Some(_) => Peek::Reply,
        };
    }
    let aggregate = if proto == Protocol::Resp3 { b'>' } else { b'*' };
    if first != aggregate {
        return Peek::Reply;
    }
    let mut more = false;
    for (name, count) in MESSAGES {
        let mut prefix = vec![aggregate, b'0' + count, b'\r', b'\n', b'$'];
        prefix.extend_from_slice(name.len().to_string().as_bytes());
        prefix.extend_from_slice(b"\r\n");
        prefix.extend_from_slice(name);
        prefix.extend_from_slice(b"\r\n");
        if buf.starts_with(&prefix) {
            return Peek::Push;
        }
        more |= prefix.starts_with(buf);
    }
    if more {
        Peek::More
    } else {
        Peek::Reply
    }
}

/// The push-mode state of a client's upstream connection.
#[derive(Debug, Default)]
pub(super) struct PushState {
    /// Where the push being relayed stands, while part of it has been relayed.
    pub(super) partial: Option<ReplyScanner>,
    /// The bytes of that push relayed so far.
    partial_len: usize,
}

impl ProxySession {
    /// True if the upstream connection may send pushes now: the client is subscribed (its
    /// upstream connection too) or monitoring.
    pub(crate) fn in_push_mode(&self, subscribed: bool) -> bool {
        self.conn.is_some() && (subscribed || self.monitoring)
    }

    /// Waits until the upstream connection of a client in push mode has sent something; an
    /// error means it is gone (and the client's subscriptions with it).
    pub(crate) async fn push_arrived(&mut self) -> Result<(), String> {
        let Some(conn) = self.conn.as_mut() else { return std::future::pending().await };
        if !conn.pending().is_empty() {
            return Ok(());
        }
        conn.fill(&[], &mut 0).await.map_err(|f| f.message(&self.target.url))
    }
}

/// Moves what the upstream has sent in push mode to the client's output, as it is; `written`
/// bytes of the output have already gone to the client. Returns false if the client must be
/// closed: its pubsub output limit is reached.
pub(crate) fn take(s: &mut Session, written: usize) -> bool {
    let Some(p) = s.proxy.as_deref_mut() else { return true };
    let Some(conn) = p.conn.as_mut() else { return true };
    // Redis holds a whole message in the client's output before writing any of it: a message
    // over the limit closes the client even if it reads fast, so a push relayed in pieces
    // counts whole.
    let mut largest = 0;
    loop {
        let pending = conn.pending();
        if pending.is_empty() {
            break;
        }
        let scanner = p.push.partial.get_or_insert_with(ReplyScanner::new);
        let (n, complete) = match scanner.scan(pending) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("upstream {} sent a push that is not RESP ({})", p.target.url, e.0);
                return false;
            }
        };
        s.out.buf.extend_from_slice(&pending[..n]);
        conn.consume(n);
        p.push.partial_len += n;
        largest = largest.max(p.push.partial_len);
        if complete {
            p.push.partial = None;
            p.push.partial_len = 0;
        } else if n == 0 {
            break; // an incomplete header line: more bytes first
        }
    }
    let held = (s.out.buf.len() - written).max(largest);
    s.handle.unwritten.store(held, std::sync::atomic::Ordering::Release);
    let limit = s.shared.config.read().client_output_buffer_limit.get(ClientClass::Pubsub);
    !s.handle.enforce_output_limit(&limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_told_from_replies() {
        let r2 = Protocol::Resp2;
        assert_eq!(peek(b"*3\r\n$7\r\nmessage\r\n$1\r\na\r\n", r2, false), Peek::Push);
        assert_eq!(peek(b"*4\r\n$8\r\npmessage\r\n", r2, false), Peek::Push);
        assert_eq!(peek(b"*3\r\n$8\r\nsmessage\r\n", r2, false), Peek::Push);
        assert_eq!(peek(b"*3\r\n$9\r\nsubscribe\r\n", r2, false), Peek::Reply);
        assert_eq!(peek(b"*2\r\n$4\r\npong\r\n", r2, false), Peek::Reply);
        assert_eq!(peek(b"*3\r\n$", r2, false), Peek::More);
        assert_eq!(peek(b"", r2, false), Peek::More);
        // RESP3: only the push type is a message; an array reply holding "message" is a reply
        assert_eq!(peek(b">3\r\n$7\r\nmessage\r\n", Protocol::Resp3, false), Peek::Push);
        assert_eq!(peek(b"*3\r\n$7\r\nmessage\r\n", Protocol::Resp3, false), Peek::Reply);
        // MONITOR lines start with the time
        assert_eq!(peek(b"+1700000000.123456 [0 127.0.0.1:1] \"get\"\r\n", r2, true), Peek::Push);
        assert_eq!(peek(b"+OK\r\n", r2, true), Peek::Reply);
        assert_eq!(peek(b"+", r2, true), Peek::More);
        assert_eq!(peek(b"+1", r2, false), Peek::Reply);
    }
}
