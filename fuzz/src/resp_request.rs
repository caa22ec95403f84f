//! RESP requests, both forms (inline lines and `*N` multibulk frames), through the server's
//! [`RequestParser`]. Beyond "never panics": the requests parsed from the whole input at once
//! must equal those parsed from the same bytes arriving in fuzzer-chosen pieces, as the
//! connection loop feeds them (append, parse, drop what was consumed).

use authgate::resp::{Argv, ProtocolError, RequestParser};

/// What a parser made of a byte stream: complete requests, then the error or the end.
#[derive(Debug, PartialEq)]
struct Outcome {
    requests: Vec<Vec<Vec<u8>>>,
    error: Option<ProtocolError>,
}

/// Parses `chunks` arriving one after another.
fn parse_stream<'a>(chunks: impl Iterator<Item = &'a [u8]>, auth_required: bool) -> Outcome {
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    let mut buf = Vec::new();
    let mut out = Outcome { requests: Vec::new(), error: None };
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        let mut pos = 0;
        loop {
            match parser.parse(&buf, &mut pos, &mut argv, auth_required) {
                Ok(true) => out.requests.push(argv.to_vecs()),
                Ok(false) => break,
                Err(e) => {
                    out.error = Some(e);
                    return out;
                }
            }
        }
        assert!(pos <= buf.len());
        buf.drain(..pos);
    }
    out
}

/// One input of the target: returns normally or panics with what went wrong.
pub fn run(data: &[u8]) {
    let Some((&flags, stream)) = data.split_first() else { return };
    let auth_required = flags & 1 == 1;
    let whole = parse_stream(std::iter::once(stream), auth_required);
    if let Some(e) = &whole.error {
        assert!(!e.reply_text().is_empty());
    }
    // The 64 KiB limits on a line without its end depend on how much has arrived (in Redis
    // too); below them the split must not matter.
    if stream.len() >= 64 * 1024 {
        return;
    }
    let piece = usize::from(flags >> 1) + 1;
    let pieces = parse_stream(stream.chunks(piece), auth_required);
    assert_eq!(whole, pieces, "piece size {piece}");
    let bytewise = parse_stream(stream.chunks(1), auth_required);
    assert_eq!(whole, bytewise, "one byte at a time");
}
