//! Splitting a line into arguments with the rules of Redis' `sdssplitargs`.
//!
//! Used for inline commands and for redis.conf-style configuration lines:
//! - arguments are separated by whitespace;
//! - `"double quotes"` support `\xHH` hex escapes and `\n \r \t \b \a`, any other `\c` is `c`;
//! - `'single quotes'` only support `\'`;
//! - a closing quote must be followed by whitespace or the end of the line;
//! - an unterminated quote or a closing quote followed by something else is an error.

/// The line has unbalanced quotes (Redis' `sdssplitargs` returned NULL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnbalancedQuotes;

impl std::fmt::Display for UnbalancedQuotes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unbalanced quotes")
    }
}

impl std::error::Error for UnbalancedQuotes {}

use crate::redis::cstr::is_space;

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits `line` into arguments like `sdssplitargs`. A NUL byte ends the line, as it does for
/// the C string the original operates on.
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, UnbalancedQuotes> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(n) => &line[..n],
        None => line,
    };
    let mut args = Vec::new();
    let mut i = 0;
    let at = |i: usize| line.get(i).copied();
    loop {
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        if i >= line.len() {
            return Ok(args);
        }
        let mut cur = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let Some(c) = at(i) else {
                if in_double || in_single {
                    return Err(UnbalancedQuotes);
                }
                break;
            };
            if in_double {
                if c == b'\\' && at(i + 1) == Some(b'x') {
                    if let (Some(h), Some(l)) =
                        (at(i + 2).and_then(hex_val), at(i + 3).and_then(hex_val))
                    {
                        cur.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                if c == b'\\' {
                    if let Some(n) = at(i + 1) {
                        cur.push(match n {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                        i += 2;
                        continue;
                    }
                }
                if c == b'"' {
                    if at(i + 1).is_some_and(|n| !is_space(n)) {
                        return Err(UnbalancedQuotes);
                    }
                    i += 1;
                    break;
                }
                cur.push(c);
                i += 1;
            } else if in_single {
                if c == b'\\' && at(i + 1) == Some(b'\'') {
                    cur.push(b'\'');
                    i += 2;
                    continue;
                }
                if c == b'\'' {
                    if at(i + 1).is_some_and(|n| !is_space(n)) {
                        return Err(UnbalancedQuotes);
                    }
                    i += 1;
                    break;
                }
                cur.push(c);
                i += 1;
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' => {
                        i += 1;
                        break;
                    }
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    other => cur.push(other),
                }
                i += 1;
            }
        }
        args.push(cur);
    }
}

/// Appends `s` to `out` as Redis' `sdscatrepr` writes it: a double-quoted string with C
/// escapes, which [`split_args`] reads back byte for byte (config lines, CONFIG REWRITE).
pub fn quote_arg(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(line: &str) -> Result<Vec<String>, UnbalancedQuotes> {
        split_args(line.as_bytes())
            .map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect())
    }

    #[test]
    fn plain_and_quoted() {
        assert_eq!(s("  set a  b ").unwrap(), ["set", "a", "b"]);
        assert_eq!(s("set \"a b\" 'c d'").unwrap(), ["set", "a b", "c d"]);
        assert_eq!(s("\"\\x41\\x4a\\n\"").unwrap(), ["AJ\n"]);
        assert_eq!(s("'it\\'s'").unwrap(), ["it's"]);
        assert_eq!(s("\"\\xZZ\"").unwrap(), ["xZZ"]);
        assert_eq!(s("a\"b c\"").unwrap(), ["ab c"]);
        assert_eq!(s("\"\"").unwrap(), [""]);
        assert!(s("").unwrap().is_empty());
    }

    #[test]
    fn unbalanced() {
        assert_eq!(s("\"foo"), Err(UnbalancedQuotes));
        assert_eq!(s("'a'b"), Err(UnbalancedQuotes));
        assert_eq!(s("\"a\"b"), Err(UnbalancedQuotes));
        assert_eq!(s("'abc"), Err(UnbalancedQuotes));
    }

    #[test]
    fn nul_ends_line() {
        assert_eq!(split_args(b"a b\0c d").unwrap(), vec![b"a".to_vec(), b"b".to_vec()]);
    }
}
