//! RFC 2253 distinguished-name strings (`tls::dn_string::parse`, used by the certificate
//! subject policies). Never panics; a parsed name of decodable values parses again from its
//! own RFC 2253 form to the same name.

use authgate::tls::dn_string::parse;

/// One input of the target: returns normally or panics with what went wrong.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(dn) = parse(text) else { return };
    // A string value whose bytes do not decode (`#0c02ff00`, a UTF8String that is not UTF-8)
    // prints as escaped bytes, like OpenSSL, and escapes must form UTF-8 when read (RFC 4514):
    // such names are checked for panics only. So are values that are just `#`: OpenSSL
    // leaves a lone `#` unescaped (its first-character escape is overwritten by the
    // last-character one; `openssl x509 -nameopt RFC2253` prints `CN=#`), and so do we.
    if dn.attributes().any(|a| a.value().text().map_or(true, |t| t == "#")) {
        return;
    }
    let printed = dn.to_rfc2253();
    match parse(&printed) {
        Ok(again) => assert!(again.same_as(&dn), "{text:?} printed as {printed:?} reads back differently"),
        Err(e) => panic!("{text:?} printed as {printed:?} does not parse: {e}"),
    }
}
