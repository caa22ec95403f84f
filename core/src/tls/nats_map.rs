//! nats-server's `tls { verify_and_map: true }` for client connections (spec mtls.md §A3):
//! which configured user a verified client certificate names. `NatsAuth` calls
//! [`nats_map_user`] with its user names in configuration order.
//!
//! The order, as nats-server 2.9.10 tries it:
//! 1. A certificate with no SAN email or URI and an empty subject maps to nobody (SAN DNS
//!    names do not count here, as in nats-server: such a certificate never maps).
//! 2. SAN emails, then SAN DNS names, then SAN URIs, each in certificate order: a user whose
//!    name is exactly that string (case-sensitive, no wildcards).
//! 3. The subject as a DN, when every attribute type is one of CN, SERIALNUMBER, C, L, ST,
//!    STREET, O, OU, POSTALCODE, DC: each user name read as a DN the way nats-server's LDAP
//!    DN parser reads it ([`parse_nats_dn`]); first a user equal RDN by RDN (attributes of an
//!    RDN as a set, types without regard to case, values byte-exact), then one whose RDNs are
//!    all among the certificate's, in any order (a subset: `CN=alice,O=Acme` maps a certificate
//!    with `C=US` too). nats-server takes both from a Go map, so when several users match its
//!    choice is random; authgate takes the first in configuration order, one of its answers.
//! 4. Go's `pkix.Name` string of the subject (fixed attribute order, last CN only, repeated
//!    types merged into one RDN, other types dropped), first with `,DC=..` for each DC in DER
//!    order appended, then without.

use super::cert::ClientCert;
use super::dn::AttributeValue;
use super::oids;

/// How a certificate matched a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatsMatch {
    /// A SAN email.
    Email,
    /// A SAN DNS name.
    Dns,
    /// A SAN URI.
    Uri,
    /// The subject DN, RDN by RDN.
    Dn,
    /// The subject DN: the user's RDNs all among the certificate's, in any order.
    DnAnyOrder,
    /// Go's subject string (with or without the DCs).
    GoSubjectString,
}

/// The outcome of [`nats_map_user`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NatsCertMapping<'u> {
    /// The user, and what matched.
    User(&'u [u8], NatsMatch),
    /// Nothing matched; the text nats-server's debug line quotes (`User in cert [%q], not
    /// found`: the subject's Go string).
    NotFound(String),
}

/// The NATS attribute names its DN matching knows, by OID.
const NATS_DN_TYPES: &[(&str, &str)] = &[
    (oids::COMMON_NAME, "CN"),
    ("2.5.4.5", "SERIALNUMBER"),
    (oids::COUNTRY, "C"),
    (oids::LOCALITY, "L"),
    (oids::STATE_OR_PROVINCE, "ST"),
    ("2.5.4.9", "STREET"),
    (oids::ORGANIZATION, "O"),
    (oids::ORGANIZATIONAL_UNIT, "OU"),
    ("2.5.4.17", "POSTALCODE"),
    (oids::DOMAIN_COMPONENT, "DC"),
];

/// A DN as NATS compares it: RDNs in string order, each a list of (type, value).
pub type NatsDn = Vec<Vec<(String, Vec<u8>)>>;

/// Maps `cert` to one of `users` (configured names, in configuration order).
pub fn nats_map_user<'u>(cert: &ClientCert, users: &[&'u [u8]]) -> Option<NatsCertMapping<'u>> {
    let dn = cert.subject_dn();
    // nats-server's precondition leaves DNS names out: a certificate with only SAN DNS names
    // and an empty subject maps to nobody, even where a user is named after one of them.
    if cert.san_emails().is_empty() && cert.san_uris().is_empty() && dn.is_empty() {
        return None;
    }
    let exact = |candidate: &str| users.iter().copied().find(|u| *u == candidate.as_bytes());
    for (list, how) in
        [(cert.san_emails(), NatsMatch::Email), (cert.san_dns(), NatsMatch::Dns), (cert.san_uris(), NatsMatch::Uri)]
    {
        if let Some(u) = list.iter().find_map(|c| exact(c)) {
            return Some(NatsCertMapping::User(u, how));
        }
    }
    if let Some(cert_dn) = structured_dn(cert) {
        let parsed: Vec<(&'u [u8], NatsDn)> =
            users.iter().filter_map(|u| parse_nats_dn(u).filter(|d| !d.is_empty()).map(|d| (*u, d))).collect();
        if let Some((u, _)) = parsed.iter().find(|(_, d)| dn_equal(&cert_dn, d)) {
            return Some(NatsCertMapping::User(u, NatsMatch::Dn));
        }
        if let Some((u, _)) = parsed.iter().find(|(_, d)| rdns_any_order(&cert_dn, d)) {
            return Some(NatsCertMapping::User(u, NatsMatch::DnAnyOrder));
        }
    }
    let go = go_subject_string(cert);
    let dcs: Vec<String> = dn.values_of(oids::DOMAIN_COMPONENT).filter_map(AttributeValue::text).collect();
    let mut with_dcs = go.clone();
    for dc in &dcs {
        if !with_dcs.is_empty() {
            with_dcs.push(',');
        }
        with_dcs.push_str("DC=");
        with_dcs.push_str(dc);
    }
    for candidate in [&with_dcs, &go] {
        if let Some(u) = exact(candidate) {
            return Some(NatsCertMapping::User(u, NatsMatch::GoSubjectString));
        }
    }
    Some(NatsCertMapping::NotFound(go))
}

/// The subject in NATS's DN form (RFC 2253 order, the attributes of an RDN reversed too), or
/// `None` when a type is outside NATS's table or a value is not text.
fn structured_dn(cert: &ClientCert) -> Option<NatsDn> {
    let mut out = Vec::new();
    for rdn in cert.subject_dn().rdns().iter().rev() {
        let mut r = Vec::new();
        for a in rdn.attributes().iter().rev() {
            let (_, name) = NATS_DN_TYPES.iter().find(|(o, _)| *o == a.oid())?;
            r.push(((*name).to_string(), a.value().text()?.into_bytes()));
        }
        out.push(r);
    }
    Some(out)
}

fn rdn_equal(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) -> bool {
    let covers = |x: &[(String, Vec<u8>)], y: &[(String, Vec<u8>)]| {
        x.iter().all(|(t, v)| y.iter().any(|(t2, v2)| t.eq_ignore_ascii_case(t2) && v == v2))
    };
    a.len() == b.len() && covers(a, b) && covers(b, a)
}

fn dn_equal(a: &NatsDn, b: &NatsDn) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| rdn_equal(x, y))
}

/// The same RDNs in any order: as many as the certificate's, each RDN of the user's paired
/// with a distinct RDN of the certificate's.
fn rdns_any_order(cert: &NatsDn, user: &NatsDn) -> bool {
    if cert.len() != user.len() {
        return false;
    }
    let mut used = vec![false; user.len()];
    cert.iter().all(|x| match (0..user.len()).find(|&j| !used[j] && rdn_equal(x, &user[j])) {
        Some(j) => {
            used[j] = true;
            true
        }
        None => false,
    })
}

/// Reads a user name as nats-server's LDAP DN parser does (`internal/ldap/dn.go`): `\`
/// before a special character or two hex digits; `,` and `+` separate (not `;`); each
/// unescaped `=` makes what precedes it the type (so `CN=a=b` is type `a`, value `b`);
/// unescaped leading spaces dropped, trailing ones trimmed; a `#` value refused; a last value
/// that is empty drops its RDN. `None` when it does not read.
pub fn parse_nats_dn(s: &[u8]) -> Option<NatsDn> {
    let mut dn: NatsDn = Vec::new();
    let mut rdn: Vec<(String, Vec<u8>)> = Vec::new();
    let mut attr_type = String::new();
    let mut buf: Vec<u8> = Vec::new();
    // `buf` up to its last escaped or non-space byte: trailing unescaped spaces are trimmed.
    let mut kept = 0;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        match c {
            b'\\' => {
                let next = *s.get(i + 1)?;
                if matches!(next, b' ' | b'"' | b'#' | b'+' | b',' | b';' | b'<' | b'=' | b'>' | b'\\') {
                    buf.push(next);
                    i += 2;
                } else {
                    let hi = hex(next)?;
                    let lo = hex(*s.get(i + 2)?)?;
                    buf.push(hi << 4 | lo);
                    i += 3;
                }
                kept = buf.len();
                continue;
            }
            b'=' => {
                buf.truncate(kept);
                attr_type = String::from_utf8(std::mem::take(&mut buf)).ok()?;
                kept = 0;
                if s.get(i + 1) == Some(&b'#') {
                    return None;
                }
            }
            b',' | b'+' => {
                if attr_type.is_empty() {
                    return None;
                }
                buf.truncate(kept);
                rdn.push((std::mem::take(&mut attr_type), std::mem::take(&mut buf)));
                kept = 0;
                if c == b',' {
                    dn.push(std::mem::take(&mut rdn));
                }
            }
            b' ' if buf.is_empty() => {}
            _ => {
                buf.push(c);
                if c != b' ' {
                    kept = buf.len();
                }
            }
        }
        i += 1;
    }
    buf.truncate(kept);
    if !buf.is_empty() {
        if attr_type.is_empty() {
            return None;
        }
        rdn.push((attr_type, buf));
        dn.push(rdn);
    }
    Some(dn)
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Go's `cert.Subject.ToRDNSequence().String()`.
pub fn go_subject_string(cert: &ClientCert) -> String {
    let dn = cert.subject_dn();
    let texts = |oid: &str| dn.texts_of(oid);
    let last = |oid: &str| texts(oid).into_iter().last().filter(|v| !v.is_empty()).map(|v| vec![v]).unwrap_or_default();
    // Go's sequence order; String() then prints it from the end.
    let groups: [(&str, Vec<String>); 9] = [
        ("C", texts(oids::COUNTRY)),
        ("ST", texts(oids::STATE_OR_PROVINCE)),
        ("L", texts(oids::LOCALITY)),
        ("STREET", texts("2.5.4.9")),
        ("POSTALCODE", texts("2.5.4.17")),
        ("O", texts(oids::ORGANIZATION)),
        ("OU", texts(oids::ORGANIZATIONAL_UNIT)),
        ("CN", last(oids::COMMON_NAME)),
        ("SERIALNUMBER", last("2.5.4.5")),
    ];
    let mut rdns: Vec<String> = Vec::new();
    for (name, values) in groups.iter().filter(|(_, v)| !v.is_empty()) {
        let avas: Vec<String> = values.iter().map(|v| format!("{name}={}", go_escape(v))).collect();
        rdns.push(avas.join("+"));
    }
    rdns.reverse();
    rdns.join(",")
}

/// Go's value escaping: `, + " \ < > ;` anywhere, a space first or last, `#` first.
fn go_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (k, c) in v.char_indices() {
        let escape = match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
            ' ' => k == 0 || k == v.len() - 1,
            '#' => k == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nats_dn_parser_quirks() {
        let dn = parse_nats_dn(b"DC=foo2, DC=foo1").unwrap();
        assert_eq!(dn, parse_nats_dn(b"DC=foo2,DC=foo1").unwrap());
        let odd = parse_nats_dn(b"CN=a=b").unwrap();
        assert_eq!(odd, vec![vec![("a".to_string(), b"b".to_vec())]]);
        assert_eq!(parse_nats_dn(b"CN=#0C01"), None);
        assert_eq!(parse_nats_dn(b"=x,"), None);
        assert_eq!(parse_nats_dn(b"CN=a\\2Cb").unwrap(), vec![vec![("CN".to_string(), b"a,b".to_vec())]]);
        assert_eq!(parse_nats_dn(b"CN=a;O=b").unwrap(), vec![vec![("a;O".to_string(), b"b".to_vec())]]);
    }

    #[test]
    fn go_escaping() {
        assert_eq!(go_escape(" a#b, "), "\\ a#b\\,\\ ");
        assert_eq!(go_escape("#x=y"), "\\#x=y");
    }
}
