//! A distinguished name as a structure: RDNs in DER order, each a set of attribute type and
//! value pairs, each value with its ASN.1 tag. The RFC 2253 string is [`rfc2253`](super::rfc2253);
//! reading a configured DN string is [`dn_string`](super::dn_string).

use super::oids;

/// ASN.1 universal tag numbers of the string types a name attribute can carry.
pub mod tag {
    /// UTF8String
    pub const UTF8_STRING: u32 = 12;
    /// NumericString
    pub const NUMERIC_STRING: u32 = 18;
    /// PrintableString
    pub const PRINTABLE_STRING: u32 = 19;
    /// T61String (TeletexString)
    pub const T61_STRING: u32 = 20;
    /// VideotexString
    pub const VIDEOTEX_STRING: u32 = 21;
    /// IA5String
    pub const IA5_STRING: u32 = 22;
    /// VisibleString (ISO646String)
    pub const VISIBLE_STRING: u32 = 26;
    /// GeneralString
    pub const GENERAL_STRING: u32 = 27;
    /// UniversalString (UCS-4)
    pub const UNIVERSAL_STRING: u32 = 28;
    /// BMPString (UCS-2)
    pub const BMP_STRING: u32 = 30;
}

/// How a string type stores its characters, as OpenSSL reads them (a_strex.c's table: one
/// byte per character for the 8-bit types, two for BMPString, four for UniversalString).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CharWidth {
    /// UTF8String: bytes as they are.
    Utf8,
    /// One byte per character (Latin-1 when converted).
    One,
    /// UCS-2, big-endian.
    Two,
    /// UCS-4, big-endian.
    Four,
}

/// An attribute value: the ASN.1 tag, the content octets and the whole DER encoding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttributeValue {
    /// The universal tag number (a string type for ordinary names), or the tag number of
    /// another class when `universal` is false.
    pub(crate) tag: u32,
    pub(crate) universal: bool,
    pub(crate) content: Vec<u8>,
    pub(crate) der: Vec<u8>,
}

impl AttributeValue {
    /// A UTF8String value (what a value written as text in a DN string becomes).
    pub fn utf8(text: &[u8]) -> AttributeValue {
        AttributeValue::from_parts(tag::UTF8_STRING, true, false, text.to_vec())
    }

    /// A value from its tag and content; the DER encoding is built from them.
    pub(crate) fn from_parts(tag: u32, universal: bool, constructed: bool, content: Vec<u8>) -> AttributeValue {
        let mut der = Vec::with_capacity(content.len() + 6);
        let class_bits: u8 = if universal { 0 } else { 0x80 };
        let cons: u8 = if constructed { 0x20 } else { 0 };
        if tag < 31 {
            der.push(class_bits | cons | tag as u8);
        } else {
            der.push(class_bits | cons | 0x1f);
            let mut groups = Vec::new();
            let mut t = tag;
            loop {
                groups.push((t & 0x7f) as u8);
                t >>= 7;
                if t == 0 {
                    break;
                }
            }
            for (i, g) in groups.iter().rev().enumerate() {
                der.push(if i + 1 < groups.len() { g | 0x80 } else { *g });
            }
        }
        let len = content.len();
        if len < 0x80 {
            der.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            der.push(0x80 | (bytes.len() - skip) as u8);
            der.extend_from_slice(&bytes[skip..]);
        }
        der.extend_from_slice(&content);
        AttributeValue { tag, universal, content, der }
    }

    /// The tag number.
    pub fn tag(&self) -> u32 {
        self.tag
    }

    /// The content octets (for a string type, the characters in that type's encoding).
    pub fn content(&self) -> &[u8] {
        &self.content
    }

    /// The whole DER encoding (tag, length, content): what `#hex` shows.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// How OpenSSL reads this type's characters; `None` for a type it prints as `#hex`.
    pub(crate) fn char_width(&self) -> Option<CharWidth> {
        if !self.universal {
            return None;
        }
        match self.tag {
            tag::UTF8_STRING => Some(CharWidth::Utf8),
            // NumericString to GeneralString, and the two time types in between, are one
            // byte per character to OpenSSL.
            18..=27 => Some(CharWidth::One),
            tag::UNIVERSAL_STRING => Some(CharWidth::Four),
            tag::BMP_STRING => Some(CharWidth::Two),
            _ => None,
        }
    }

    /// The value as text, when it is a string type whose characters decode: UTF8String as
    /// UTF-8, the 8-bit types as Latin-1 (as OpenSSL converts them), BMPString and
    /// UniversalString as UCS-2 / UCS-4. `None` for other types or undecodable content.
    pub fn text(&self) -> Option<String> {
        match self.char_width()? {
            CharWidth::Utf8 => String::from_utf8(self.content.clone()).ok(),
            CharWidth::One => Some(self.content.iter().map(|b| char::from(*b)).collect()),
            CharWidth::Two => {
                if self.content.len() % 2 != 0 {
                    return None;
                }
                let units = self.content.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
                char::decode_utf16(units).collect::<Result<String, _>>().ok()
            }
            CharWidth::Four => {
                if self.content.len() % 4 != 0 {
                    return None;
                }
                self.content
                    .chunks(4)
                    .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                    .collect::<Option<String>>()
            }
        }
    }

    /// Equality as a certificate user would expect it: two string values are equal when their
    /// text is (a PrintableString equals a UTF8String of the same characters, RFC 5280 §7.1),
    /// byte-exact and case-sensitive; other values when their DER is.
    pub fn same_value(&self, other: &AttributeValue) -> bool {
        match (self.text(), other.text()) {
            (Some(a), Some(b)) => a == b,
            (None, None) => self.der == other.der,
            _ => false,
        }
    }
}

/// One attribute: its type (a dotted OID) and its value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Attribute {
    pub(crate) oid: String,
    pub(crate) value: AttributeValue,
}

impl Attribute {
    /// An attribute of type `oid` (dotted) with `value`.
    pub fn new(oid: impl Into<String>, value: AttributeValue) -> Attribute {
        Attribute { oid: oid.into(), value }
    }

    /// The attribute type as a dotted OID (`2.5.4.3`).
    pub fn oid(&self) -> &str {
        &self.oid
    }

    /// The type's name as OpenSSL prints it (`CN`, `emailAddress`, `UID`), if it has one.
    pub fn short_name(&self) -> Option<&'static str> {
        oids::openssl_short_name(&self.oid)
    }

    /// The value.
    pub fn value(&self) -> &AttributeValue {
        &self.value
    }
}

/// A relative distinguished name: one or more attributes (a SET, more than one only in a
/// multi-valued RDN), in the order the DER has them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rdn {
    pub(crate) attributes: Vec<Attribute>,
}

impl Rdn {
    /// The attributes, in DER order.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// The same set of attributes as `other` (order ignored, values by
    /// [`same_value`](AttributeValue::same_value)).
    pub fn same_set(&self, other: &Rdn) -> bool {
        fn covers(a: &Rdn, b: &Rdn) -> bool {
            a.attributes.iter().all(|x| b.attributes.iter().any(|y| x.oid == y.oid && x.value.same_value(&y.value)))
        }
        self.attributes.len() == other.attributes.len() && covers(self, other) && covers(other, self)
    }
}

/// A distinguished name (a certificate's subject or issuer, or a parsed DN string): RDNs in
/// DER order, the first being the most significant (`C=US` before `CN=alice`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DistinguishedName {
    pub(crate) rdns: Vec<Rdn>,
}

impl DistinguishedName {
    /// A name from RDNs in DER order.
    pub fn from_rdns(rdns: Vec<Vec<Attribute>>) -> DistinguishedName {
        DistinguishedName { rdns: rdns.into_iter().map(|attributes| Rdn { attributes }).collect() }
    }

    /// The RDNs, in DER order (the reverse of the RFC 2253 string's order).
    pub fn rdns(&self) -> &[Rdn] {
        &self.rdns
    }

    /// No RDN at all (a certificate whose identity is only in its SANs).
    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }

    /// Every attribute, in DER order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.rdns.iter().flat_map(|r| r.attributes.iter())
    }

    /// The values of the attributes of type `oid`, in DER order.
    pub fn values_of<'a>(&'a self, oid: &'a str) -> impl Iterator<Item = &'a AttributeValue> + 'a {
        self.attributes().filter(move |a| a.oid == oid).map(|a| &a.value)
    }

    /// The text of the attributes of type `oid` that decode as text, in DER order.
    pub fn texts_of(&self, oid: &str) -> Vec<String> {
        self.values_of(oid).filter_map(AttributeValue::text).collect()
    }

    /// The common names, in DER order.
    pub fn common_names(&self) -> Vec<String> {
        self.texts_of(oids::COMMON_NAME)
    }

    /// The RFC 2253 string exactly as `openssl x509 -noout -subject -nameopt RFC2253` prints
    /// it (without `subject=`).
    pub fn to_rfc2253(&self) -> String {
        super::rfc2253::render(self)
    }

    /// Equal RDN by RDN in order, each RDN compared as a set (RFC 4517 distinguishedNameMatch
    /// with byte-exact values).
    pub fn same_as(&self, other: &DistinguishedName) -> bool {
        self.rdns.len() == other.rdns.len() && self.rdns.iter().zip(&other.rdns).all(|(a, b)| a.same_set(b))
    }

    /// Equal in any RDN order: the RDNs of both names pair up one to one (a multiset match).
    pub fn same_rdns_any_order(&self, other: &DistinguishedName) -> bool {
        if self.rdns.len() != other.rdns.len() {
            return false;
        }
        let mut used = vec![false; other.rdns.len()];
        self.rdns.iter().all(|a| match (0..other.rdns.len()).find(|&j| !used[j] && a.same_set(&other.rdns[j])) {
            Some(j) => {
                used[j] = true;
                true
            }
            None => false,
        })
    }
}
