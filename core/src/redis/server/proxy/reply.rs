//! A streaming RESP2/RESP3 reply scanner: finds where each reply the upstream sends ends,
//! without holding the reply in memory.
//!
//! The relay copies upstream bytes to the client as they arrive; the scanner only tells it how
//! many of the bytes at hand belong to the reply being relayed. It keeps a stack of the element
//! counts of the aggregates it is inside and the bytes left of a bulk string, so a 512 MB bulk
//! passes through in read-sized pieces. Only header lines are needed whole; they are bounded
//! by [`MAX_LINE`].

/// The longest header or simple line accepted from the upstream (a simple string, an error,
/// a number). Redis' own inline limit is 64 KiB; a longer line means a broken upstream.
pub(crate) const MAX_LINE: usize = 1024 * 1024;

/// The upstream sent bytes that are not RESP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UpstreamProtocolError(pub String);

/// Progress through one reply.
#[derive(Debug, Default)]
pub(crate) struct ReplyScanner {
    /// Elements still due in each open aggregate, innermost last.
    open: Vec<u64>,
    /// Bytes of a bulk body (with its CRLF) not yet seen.
    bulk_left: u64,
}

/// A complete header line of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header<'a> {
    /// The type byte (`+`, `-`, `:`, `$`, `*`, and RESP3's).
    pub(crate) kind: u8,
    /// The text between the type byte and the CRLF.
    pub(crate) text: &'a [u8],
    /// The line's length with its CRLF.
    pub(crate) len: usize,
}

/// The complete header line at the start of `buf`; `Ok(None)` means the line is not
/// complete yet.
pub(crate) fn header(buf: &[u8]) -> Result<Option<Header<'_>>, UpstreamProtocolError> {
    let Some(&kind) = buf.first() else { return Ok(None) };
    match memchr_crlf(buf) {
        Some(end) => Ok(Some(Header { kind, text: &buf[1..end], len: end + 2 })),
        None if buf.len() > MAX_LINE => Err(UpstreamProtocolError("a reply line longer than 1 MiB".into())),
        None => Ok(None),
    }
}

fn memchr_crlf(buf: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = buf[from..].iter().position(|&b| b == b'\r') {
        let at = from + i;
        if at + 1 >= buf.len() {
            return None;
        }
        if buf[at + 1] == b'\n' {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn number(text: &[u8]) -> Result<i64, UpstreamProtocolError> {
    crate::redis::resp::number::parse_i64(text)
        .ok_or_else(|| UpstreamProtocolError(format!("a bad length '{}'", String::from_utf8_lossy(text))))
}

impl ReplyScanner {
    /// A scanner at the start of a reply.
    pub(crate) fn new() -> ReplyScanner {
        ReplyScanner::default()
    }

    /// True between replies (nothing of a reply consumed yet, or the last one complete).
    #[cfg(test)]
    pub(crate) fn at_boundary(&self) -> bool {
        self.open.is_empty() && self.bulk_left == 0
    }

    /// Scans `buf`, the upstream bytes not yet consumed. Returns how many belong to the
    /// current reply and whether they complete it. Bytes of an incomplete header line are
    /// not consumed: call again with more bytes after them.
    pub(crate) fn scan(&mut self, buf: &[u8]) -> Result<(usize, bool), UpstreamProtocolError> {
        let mut pos = 0;
        loop {
            if self.bulk_left > 0 {
                let take = self.bulk_left.min((buf.len() - pos) as u64);
                pos += take as usize;
                self.bulk_left -= take;
                if self.bulk_left > 0 {
                    return Ok((pos, false));
                }
                if self.value_done() {
                    return Ok((pos, true));
                }
                continue;
            }
            let Some(Header { kind, text, len }) = header(&buf[pos..])? else { return Ok((pos, false)) };
            pos += len;
            let complete = match kind {
                b'+' | b'-' | b':' | b',' | b'#' | b'_' | b'(' => true,
                b'$' | b'!' | b'=' => {
                    let n = number(text)?;
                    if n < 0 {
                        true
                    } else {
                        self.bulk_left = n as u64 + 2;
                        continue;
                    }
                }
                b'*' | b'~' | b'>' | b'%' | b'|' => {
                    let n = number(text)?;
                    if n < 0 {
                        true
                    } else {
                        let n = n as u64;
                        // A map has two values per entry; an attribute is a map followed by
                        // the value it annotates, which counts for the parent.
                        let due = match kind {
                            b'%' => n * 2,
                            b'|' => n * 2 + 1,
                            _ => n,
                        };
                        if due == 0 {
                            true
                        } else {
                            self.open.push(due);
                            continue;
                        }
                    }
                }
                other => {
                    return Err(UpstreamProtocolError(format!("an unknown reply type byte 0x{other:02x}")))
                }
            };
            if complete && self.value_done() {
                return Ok((pos, true));
            }
        }
    }

    /// One value ended: closes the aggregates it completes. True if the reply is complete.
    fn value_done(&mut self) -> bool {
        while let Some(top) = self.open.last_mut() {
            *top -= 1;
            if *top > 0 {
                return false;
            }
            self.open.pop();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` in pieces of `step` bytes, as a socket might, and returns the reply ends.
    fn ends(input: &[u8], step: usize) -> Vec<usize> {
        let mut scanner = ReplyScanner::new();
        let (mut consumed, mut avail, mut out) = (0, 0, Vec::new());
        while consumed < input.len() {
            avail = (avail + step).min(input.len());
            loop {
                let (n, done) = scanner.scan(&input[consumed..avail]).unwrap();
                consumed += n;
                if done {
                    out.push(consumed);
                    scanner = ReplyScanner::new();
                    if consumed < avail {
                        continue;
                    }
                }
                break;
            }
        }
        out
    }

    #[test]
    fn finds_reply_ends_at_any_split() {
        let replies: [&[u8]; 9] = [
            b"+OK\r\n",
            b"$5\r\nhe\r\no\r\n",
            b"$-1\r\n",
            b"*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
            b"*0\r\n",
            b"%1\r\n+k\r\n*2\r\n_\r\n#t\r\n",
            b"|1\r\n+a\r\n:1\r\n$0\r\n\r\n",
            b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n",
            b"-ERR x\r\n",
        ];
        let all: Vec<u8> = replies.concat();
        let mut expected = Vec::new();
        let mut at = 0;
        for r in replies {
            at += r.len();
            expected.push(at);
        }
        for step in 1..=all.len() {
            assert_eq!(ends(&all, step), expected, "step {step}");
        }
    }

    #[test]
    fn bad_replies_are_errors() {
        assert!(ReplyScanner::new().scan(b"?x\r\n").is_err());
        assert!(ReplyScanner::new().scan(b"$x\r\n").is_err());
        assert!(header(&vec![b'+'; MAX_LINE + 1]).is_err());
    }

    #[test]
    fn a_large_bulk_streams() {
        let mut s = ReplyScanner::new();
        assert_eq!(s.scan(b"$100\r\nabc").unwrap(), (9, false));
        assert!(!s.at_boundary());
        assert_eq!(s.scan(&[b'x'; 97]).unwrap(), (97, false));
        assert_eq!(s.scan(b"\r\n+OK\r\n").unwrap(), (2, true));
    }
}
