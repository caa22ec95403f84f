//! Number parsing and formatting with the exact rules Redis uses on the wire.
//!
//! - [`parse_i64`] is Redis' `string2ll`: an optional `-`, no `+`, no leading zeros, no spaces,
//!   no overflow.
//! - [`format_double`] is C's `printf("%.17g")`, which Redis uses for RESP2 and RESP3 doubles.
//! - [`write_i64`] appends a decimal integer without allocating.

/// Parses a signed 64-bit integer exactly like Redis' `string2ll`.
///
/// Accepts `0`, or an optional `-` followed by a non-zero digit and more digits. Anything else
/// (empty input, `+5`, `007`, ` 5`, `-0`, overflow) is rejected.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let first = *digits.first()?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            None
        } else {
            Some((v as i128).wrapping_neg() as i64)
        }
    } else {
        i64::try_from(v).ok()
    }
}

/// Parses an unsigned 64-bit cursor like Redis' `parseScanCursorOrReply` (`strtoull` that must
/// consume the whole string; no sign, no spaces).
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &d in s {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(v)
}

/// Appends the decimal representation of `v` to `out` without allocating.
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends the decimal representation of an unsigned `v` to `out`.
pub fn write_u64(out: &mut Vec<u8>, v: u64) {
    let mut buf = [0u8; 20];
    let mut n = v;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Formats `v` like C's `printf("%.17g", v)` (glibc output: `inf`, `-inf`, `nan`, `-0`).
pub fn format_double(v: f64) -> String {
    format_g(v, 17)
}

/// Formats `v` like C's `printf("%.<precision>g", v)`.
pub fn format_g(v: f64, precision: usize) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let p = precision.max(1);
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Scientific form with p significant digits gives the (correctly rounded) exponent.
    let sci = format!("{:.*e}", p - 1, v);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (sci.clone(), 0),
    };
    if exp < -4 || exp >= p as i32 {
        let m = strip_fraction_zeros(&mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        let e = exp.unsigned_abs();
        if e < 10 {
            format!("{m}e{sign}0{e}")
        } else {
            format!("{m}e{sign}{e}")
        }
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_fraction_zeros(&format!("{:.*}", decimals, v))
    }
}

fn strip_fraction_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_rules() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        for bad in [&b""[..], b"+1", b"01", b"-0", b" 1", b"1 ", b"1a", b"-", b"--1"] {
            assert_eq!(parse_i64(bad), None, "{:?}", bad);
        }
    }

    #[test]
    fn percent_17g() {
        assert_eq!(format_double(0.0), "0");
        assert_eq!(format_double(0.303), "0.30299999999999999");
        assert_eq!(format_double(1.208), "1.208");
        assert_eq!(format_double(0.801), "0.80100000000000005");
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(100.0), "100");
        assert_eq!(format_double(1e17), "1e+17");
        assert_eq!(format_double(1e16), "10000000000000000");
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(format_double(0.00001), "1.0000000000000001e-05");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(-2.5e-300), "-2.5e-300");
    }

    #[test]
    fn integers() {
        let mut v = Vec::new();
        write_i64(&mut v, i64::MIN);
        v.push(b' ');
        write_i64(&mut v, 0);
        v.push(b' ');
        write_u64(&mut v, u64::MAX);
        assert_eq!(v, b"-9223372036854775808 0 18446744073709551615");
        assert_eq!(parse_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64(b"-1"), None);
    }
}
