//! Incremental parser for client requests (multibulk and inline), with Redis 7.0's limits.
//!
//! The parser keeps its position inside a partially received multibulk request, so a big
//! request that arrives in many reads is parsed once, not re-scanned on every read. The caller
//! owns the read buffer and drops the consumed prefix when convenient (once per read batch).

use super::number::parse_i64;
use super::split::split_args;

/// Longest inline request, and longest `*N`/`$N` header line without `\r` (64 KiB).
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// `proto-max-bulk-len`: the longest bulk argument (512 MiB).
pub const PROTO_MAX_BULK_LEN: i64 = 512 * 1024 * 1024;
/// Largest multibulk count (Redis 7.0 checks `INT_MAX`).
pub const PROTO_MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;
/// Largest multibulk count accepted while the client still needs to authenticate.
pub const UNAUTH_MAX_MULTIBULK_LEN: i64 = 10;
/// Largest bulk length accepted while the client still needs to authenticate.
pub const UNAUTH_MAX_BULK_LEN: i64 = 16384;
/// `client-query-buffer-limit`: a client whose unparsed input exceeds this is closed (1 GiB).
pub const CLIENT_QUERY_BUFFER_LIMIT: usize = 1024 * 1024 * 1024;

/// How many arguments the parser preallocates for a multibulk count, at most.
const PREALLOC_ARGS: usize = 1024;
/// Argument buffers bigger than this are released after a command instead of being kept.
const KEEP_ARG_CAPACITY: usize = 16 * 1024;
/// Argument slots kept after a command (a command with more arguments gives the rest back).
const KEEP_ARG_SLOTS: usize = 16;
/// What one argument slot costs besides its bytes (the `Vec` header), for [`Argv::memory`].
const ARG_OVERHEAD: usize = std::mem::size_of::<Vec<u8>>();

/// A protocol error. Redis replies with [`ProtocolError::reply_text`] and closes the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// An inline request with an unterminated or misplaced quote.
    UnbalancedQuotes,
    /// An inline request longer than 64 KiB without a newline.
    TooBigInline,
    /// A `*N` header longer than 64 KiB without `\r`.
    TooBigMultibulkCount,
    /// A `$N` header longer than 64 KiB without `\r`.
    TooBigBulkCount,
    /// A `*N` count that is not an integer or is above `INT_MAX`.
    InvalidMultibulkLength,
    /// A `*N` count above 10 from a client that still needs to authenticate.
    UnauthenticatedMultibulkLength,
    /// A `$N` length that is not an integer, is negative or is above `proto-max-bulk-len`.
    InvalidBulkLength,
    /// A `$N` length above 16384 from a client that still needs to authenticate.
    UnauthenticatedBulkLength,
    /// Something other than `$` where a bulk header was expected (the byte found).
    ExpectedDollar(u8),
}

impl ProtocolError {
    /// The error reply text (without the leading `-`), byte for byte as Redis 7.0.15 sends it.
    pub fn reply_text(&self) -> Vec<u8> {
        let detail: &[u8] = match self {
            ProtocolError::UnbalancedQuotes => b"unbalanced quotes in request",
            ProtocolError::TooBigInline => b"too big inline request",
            ProtocolError::TooBigMultibulkCount => b"too big mbulk count string",
            ProtocolError::TooBigBulkCount => b"too big bulk count string",
            ProtocolError::InvalidMultibulkLength => b"invalid multibulk length",
            ProtocolError::UnauthenticatedMultibulkLength => b"unauthenticated multibulk length",
            ProtocolError::InvalidBulkLength => b"invalid bulk length",
            ProtocolError::UnauthenticatedBulkLength => b"unauthenticated bulk length",
            ProtocolError::ExpectedDollar(c) => {
                let mut v = b"ERR Protocol error: expected '$', got '".to_vec();
                v.push(*c);
                v.push(b'\'');
                return v;
            }
        };
        let mut v = b"ERR Protocol error: ".to_vec();
        v.extend_from_slice(detail);
        v
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.reply_text()))
    }
}

impl std::error::Error for ProtocolError {}

/// The arguments of one request. A few small buffers are reused from request to request, so
/// steady state parsing does not allocate; what a big request needed is given back after it
/// ([`Argv::release_excess`]) and everything once the connection waits ([`Argv::release`]).
#[derive(Debug, Default)]
pub struct Argv {
    args: Vec<Vec<u8>>,
    len: usize,
    /// Memory of the arguments in use (capacity plus slot header each).
    mem: usize,
}

impl Argv {
    /// An empty argument vector.
    pub fn new() -> Argv {
        Argv::default()
    }

    /// Builds an argument vector from byte strings (tests, embedding code).
    pub fn from_slices<T: AsRef<[u8]>>(items: &[T]) -> Argv {
        let mut a = Argv::new();
        for i in items {
            a.push(i.as_ref());
        }
        a
    }

    /// Removes every argument, keeping the buffers for reuse.
    pub fn clear(&mut self) {
        for a in &mut self.args[..self.len] {
            a.clear();
        }
        self.len = 0;
        self.mem = 0;
    }

    /// Removes every argument and gives back what only a big request needed: slots beyond
    /// a few, and argument buffers over 16 KiB. Called after each command.
    pub fn release_excess(&mut self) {
        self.clear();
        if self.args.len() > KEEP_ARG_SLOTS {
            self.args.truncate(KEEP_ARG_SLOTS);
            self.args.shrink_to(KEEP_ARG_SLOTS);
        }
        for a in &mut self.args {
            if a.capacity() > KEEP_ARG_CAPACITY {
                *a = Vec::new();
            }
        }
    }

    /// Frees every buffer (the connection is about to wait for input).
    pub fn release(&mut self) {
        *self = Argv::default();
    }

    /// Bytes held by the arguments in use: what a request being received counts against the
    /// query buffer limit once its arguments have left the read buffer.
    pub fn memory(&self) -> usize {
        self.mem
    }

    /// Bytes held by every buffer, kept ones included (tests of what is given back).
    pub fn allocated(&self) -> usize {
        self.args.capacity() * ARG_OVERHEAD + self.args.iter().map(Vec::capacity).sum::<usize>()
    }

    /// Appends an argument.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.len == self.args.len() {
            self.args.push(Vec::with_capacity(bytes.len().max(16)));
        }
        let slot = &mut self.args[self.len];
        slot.clear();
        slot.extend_from_slice(bytes);
        self.mem += slot.capacity() + ARG_OVERHEAD;
        self.len += 1;
    }

    /// Appends an owned argument.
    pub fn push_owned(&mut self, bytes: Vec<u8>) {
        self.mem += bytes.capacity() + ARG_OVERHEAD;
        if self.len == self.args.len() {
            self.args.push(bytes);
        } else {
            self.args[self.len] = bytes;
        }
        self.len += 1;
    }

    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The arguments as a slice.
    pub fn as_slice(&self) -> &[Vec<u8>] {
        &self.args[..self.len]
    }

    /// Argument `i`, if present.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.as_slice().get(i).map(Vec::as_slice)
    }

    /// Copies the arguments out as owned byte strings.
    pub fn to_vecs(&self) -> Vec<Vec<u8>> {
        self.as_slice().to_vec()
    }

    fn reserve(&mut self, n: usize) {
        if self.args.len() < n {
            self.args.reserve(n - self.args.len());
        }
    }
}

/// Incremental request parser. One per connection.
#[derive(Debug, Default)]
pub struct RequestParser {
    /// Bulk arguments still expected by the multibulk request being parsed (0: none).
    multibulk_left: i64,
    /// Length of the bulk argument whose header has been read, if any.
    bulk_len: Option<usize>,
    /// How many bytes after `*pos` were already searched for the end of the line being
    /// received (an inline request or a `*`/`$` header) without finding it. The next search
    /// starts there, so a line that arrives a byte at a time is scanned once in all rather than
    /// once per read (which costs a 64 KiB slowloris line two billion byte comparisons; Redis
    /// rescans). Relative to `*pos`, so it stays right when the caller drops the consumed prefix.
    scanned: usize,
}

/// Finds the first `needle` in `hay[*scanned..]`, remembering how far the search got.
fn find_from(hay: &[u8], needle: u8, scanned: &mut usize) -> Option<usize> {
    let from = (*scanned).min(hay.len());
    let found = hay[from..].iter().position(|&b| b == needle);
    #[cfg(test)]
    tests::SEARCHED.with(|n| n.set(n.get() + found.map_or(hay.len() - from, |i| i + 1)));
    match found {
        Some(i) => {
            // Kept at the terminator: a header whose `\n` has not arrived finds it again at once.
            *scanned = from + i;
            Some(from + i)
        }
        None => {
            *scanned = hay.len();
            None
        }
    }
}

impl RequestParser {
    /// A parser at the start of a request.
    pub fn new() -> RequestParser {
        RequestParser::default()
    }

    /// True if the parser is in the middle of a multibulk request.
    pub fn in_request(&self) -> bool {
        self.multibulk_left > 0
    }

    /// Length of the bulk argument being received, if its header has been read (lets the
    /// caller reserve buffer space for a big argument).
    pub fn pending_bulk_len(&self) -> Option<usize> {
        self.bulk_len
    }

    /// Parses the next request from `buf[*pos..]` into `argv`.
    ///
    /// Returns `Ok(true)` when `argv` holds a complete request, `Ok(false)` when more input is
    /// needed (everything complete so far has been consumed, `*pos` advanced), or the protocol
    /// error to reply before closing. Empty requests (`*0`, `*-1`, blank inline lines) are
    /// skipped. `auth_required` selects the stricter limits for unauthenticated clients.
    pub fn parse(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        argv: &mut Argv,
        auth_required: bool,
    ) -> Result<bool, ProtocolError> {
        loop {
            if self.multibulk_left == 0 {
                if *pos >= buf.len() {
                    return Ok(false);
                }
                argv.clear();
                if buf[*pos] == b'*' {
                    match self.multibulk_header(buf, pos, argv, auth_required)? {
                        Header::Incomplete => return Ok(false),
                        Header::Empty => continue,
                        Header::Started => {}
                    }
                } else {
                    match inline(buf, pos, argv, &mut self.scanned)? {
                        Header::Incomplete => return Ok(false),
                        Header::Empty => continue,
                        Header::Started => return Ok(true),
                    }
                }
            }
            if !self.bulks(buf, pos, argv, auth_required)? {
                return Ok(false);
            }
            return Ok(true);
        }
    }

    fn multibulk_header(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        argv: &mut Argv,
        auth_required: bool,
    ) -> Result<Header, ProtocolError> {
        let rest = &buf[*pos..];
        let Some(cr) = find_from(rest, b'\r', &mut self.scanned) else {
            if rest.len() > PROTO_INLINE_MAX_SIZE {
                return Err(ProtocolError::TooBigMultibulkCount);
            }
            return Ok(Header::Incomplete);
        };
        if cr + 2 > rest.len() {
            return Ok(Header::Incomplete);
        }
        let n = match parse_i64(&rest[1..cr]) {
            Some(n) if n <= PROTO_MAX_MULTIBULK_LEN => n,
            _ => return Err(ProtocolError::InvalidMultibulkLength),
        };
        if n > UNAUTH_MAX_MULTIBULK_LEN && auth_required {
            return Err(ProtocolError::UnauthenticatedMultibulkLength);
        }
        *pos += cr + 2;
        self.scanned = 0;
        if n <= 0 {
            return Ok(Header::Empty);
        }
        argv.reserve((n as usize).min(PREALLOC_ARGS));
        self.multibulk_left = n;
        self.bulk_len = None;
        Ok(Header::Started)
    }

    /// Reads bulk arguments; true when the request is complete.
    fn bulks(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
        argv: &mut Argv,
        auth_required: bool,
    ) -> Result<bool, ProtocolError> {
        while self.multibulk_left > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let rest = &buf[*pos..];
                    let Some(cr) = find_from(rest, b'\r', &mut self.scanned) else {
                        if rest.len() > PROTO_INLINE_MAX_SIZE {
                            return Err(ProtocolError::TooBigBulkCount);
                        }
                        return Ok(false);
                    };
                    if cr + 2 > rest.len() {
                        return Ok(false);
                    }
                    if rest[0] != b'$' {
                        return Err(ProtocolError::ExpectedDollar(rest[0]));
                    }
                    let n = match parse_i64(&rest[1..cr]) {
                        Some(n) if (0..=PROTO_MAX_BULK_LEN).contains(&n) => n,
                        _ => return Err(ProtocolError::InvalidBulkLength),
                    };
                    if n > UNAUTH_MAX_BULK_LEN && auth_required {
                        return Err(ProtocolError::UnauthenticatedBulkLength);
                    }
                    *pos += cr + 2;
                    self.scanned = 0;
                    let n = n as usize;
                    self.bulk_len = Some(n);
                    n
                }
            };
            // Like Redis, the two bytes after the payload are skipped without being checked.
            if buf.len() - *pos < len + 2 {
                return Ok(false);
            }
            argv.push(&buf[*pos..*pos + len]);
            *pos += len + 2;
            self.bulk_len = None;
            self.multibulk_left -= 1;
        }
        Ok(true)
    }
}

enum Header {
    Incomplete,
    Empty,
    Started,
}

fn inline(buf: &[u8], pos: &mut usize, argv: &mut Argv, scanned: &mut usize) -> Result<Header, ProtocolError> {
    let rest = &buf[*pos..];
    let Some(nl) = find_from(rest, b'\n', scanned) else {
        if rest.len() > PROTO_INLINE_MAX_SIZE {
            return Err(ProtocolError::TooBigInline);
        }
        return Ok(Header::Incomplete);
    };
    let mut line = &rest[..nl];
    if let Some((b'\r', head)) = line.split_last() {
        line = head;
    }
    // Without quotes or the rarer separators, sdssplitargs is a plain split on spaces, tabs
    // and CR/LF: do that straight into the reused argument buffers (inline PING and friends).
    let plain = !line.iter().any(|&b| matches!(b, b'"' | b'\'' | 0 | 0x0b | 0x0c));
    *scanned = 0;
    if plain {
        *pos += nl + 1;
        for word in line.split(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            if !word.is_empty() {
                argv.push(word);
            }
        }
        return Ok(if argv.is_empty() { Header::Empty } else { Header::Started });
    }
    let args = split_args(line).map_err(|_| ProtocolError::UnbalancedQuotes)?;
    *pos += nl + 1;
    if args.is_empty() {
        return Ok(Header::Empty);
    }
    for a in args {
        argv.push_owned(a);
    }
    Ok(Header::Started)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], auth: bool) -> (Vec<Vec<Vec<u8>>>, Option<ProtocolError>, usize) {
        let mut p = RequestParser::new();
        let mut argv = Argv::new();
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            match p.parse(input, &mut pos, &mut argv, auth) {
                Ok(true) => out.push(argv.to_vecs()),
                Ok(false) => return (out, None, pos),
                Err(e) => return (out, Some(e), pos),
            }
        }
    }

    thread_local! {
        /// Bytes `find_from` compared on this thread.
        pub(super) static SEARCHED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn a_line_arriving_byte_by_byte_is_searched_once() {
        // 10,000-byte lines (an inline request, a `*` header and a `$` header, each unfinished
        // until its last byte) fed one byte per read, the consumed prefix dropped after each
        // read as the connection loop does: every byte is compared about once. Rescanning from
        // the line's start on every read would compare ~50 million.
        let long = "1".repeat(9_990);
        let inputs = [
            format!("SET k {long}\n"),
            format!("*{long}"),
            format!("*1\r\n${long}"),
        ];
        for input in &inputs {
            let mut p = RequestParser::new();
            let mut argv = Argv::new();
            let (mut buf, mut pos) = (Vec::new(), 0);
            SEARCHED.with(|n| n.set(0));
            for &b in input.as_bytes() {
                buf.push(b);
                let _ = p.parse(&buf, &mut pos, &mut argv, false);
                buf.drain(..pos);
                pos = 0;
            }
            let searched = SEARCHED.with(|n| n.get());
            assert!(searched <= input.len() + 2, "{searched} bytes compared for a {}-byte line", input.len());
        }
        // And the result is the same as in one read.
        let mut p = RequestParser::new();
        let mut argv = Argv::new();
        let (mut buf, mut pos, mut got) = (Vec::new(), 0, Vec::new());
        for &b in b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING x\n".iter() {
            buf.push(b);
            while let Ok(true) = p.parse(&buf, &mut pos, &mut argv, false) {
                got.push(argv.to_vecs());
            }
            buf.drain(..pos);
            pos = 0;
        }
        assert_eq!(got, vec![vec![b"GET".to_vec(), b"k".to_vec()], vec![b"PING".to_vec(), b"x".to_vec()]]);
    }

    #[test]
    fn multibulk_and_inline() {
        let (cmds, err, pos) = all(b"*2\r\n$3\r\nget\r\n$1\r\nk\r\nPING\r\n\r\nset a 'b c'\n*0\r\n*-1\r\n", false);
        assert_eq!(err, None);
        assert_eq!(pos, 49);
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0], vec![b"get".to_vec(), b"k".to_vec()]);
        assert_eq!(cmds[1], vec![b"PING".to_vec()]);
        assert_eq!(cmds[2], vec![b"set".to_vec(), b"a".to_vec(), b"b c".to_vec()]);
    }

    #[test]
    fn incremental_bytes() {
        let input = b"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$5\r\nhello\r\n";
        let mut p = RequestParser::new();
        let mut argv = Argv::new();
        let mut buf = Vec::new();
        let mut pos = 0;
        let mut done = 0;
        for &b in input.iter() {
            buf.push(b);
            if p.parse(&buf, &mut pos, &mut argv, false).unwrap() {
                done += 1;
            }
        }
        assert_eq!(done, 1);
        assert_eq!(argv.get(2), Some(&b"hello"[..]));
        assert_eq!(pos, input.len());
    }

    #[test]
    fn errors() {
        let e = |i: &[u8], auth| all(i, auth).1.map(|e| String::from_utf8(e.reply_text()).unwrap());
        assert_eq!(e(b"\"foo\r\n", false).unwrap(), "ERR Protocol error: unbalanced quotes in request");
        assert_eq!(e(b"*1\r\n+PING\r\n", false).unwrap(), "ERR Protocol error: expected '$', got '+'");
        assert_eq!(e(b"*abc\r\n", false).unwrap(), "ERR Protocol error: invalid multibulk length");
        assert_eq!(e(b"*3000000000\r\n", false).unwrap(), "ERR Protocol error: invalid multibulk length");
        assert_eq!(e(b"*2000000\r\n", false), None);
        assert_eq!(e(b"*11\r\n", true).unwrap(), "ERR Protocol error: unauthenticated multibulk length");
        assert_eq!(e(b"*1\r\n$536870913\r\n", false).unwrap(), "ERR Protocol error: invalid bulk length");
        assert_eq!(e(b"*1\r\n$-1\r\n", false).unwrap(), "ERR Protocol error: invalid bulk length");
        assert_eq!(e(b"*1\r\n$16385\r\n", true).unwrap(), "ERR Protocol error: unauthenticated bulk length");
        assert_eq!(e(&[b'x'; 70000], false).unwrap(), "ERR Protocol error: too big inline request");
        let mut big = b"*".to_vec();
        big.extend(std::iter::repeat(b'1').take(70000));
        assert_eq!(e(&big, false).unwrap(), "ERR Protocol error: too big mbulk count string");
        let mut big = b"*1\r\n$".to_vec();
        big.extend(std::iter::repeat(b'1').take(70000));
        assert_eq!(e(&big, false).unwrap(), "ERR Protocol error: too big bulk count string");
    }

    #[test]
    fn commands_before_an_error_are_returned() {
        let (cmds, err, _) = all(b"PING\r\n'x\r\n", false);
        assert_eq!(cmds.len(), 1);
        assert_eq!(err, Some(ProtocolError::UnbalancedQuotes));
    }

    #[test]
    fn trailing_bytes_after_bulk_are_not_checked() {
        let (cmds, err, _) = all(b"*1\r\n$4\r\nPINGxx", false);
        assert_eq!(err, None);
        assert_eq!(cmds, vec![vec![b"PING".to_vec()]]);
    }
}

#[cfg(test)]
mod memory_tests {
    use super::*;

    /// The probe: ~64K arguments of an inline `a a a ...` line stayed allocated in
    /// every connection that had sent one. After the command the slots go back.
    #[test]
    fn a_request_with_many_arguments_gives_its_slots_back() {
        let mut line = b"a ".repeat(60_000);
        line.extend_from_slice(b"\r\n");
        let (mut p, mut argv, mut pos) = (RequestParser::new(), Argv::new(), 0);
        assert!(p.parse(&line, &mut pos, &mut argv, false).unwrap());
        assert_eq!(argv.len(), 60_000);
        assert!(argv.memory() >= 60_000 * ARG_OVERHEAD);
        argv.release_excess();
        assert!(argv.allocated() <= KEEP_ARG_SLOTS * (ARG_OVERHEAD + KEEP_ARG_CAPACITY), "{}", argv.allocated());
        argv.release();
        assert_eq!(argv.allocated(), 0);
    }

    #[test]
    fn a_big_argument_is_not_kept() {
        let mut req = b"*2\r\n$3\r\nset\r\n$100000\r\n".to_vec();
        req.extend(std::iter::repeat(b'x').take(100_000));
        req.extend_from_slice(b"\r\n");
        let (mut p, mut argv, mut pos) = (RequestParser::new(), Argv::new(), 0);
        assert!(p.parse(&req, &mut pos, &mut argv, false).unwrap());
        assert!(argv.memory() >= 100_000);
        argv.release_excess();
        assert!(argv.allocated() < 1024, "{}", argv.allocated());
    }

    /// Empty arguments of an endless multibulk request are counted, so the connection can
    /// hold them to the query buffer limit although the read buffer is drained.
    #[test]
    fn arguments_of_a_request_in_progress_are_counted() {
        let mut req = b"*2147483647\r\n".to_vec();
        req.extend_from_slice(&b"$0\r\n\r\n".repeat(1000));
        let (mut p, mut argv, mut pos) = (RequestParser::new(), Argv::new(), 0);
        assert!(!p.parse(&req, &mut pos, &mut argv, false).unwrap());
        assert_eq!(pos, req.len(), "every complete argument left the buffer");
        assert!(p.in_request());
        assert!(argv.memory() >= 1000 * ARG_OVERHEAD);
    }
}

#[cfg(test)]
mod inline_fast_path_tests {
    use super::*;

    /// The allocation-free inline split must agree with sdssplitargs wherever it is used.
    #[test]
    fn plain_lines_split_like_sdssplitargs() {
        for line in [&b"PING"[..], b"  SET  k   v ", b"GET\tk", b"a\rb", b"", b"   ", b"x*y ?[a]"] {
            let mut buf = line.to_vec();
            buf.extend_from_slice(b"\r\n");
            let (mut pos, mut argv) = (0, Argv::new());
            let header = inline(&buf, &mut pos, &mut argv, &mut 0).unwrap();
            let expected = split_args(line).unwrap();
            assert_eq!(pos, buf.len());
            assert_eq!(matches!(header, Header::Empty), expected.is_empty());
            assert_eq!(argv.to_vecs(), expected, "{line:?}");
        }
    }
}
