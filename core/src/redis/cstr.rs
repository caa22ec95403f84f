//! C-string views of byte strings. Redis keeps arguments as binary-safe `sds` strings but hands
//! many of them to C functions (`%s`, `strcmp`, `isspace`), and its replies show that; these
//! helpers reproduce it in one place for the ACL engine, the codec and the server.

/// Bytes as C's `%s` prints them and `strcmp` compares them: up to the first NUL.
pub fn c_str(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(n) => &b[..n],
        None => b,
    }
}

/// At most `n` bytes of the C string, like `%.128s`.
pub fn c_str_truncated(b: &[u8], n: usize) -> &[u8] {
    let b = c_str(b);
    &b[..b.len().min(n)]
}

/// C `isspace` in the "C" locale.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Redis' `ACLStringHasSpaces`: whitespace (C `isspace`) or NUL, refused in user names and
/// patterns.
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&b| b == 0 || is_space(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_string_views() {
        assert_eq!(c_str(b"ab\0cd"), b"ab");
        assert_eq!(c_str(b"abc"), b"abc");
        assert_eq!(c_str_truncated(b"abcdef", 3), b"abc");
        assert_eq!(c_str_truncated(b"a\0bcdef", 3), b"a");
        assert!(has_spaces(b"a b") && has_spaces(b"a\0") && has_spaces(b"\x0b"));
        assert!(!has_spaces(b"abc") && !is_space(b'x'));
    }
}
