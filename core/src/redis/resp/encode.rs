//! Reply encoder for RESP2 and RESP3.
//!
//! Every reply type is written in the shape the client's protocol expects: RESP3 types that
//! RESP2 lacks are downgraded like Redis does (map → flat array, set → array, double → bulk
//! string, null → `$-1`, push → array, boolean → integer, verbatim → bulk string).

use super::number::{format_double, write_i64};

/// The protocol version a client speaks (chosen with HELLO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default.
    #[default]
    Resp2,
    /// RESP3.
    Resp3,
}

impl Protocol {
    /// The protocol number (2 or 3).
    pub fn number(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// Writes replies into an output buffer.
#[derive(Debug, Default)]
pub struct Encoder {
    /// The encoded bytes not yet written to the socket.
    pub buf: Vec<u8>,
    /// The protocol replies are encoded for.
    pub proto: Protocol,
}

impl Encoder {
    /// An encoder for `proto` with an empty buffer. Nothing is allocated until the first
    /// reply: the server lends a connection a pooled buffer only while it has output.
    pub fn new(proto: Protocol) -> Encoder {
        Encoder { buf: Vec::new(), proto }
    }

    /// True for RESP3.
    pub fn is_resp3(&self) -> bool {
        self.proto == Protocol::Resp3
    }

    fn line(&mut self, prefix: u8, text: &[u8]) {
        self.buf.push(prefix);
        // CR and LF would break the framing: Redis replaces them with spaces.
        self.buf.extend(text.iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }));
        self.buf.extend_from_slice(b"\r\n");
    }

    fn header(&mut self, prefix: u8, n: i64) {
        self.buf.push(prefix);
        write_i64(&mut self.buf, n);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A simple string (`+text`).
    pub fn simple(&mut self, text: &[u8]) {
        self.line(b'+', text);
    }

    /// `+OK`.
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// An error; `text` is everything after the `-`, starting with the code (`ERR ...`).
    pub fn error(&mut self, text: &[u8]) {
        self.line(b'-', text);
    }

    /// An error from a string.
    pub fn error_str(&mut self, text: &str) {
        self.error(text.as_bytes());
    }

    /// An integer.
    pub fn integer(&mut self, v: i64) {
        self.header(b':', v);
    }

    /// A bulk string.
    pub fn bulk(&mut self, data: &[u8]) {
        self.header(b'$', data.len() as i64);
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// Frames the bytes appended to `buf` since `start` as one bulk string, in place: the
    /// `$<len>` header is inserted before them (moving only those bytes) and CRLF appended.
    /// For replies written straight into the buffer, whose length is known only afterwards.
    pub fn bulk_in_place(&mut self, start: usize) {
        let len = self.buf.len() - start;
        let mut header = Vec::with_capacity(16);
        header.push(b'$');
        write_i64(&mut header, len as i64);
        header.extend_from_slice(b"\r\n");
        self.buf.extend_from_slice(&header);
        self.buf.copy_within(start..start + len, start + header.len());
        self.buf[start..start + header.len()].copy_from_slice(&header);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A bulk string holding the decimal text of `v`.
    pub fn bulk_i64(&mut self, v: i64) {
        let mut tmp = [0u8; 24];
        let mut w = std::io::Cursor::new(&mut tmp[..]);
        let _ = std::io::Write::write_fmt(&mut w, format_args!("{v}"));
        let n = w.position() as usize;
        self.bulk(&tmp[..n]);
    }

    /// The null reply: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"$-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    /// The null array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"*-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    /// An array header of `n` elements.
    pub fn array(&mut self, n: usize) {
        self.header(b'*', n as i64);
    }

    /// A map header of `n` key/value pairs (RESP2: a flat array of `2n` elements).
    pub fn map(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', 2 * n as i64),
            Protocol::Resp3 => self.header(b'%', n as i64),
        }
    }

    /// A set header of `n` elements (RESP2: an array).
    pub fn set(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', n as i64),
            Protocol::Resp3 => self.header(b'~', n as i64),
        }
    }

    /// A push header of `n` elements (RESP2: an array).
    pub fn push(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', n as i64),
            Protocol::Resp3 => self.header(b'>', n as i64),
        }
    }

    /// A double, formatted like `%.17g` (RESP2: as a bulk string; RESP3: `,`).
    pub fn double(&mut self, v: f64) {
        let text = format_double(v);
        match self.proto {
            Protocol::Resp2 => self.bulk(text.as_bytes()),
            Protocol::Resp3 => self.line(b',', text.as_bytes()),
        }
    }

    /// A boolean (RESP2: `:1`/`:0`; RESP3: `#t`/`#f`).
    pub fn boolean(&mut self, v: bool) {
        match (self.proto, v) {
            (Protocol::Resp2, true) => self.buf.extend_from_slice(b":1\r\n"),
            (Protocol::Resp2, false) => self.buf.extend_from_slice(b":0\r\n"),
            (Protocol::Resp3, true) => self.buf.extend_from_slice(b"#t\r\n"),
            (Protocol::Resp3, false) => self.buf.extend_from_slice(b"#f\r\n"),
        }
    }

    /// A verbatim string with a 3-letter format such as `txt` (RESP2: a bulk string).
    pub fn verbatim(&mut self, format: &[u8; 3], data: &[u8]) {
        match self.proto {
            Protocol::Resp2 => self.bulk(data),
            Protocol::Resp3 => {
                self.header(b'=', data.len() as i64 + 4);
                self.buf.extend_from_slice(format);
                self.buf.push(b':');
                self.buf.extend_from_slice(data);
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// Appends already encoded bytes.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(f: impl Fn(&mut Encoder)) -> (String, String) {
        let mut a = Encoder::new(Protocol::Resp2);
        let mut b = Encoder::new(Protocol::Resp3);
        f(&mut a);
        f(&mut b);
        (String::from_utf8(a.buf).unwrap(), String::from_utf8(b.buf).unwrap())
    }

    #[test]
    fn shapes() {
        assert_eq!(both(|e| e.null()), ("$-1\r\n".into(), "_\r\n".into()));
        assert_eq!(both(|e| e.null_array()), ("*-1\r\n".into(), "_\r\n".into()));
        assert_eq!(both(|e| e.map(2)), ("*4\r\n".into(), "%2\r\n".into()));
        assert_eq!(both(|e| e.set(3)), ("*3\r\n".into(), "~3\r\n".into()));
        assert_eq!(both(|e| e.push(3)), ("*3\r\n".into(), ">3\r\n".into()));
        assert_eq!(both(|e| e.boolean(true)), (":1\r\n".into(), "#t\r\n".into()));
        assert_eq!(
            both(|e| e.double(0.801)),
            ("$19\r\n0.80100000000000005\r\n".into(), ",0.80100000000000005\r\n".into())
        );
        assert_eq!(both(|e| e.double(0.0)), ("$1\r\n0\r\n".into(), ",0\r\n".into()));
        assert_eq!(both(|e| e.verbatim(b"txt", b"a\n")), ("$2\r\na\n\r\n".into(), "=6\r\ntxt:a\n\r\n".into()));
        assert_eq!(both(|e| e.integer(-42)), (":-42\r\n".into(), ":-42\r\n".into()));
        assert_eq!(both(|e| e.bulk_i64(-7)), ("$2\r\n-7\r\n".into(), "$2\r\n-7\r\n".into()));
    }

    #[test]
    fn bulk_framed_in_place_equals_bulk() {
        for content in [&b""[..], b"x", &[b'y'; 1000][..]] {
            let mut direct = Encoder::new(Protocol::Resp2);
            direct.array(2);
            direct.bulk(content);
            direct.bulk(b"next");
            let mut framed = Encoder::new(Protocol::Resp2);
            framed.array(2);
            let start = framed.buf.len();
            framed.buf.extend_from_slice(content);
            framed.bulk_in_place(start);
            framed.bulk(b"next");
            assert_eq!(framed.buf, direct.buf);
        }
    }

    #[test]
    fn errors_and_status_have_no_newlines() {
        let (a, _) = both(|e| e.error(b"ERR bad\r\nthing"));
        assert_eq!(a, "-ERR bad  thing\r\n");
        let (a, _) = both(|e| e.simple(b"a\nb"));
        assert_eq!(a, "+a b\r\n");
    }
}
