//! Milvus 2.3.5's username and password rules (the proxy's `ValidateUsername` and
//! `ValidatePassword`), checked in the server's order so the first error is the server's.

use super::error::CredentialError;
use super::options::CredentialOptions;

/// bcrypt reads at most this many bytes; Milvus' bcrypt refuses longer passwords.
pub const BCRYPT_MAX_PASSWORD_BYTES: usize = 72;

/// Checks `name` as Milvus does: trimmed of surrounding whitespace (Go's `strings.TrimSpace`,
/// Unicode white space), not empty, at most `max_username_length` bytes, an ASCII letter first,
/// then ASCII letters, digits and underscores. The name is *stored* untrimmed, as Milvus does.
pub fn validate_username(name: &str, options: &CredentialOptions) -> Result<(), CredentialError> {
    let trimmed = trim_go_space(name);
    if trimmed.is_empty() {
        return Err(CredentialError::EmptyUsername);
    }
    let bytes = trimmed.as_bytes();
    if bytes.len() > options.max_username_length {
        return Err(CredentialError::UsernameTooLong {
            name: trimmed.to_string(),
            len: bytes.len(),
            max: options.max_username_length,
        });
    }
    if !bytes[0].is_ascii_alphabetic() {
        return Err(CredentialError::FirstCharNotLetter { name: trimmed.to_string(), byte: bytes[0] });
    }
    if let Some(&bad) = bytes[1..].iter().find(|b| !(b.is_ascii_alphanumeric() || **b == b'_')) {
        return Err(CredentialError::InvalidUsernameChar { name: trimmed.to_string(), byte: bad });
    }
    Ok(())
}

/// Checks the password's byte length against `[min_password_length, max_password_length]`.
pub fn validate_password(password: &[u8], options: &CredentialOptions) -> Result<(), CredentialError> {
    let len = password.len();
    if len < options.min_password_length || len > options.max_password_length {
        return Err(CredentialError::PasswordLength {
            len,
            min: options.min_password_length,
            max: options.max_password_length,
        });
    }
    Ok(())
}

/// `name` without surrounding white space, as Go's `strings.TrimSpace` trims it.
pub fn trim_go_space(name: &str) -> &str {
    name.trim_matches(is_go_space)
}

/// Go's `unicode.IsSpace`, which `strings.TrimSpace` uses: ASCII `\t \n \v \f \r` and space,
/// U+0085, U+00A0, and the Unicode `White_Space` characters.
fn is_go_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{85}' | '\u{A0}') || (c > '\u{FF}' && c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str) -> Result<(), CredentialError> {
        validate_username(name, &CredentialOptions::default())
    }

    #[test]
    fn the_first_error_is_the_servers() {
        assert_eq!(check("  ").unwrap_err(), CredentialError::EmptyUsername);
        assert!(check(&"a".repeat(32)).is_ok());
        // Length is checked before the characters, as Milvus does.
        assert!(matches!(check(&"-".repeat(33)).unwrap_err(), CredentialError::UsernameTooLong { len: 33, .. }));
        assert_eq!(check("1bad").unwrap_err(), CredentialError::FirstCharNotLetter { name: "1bad".into(), byte: b'1' });
        assert_eq!(
            check(" bad-name ").unwrap_err(),
            CredentialError::InvalidUsernameChar { name: "bad-name".into(), byte: b'-' }
        );
        assert_eq!(check("h\u{e9}llo").unwrap_err(), CredentialError::InvalidUsernameChar { name: "h\u{e9}llo".into(), byte: 0xC3 });
        assert!(check("\u{a0}ok_1\u{3000}").is_ok());
    }

    #[test]
    fn go_format_quirks_are_kept() {
        // Milvus 2.3.5 passes the limit as a string and the byte as a uint8 to %d / %s.
        assert_eq!(
            check(&"a".repeat(33)).unwrap_err().to_string(),
            format!("invalid username {} with length 33, the length of username must be less than %!d(string=32): invalid parameter", "a".repeat(33))
        );
        assert_eq!(
            check("_x").unwrap_err().to_string(),
            "invalid user name _x, the first character must be a letter, but got %!s(uint8=95): invalid parameter"
        );
    }

    #[test]
    fn password_bounds_are_inclusive_bytes() {
        let o = CredentialOptions::default();
        assert!(validate_password(b"123456", &o).is_ok());
        assert!(validate_password(&[b'x'; 256], &o).is_ok());
        assert_eq!(
            validate_password(b"12345", &o).unwrap_err().to_string(),
            "invalid password length: invalid parameter[5 out of range 6 <= value <= 256]"
        );
        assert!(validate_password("\u{e9}\u{e9}\u{e9}".as_bytes(), &o).is_ok());
    }
}
