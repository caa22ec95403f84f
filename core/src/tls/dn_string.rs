//! Reading a configured DN string (`CN=alice,OU=Platform,O=Acme`) into a
//! [`DistinguishedName`], the way RFC 4514 writes one, with RFC 2253 §4's leniency:
//!
//! - RDNs are separated by `,` (or `;`, RFC 1779), attributes of one RDN by `+`; the type
//!   ends at the first unescaped `=` (a bare `=` later in the value is part of it, as OpenSSL
//!   writes `CN=a=b`).
//! - Unescaped spaces around separators and around the type are ignored.
//! - Types: short names in any case (`CN`, `cn`), RFC 4514's and common aliases (`E`,
//!   `EMAIL`, `emailAddress`, `S`, `UID`, ...), OpenSSL's short names, dotted OIDs (also
//!   after `OID.`).
//! - Values: `\` before one of `␠ " # + , ; < = > \` or two hex digits (one byte); the bytes
//!   must then be UTF-8. A value that starts with an unescaped `#` is the hex of a DER
//!   encoding (`CN=#0C05616C696365`).
//! - Refused with the offset and a reason: an empty or unknown type, a missing `=`, a
//!   dangling or unknown escape, bad hex, invalid UTF-8, an unescaped `"`, `<` or `>`.
//!
//! The string lists RDNs most specific first (the reverse of DER order) and the result is in
//! DER order, so [`DistinguishedName::to_rfc2253`] gives the string back in OpenSSL's form.

use std::fmt;

use super::dn::{Attribute, AttributeValue, DistinguishedName};
use super::oids;

/// The longest DN string read (a certificate subject is far shorter; bounds the work done
/// on configured input).
pub const MAX_DN_STRING_LEN: usize = 16 * 1024;

/// Why a DN string could not be read: the byte offset and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnParseError {
    /// Byte offset in the string where the problem is.
    pub offset: usize,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for DnParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {})", self.reason, self.offset)
    }
}

impl std::error::Error for DnParseError {}

fn err(offset: usize, reason: impl Into<String>) -> DnParseError {
    DnParseError { offset, reason: reason.into() }
}

/// Reads `s` as a DN string. An empty string (or only spaces) is the empty name.
pub fn parse(s: &str) -> Result<DistinguishedName, DnParseError> {
    if s.len() > MAX_DN_STRING_LEN {
        return Err(err(MAX_DN_STRING_LEN, format!("DN string longer than {MAX_DN_STRING_LEN} bytes")));
    }
    let b = s.as_bytes();
    let mut rdns: Vec<Vec<Attribute>> = Vec::new();
    if b.iter().all(|c| *c == b' ') {
        return Ok(DistinguishedName::default());
    }
    let mut rdn: Vec<Attribute> = Vec::new();
    let mut i = 0;
    loop {
        let (attr, next, sep) = parse_attribute(b, i)?;
        rdn.push(attr);
        i = next;
        match sep {
            Some(b'+') => {}
            Some(_) => rdns.push(std::mem::take(&mut rdn)),
            None => {
                rdns.push(std::mem::take(&mut rdn));
                break;
            }
        }
    }
    // The string is most specific first; DER order is the reverse, in RDNs and (as OpenSSL
    // prints them) in the attributes of a multi-valued RDN.
    rdns.reverse();
    for r in &mut rdns {
        r.reverse();
    }
    Ok(DistinguishedName::from_rdns(rdns))
}

/// One `type=value` from `start`: the attribute, the offset after its separator, and the
/// separator (`None` at the end of the string).
fn parse_attribute(b: &[u8], start: usize) -> Result<(Attribute, usize, Option<u8>), DnParseError> {
    let mut i = start;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let type_start = i;
    while i < b.len() && !matches!(b[i], b'=' | b',' | b'+' | b';' | b' ') {
        i += 1;
    }
    let type_name =
        std::str::from_utf8(&b[type_start..i]).map_err(|_| err(type_start, "attribute type is not ASCII"))?;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if type_name.is_empty() {
        return Err(err(type_start, "empty attribute type"));
    }
    if i >= b.len() || b[i] != b'=' {
        return Err(err(i, format!("expected '=' after attribute type '{type_name}'")));
    }
    let oid = oids::oid_for_type_name(type_name)
        .ok_or_else(|| err(type_start, format!("unknown attribute type '{type_name}'")))?;
    i += 1;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let value_start = i;
    if i < b.len() && b[i] == b'#' {
        let hex_start = i + 1;
        let mut j = hex_start;
        while j < b.len() && b[j].is_ascii_hexdigit() {
            j += 1;
        }
        let value = parse_der_hex(&b[hex_start..j], hex_start)?;
        let (next, sep) = end_of_value(b, j)?;
        return Ok((Attribute::new(oid, value), next, sep));
    }
    let mut value: Vec<u8> = Vec::new();
    // Length of `value` up to its last escaped or non-space byte: unescaped trailing spaces
    // are not part of the value.
    let mut kept = 0;
    while i < b.len() {
        match b[i] {
            b',' | b'+' | b';' => break,
            b'\\' => {
                let Some(&c) = b.get(i + 1) else {
                    return Err(err(i, "dangling '\\' at the end"));
                };
                if matches!(c, b' ' | b'"' | b'#' | b'+' | b',' | b';' | b'<' | b'=' | b'>' | b'\\') {
                    value.push(c);
                    i += 2;
                } else if c.is_ascii_hexdigit() && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit) {
                    value.push(hex_val(c) << 4 | hex_val(b[i + 2]));
                    i += 3;
                } else {
                    return Err(err(i, "'\\' must be followed by a special character or two hex digits"));
                }
                kept = value.len();
            }
            c @ (b'"' | b'<' | b'>') => {
                return Err(err(i, format!("'{}' must be escaped as '\\{}'", char::from(c), char::from(c))));
            }
            c => {
                value.push(c);
                if c != b' ' {
                    kept = value.len();
                }
                i += 1;
            }
        }
    }
    value.truncate(kept);
    if std::str::from_utf8(&value).is_err() {
        return Err(err(value_start, "value is not valid UTF-8"));
    }
    let (next, sep) = end_of_value(b, i)?;
    Ok((Attribute::new(oid, AttributeValue::utf8(&value)), next, sep))
}

/// After a value: spaces, then a separator or the end.
fn end_of_value(b: &[u8], mut i: usize) -> Result<(usize, Option<u8>), DnParseError> {
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    match b.get(i) {
        None => Ok((i, None)),
        Some(&c @ (b',' | b'+' | b';')) => {
            if i + 1 == b.len() || b[i + 1..].iter().all(|c| *c == b' ') {
                return Err(err(i, format!("nothing after '{}'", char::from(c))));
            }
            Ok((i + 1, Some(c)))
        }
        Some(_) => Err(err(i, "unexpected character after a '#' value")),
    }
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// `#hex`: the DER of one value (tag, length, content, nothing after).
fn parse_der_hex(hex: &[u8], offset: usize) -> Result<AttributeValue, DnParseError> {
    if hex.is_empty() || hex.len() % 2 != 0 {
        return Err(err(offset, "'#' must be followed by an even number of hex digits"));
    }
    let der: Vec<u8> = hex.chunks(2).map(|p| hex_val(p[0]) << 4 | hex_val(p[1])).collect();
    let bad = || err(offset, "'#' value is not one DER encoded value");
    let first = der[0];
    if first & 0x1f == 0x1f {
        return Err(err(offset, "'#' values with a multi-byte tag are not supported"));
    }
    let (len, header) = match *der.get(1).ok_or_else(bad)? {
        l if l < 0x80 => (usize::from(l), 2),
        0x81 => (usize::from(*der.get(2).ok_or_else(bad)?), 3),
        0x82 => (usize::from(*der.get(2).ok_or_else(bad)?) << 8 | usize::from(*der.get(3).ok_or_else(bad)?), 4),
        _ => return Err(bad()),
    };
    if der.len() != header + len {
        return Err(bad());
    }
    Ok(AttributeValue::from_parts(
        u32::from(first & 0x1f),
        first & 0xc0 == 0,
        first & 0x20 != 0,
        der[header..].to_vec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(s: &str) -> String {
        parse(s).unwrap().to_rfc2253()
    }

    #[test]
    fn canonical_strings_round_trip() {
        for s in [
            "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US",
            "CN=Doe\\, John\\+Admin,O=Acme \\\"Quoted\\\"\\; Inc \\<x\\>,C=US",
            "UID=jdoe+CN=John Doe,OU=People,DC=example,DC=org",
            "emailAddress=zoe@example.de,CN=a=b Zo\\C3\\AB M\\C3\\BCller,OU=\\ padded\\ ,O=\\#hash org,C=DE",
            "1.2.3.4=#0C024142",
            "",
        ] {
            assert_eq!(round_trip(s), s);
        }
    }

    #[test]
    fn lenient_forms_read_to_the_same_name() {
        assert_eq!(round_trip("cn = alice , ou=Platform;O=Acme"), "CN=alice,OU=Platform,O=Acme");
        assert_eq!(round_trip("CN=Zoë"), "CN=Zo\\C3\\AB");
        assert_eq!(round_trip("CN=a\\2Cb"), "CN=a\\,b");
        assert_eq!(round_trip("E=z@x,OID.2.5.4.3=n"), "emailAddress=z@x,CN=n");
        assert_eq!(round_trip("CN=#0C05616C696365"), "CN=alice");
        assert_eq!(round_trip("CN=trailing\\ "), "CN=trailing\\ ");
    }

    #[test]
    fn malformed_strings_say_why() {
        for (s, reason) in [
            ("CN", "expected '='"),
            ("=x", "empty attribute type"),
            ("XX=1", "unknown attribute type 'XX'"),
            ("CN=a\\", "dangling"),
            ("CN=a\\q", "special character or two hex digits"),
            ("CN=a\\FF", "not valid UTF-8"),
            ("CN=#0C05", "not one DER encoded value"),
            ("CN=#0", "even number"),
            ("CN=a<b", "must be escaped"),
            ("CN=a,", "nothing after ','"),
            ("CN=a,,O=b", "empty attribute type"),
        ] {
            let e = parse(s).unwrap_err();
            assert!(e.reason.contains(reason), "{s}: {e}");
        }
        assert!(parse(&"C".repeat(MAX_DN_STRING_LEN + 1)).is_err());
    }
}
