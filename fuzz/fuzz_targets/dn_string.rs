//! RFC 2253 distinguished-name strings (`tls::dn_string::parse`, used by the certificate
//! subject policies). Never panics; a parsed name parses again from its own RFC 2253 form to
//! the same name.
#![no_main]

use authgate::tls::dn_string::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(dn) = parse(text) else { return };
    let printed = dn.to_rfc2253();
    match parse(&printed) {
        Ok(again) => assert!(again.same_as(&dn), "{text:?} printed as {printed:?} reads back differently"),
        Err(e) => panic!("{text:?} printed as {printed:?} does not parse: {e}"),
    }
});
