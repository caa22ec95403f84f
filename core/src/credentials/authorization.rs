//! The gRPC `authorization` metadata of a Milvus client: base64 of `user:password`.

use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use super::error::CredentialError;

/// Go's `base64.StdEncoding` as Milvus decodes: padding required, non-zero trailing bits
/// accepted (Go's decoder is not strict).
const GO_STD_ENCODING: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// A header longer than this is refused before decoding (a name of 32 bytes and a password
/// of 256 fit many times over).
const MAX_HEADER_BYTES: usize = 4096;

/// The (user, password) of an `authorization` header value: base64 (Go's standard encoding,
/// which skips `\r` and `\n`) of `user:password`, split at the first `:`. Anything else is
/// refused with Milvus' login failure text.
pub fn milvus_authorization(header_value: &str) -> Result<(String, String), CredentialError> {
    if header_value.len() > MAX_HEADER_BYTES {
        return Err(CredentialError::AuthCheckFailure);
    }
    let compact: Vec<u8> = header_value.bytes().filter(|b| *b != b'\r' && *b != b'\n').collect();
    let raw = GO_STD_ENCODING.decode(compact).map_err(|_| CredentialError::AuthCheckFailure)?;
    let text = String::from_utf8(raw).map_err(|_| CredentialError::AuthCheckFailure)?;
    let (user, password) = text.split_once(':').ok_or(CredentialError::AuthCheckFailure)?;
    Ok((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_colon() {
        let v = base64::engine::general_purpose::STANDARD.encode("alice:pa:ss");
        assert_eq!(milvus_authorization(&v).unwrap(), ("alice".into(), "pa:ss".into()));
        assert_eq!(milvus_authorization("cm9vdDpNaWx2dXM=").unwrap(), ("root".into(), "Milvus".into()));
    }

    #[test]
    fn malformed_values_fail_as_a_login_does() {
        for bad in ["", "bm9jb2xvbg==", "!!!", "cm9vdDpNaWx2dXM", &"A".repeat(5000)] {
            let e = milvus_authorization(bad).unwrap_err();
            assert_eq!(e.to_string(), "auth check failure, please check username and password are correct", "{bad}");
        }
    }
}
