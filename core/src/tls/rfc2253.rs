//! The RFC 2253 string of a name exactly as `openssl x509 -noout -subject -nameopt RFC2253`
//! prints it (OpenSSL 3.0; tests/cert compares every generated certificate with openssl).
//!
//! What `-nameopt RFC2253` means, as OpenSSL behaves:
//! - RDNs from the last in DER order to the first, joined by `,`; the attributes of a
//!   multi-valued RDN joined by `+`, also from the last to the first.
//! - The type as OpenSSL's short name; a type it has no name for as the dotted OID, and then
//!   the value always as `#` and the upper-case hex of its DER encoding.
//! - A value of a non-string type (INTEGER, a SEQUENCE, ...) as `#hex` too.
//! - String values: 8-bit types (PrintableString, IA5String, T61String, ...) are Latin-1 and
//!   converted to UTF-8; BMPString and UniversalString are converted to UTF-8; UTF8String bytes
//!   are taken as they are (not validated). Then, per byte: `, + " \ < > ;` get a backslash;
//!   so do a leading space or `#` and a trailing space (one-character values: only the
//!   trailing rule applies, so a lone `#` stays bare); control bytes, DEL and every byte
//!   above 0x7F are written `\HH`. `=` stays bare.
//! - A character that cannot be converted (a UTF-16 surrogate in a BMPString, a code point
//!   above U+10FFFF in a UniversalString) is left out, as OpenSSL leaves it out.

use std::fmt::Write as _;

use super::dn::{AttributeValue, CharWidth, DistinguishedName};
use super::oids;

/// The `-nameopt RFC2253` string of `name`.
pub(crate) fn render(name: &DistinguishedName) -> String {
    let mut out = String::new();
    for (i, rdn) in name.rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, attr) in rdn.attributes.iter().rev().enumerate() {
            if j > 0 {
                out.push('+');
            }
            match oids::openssl_short_name(&attr.oid) {
                Some(short) => {
                    out.push_str(short);
                    out.push('=');
                    render_value(&attr.value, &mut out);
                }
                None => {
                    out.push_str(&attr.oid);
                    out.push('=');
                    hex_dump(&attr.value, &mut out);
                }
            }
        }
    }
    out
}

/// One value of a named type.
pub(crate) fn render_value(value: &AttributeValue, out: &mut String) {
    let Some(width) = value.char_width() else {
        hex_dump(value, out);
        return;
    };
    let bytes = utf8_bytes(value, width);
    let last = bytes.len().saturating_sub(1);
    for (i, b) in bytes.iter().copied().enumerate() {
        // OpenSSL marks the first character, then overwrites the mark with "last" for the
        // final one, so a one-character value gets only the trailing rule.
        let position = if i == last {
            Position::Last
        } else if i == 0 {
            Position::First
        } else {
            Position::Middle
        };
        escape_byte(b, position, out);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    First,
    Middle,
    Last,
}

/// The bytes OpenSSL escapes one by one: UTF-8 for the converted types, the content as it is
/// for UTF8String.
fn utf8_bytes(value: &AttributeValue, width: CharWidth) -> Vec<u8> {
    let c = &value.content;
    let mut out = Vec::with_capacity(c.len());
    let mut push = |cp: u32| {
        if let Some(ch) = char::from_u32(cp) {
            let mut buf = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
        }
    };
    match width {
        CharWidth::Utf8 => return c.clone(),
        CharWidth::One => c.iter().for_each(|b| push(u32::from(*b))),
        CharWidth::Two => c.chunks_exact(2).for_each(|p| push(u32::from(u16::from_be_bytes([p[0], p[1]])))),
        CharWidth::Four => c.chunks_exact(4).for_each(|p| push(u32::from_be_bytes([p[0], p[1], p[2], p[3]]))),
    }
    out
}

fn escape_byte(b: u8, position: Position, out: &mut String) {
    let special = matches!(b, b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';')
        || (b == b' ' && position != Position::Middle)
        || (b == b'#' && position == Position::First);
    if special {
        out.push('\\');
        out.push(char::from(b));
    } else if !(0x20..0x7f).contains(&b) {
        let _ = write!(out, "\\{b:02X}");
    } else {
        out.push(char::from(b));
    }
}

/// `#` and the upper-case hex of the value's DER encoding.
pub(crate) fn hex_dump(value: &AttributeValue, out: &mut String) {
    out.push('#');
    for b in &value.der {
        let _ = write!(out, "{b:02X}");
    }
}

#[cfg(test)]
mod tests {
    use super::super::dn::{tag, Attribute, AttributeValue, DistinguishedName};

    fn name(rdns: &[&[(&str, AttributeValue)]]) -> DistinguishedName {
        DistinguishedName::from_rdns(
            rdns.iter().map(|r| r.iter().map(|(o, v)| Attribute::new(*o, v.clone())).collect()).collect(),
        )
    }

    fn utf8(s: &str) -> AttributeValue {
        AttributeValue::utf8(s.as_bytes())
    }

    #[test]
    fn reverse_order_and_multi_valued_rdns() {
        let n = name(&[
            &[("0.9.2342.19200300.100.1.25", utf8("org"))],
            &[("2.5.4.3", utf8("John Doe")), ("0.9.2342.19200300.100.1.1", utf8("jdoe"))],
        ]);
        assert_eq!(n.to_rfc2253(), "UID=jdoe+CN=John Doe,DC=org");
        assert_eq!(DistinguishedName::default().to_rfc2253(), "");
    }

    #[test]
    fn escapes_as_openssl_does() {
        let one = |s: &str| name(&[&[("2.5.4.3", utf8(s))]]).to_rfc2253();
        assert_eq!(one("Doe, John+Admin"), "CN=Doe\\, John\\+Admin");
        assert_eq!(one("a\"b;c<d>e\\f"), "CN=a\\\"b\\;c\\<d\\>e\\\\f");
        assert_eq!(one(" padded "), "CN=\\ padded\\ ");
        assert_eq!(one("#hash #"), "CN=\\#hash #");
        assert_eq!(one("#"), "CN=#");
        assert_eq!(one(" "), "CN=\\ ");
        assert_eq!(one("a=b"), "CN=a=b");
        assert_eq!(one("Zoë"), "CN=Zo\\C3\\AB");
        assert_eq!(one("a\u{0}b\u{7f}"), "CN=a\\00b\\7F");
    }

    #[test]
    fn converts_other_string_types() {
        let latin1 = AttributeValue::from_parts(tag::T61_STRING, true, false, vec![b'Z', 0xEB]);
        assert_eq!(name(&[&[("2.5.4.3", latin1)]]).to_rfc2253(), "CN=Z\\C3\\AB");
        let bmp = AttributeValue::from_parts(tag::BMP_STRING, true, false, vec![0, b'Z', 0, 0xEB, 0xD8, 0x00]);
        assert_eq!(name(&[&[("2.5.4.3", bmp)]]).to_rfc2253(), "CN=Z\\C3\\AB");
        let int = AttributeValue::from_parts(2, true, false, vec![5]);
        assert_eq!(name(&[&[("2.5.4.3", int)]]).to_rfc2253(), "CN=#020105");
        assert_eq!(name(&[&[("1.2.3.4", utf8("AB"))]]).to_rfc2253(), "1.2.3.4=#0C024142");
    }
}
