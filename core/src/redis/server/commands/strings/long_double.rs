//! Redis' `long double` arithmetic for INCRBYFLOAT, in software.
//!
//! Redis parses with `strtold`, adds in x87 80-bit extended precision (a 64-bit significand)
//! and prints with `%.17Lf`, trimming trailing zeros. `f64` gives different digits
//! (`0.1 + 0.2`, `9223372036854775807`), so this module models the 64-bit-significand format
//! exactly: correctly rounded parsing (decimal and hex), round-half-even addition, and exact
//! fixed-point formatting, using a small big-integer type. Values are `m * 2^e`.

use std::cmp::Ordering;

/// Significand bits of x87 extended precision.
const PRECISION: u32 = 64;
/// Smallest exponent of `m * 2^e` (denormals included): 2^-16445 is the least positive value.
const MIN_EXP: i64 = -16445;
/// Values at or above 2^16384 overflow.
const MAX_BITS: i64 = 16384;
/// Redis' `MAX_LONG_DOUBLE_CHARS`: longer inputs are rejected.
const MAX_CHARS: usize = 5 * 1024;

/// A finite extended-precision value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongDouble {
    neg: bool,
    m: u64,
    e: i64,
    /// `strtold` accepts `inf`; such a value parses but can never be stored.
    inf: bool,
}

/// Little-endian base-2^32 natural numbers, just what conversion and addition need.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v as u32, (v >> 32) as u32]);
        b.trim();
        b
    }
    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
    fn bits(&self) -> i64 {
        match self.0.last() {
            None => 0,
            Some(&top) => (self.0.len() as i64 - 1) * 32 + (32 - top.leading_zeros() as i64),
        }
    }
    fn bit(&self, i: i64) -> bool {
        i >= 0 && self.0.get((i / 32) as usize).is_some_and(|w| w >> (i % 32) & 1 == 1)
    }
    /// True if any of the lowest `n` bits is set.
    fn any_below(&self, n: i64) -> bool {
        (0..n.min(self.bits())).any(|i| self.bit(i))
    }
    fn mul_add_small(&mut self, mul: u32, add: u32) {
        let mut carry = add as u64;
        for w in self.0.iter_mut() {
            let v = *w as u64 * mul as u64 + carry;
            *w = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }
    fn shl(&self, n: i64) -> Big {
        let (words, bits) = ((n / 32) as usize, (n % 32) as u32);
        let mut out = vec![0u32; words];
        let mut carry = 0u32;
        for &w in &self.0 {
            out.push(if bits == 0 { w } else { (w << bits) | carry });
            carry = if bits == 0 { 0 } else { w >> (32 - bits) };
        }
        out.push(carry);
        let mut b = Big(out);
        b.trim();
        b
    }
    fn shr(&self, n: i64) -> Big {
        let (words, bits) = ((n / 32) as usize, (n % 32) as u32);
        if words >= self.0.len() {
            return Big(Vec::new());
        }
        let src = &self.0[words..];
        let mut out = Vec::with_capacity(src.len());
        for i in 0..src.len() {
            let hi = if bits == 0 { 0 } else { src.get(i + 1).map_or(0, |w| w << (32 - bits)) };
            out.push((src[i] >> bits) | hi);
        }
        let mut b = Big(out);
        b.trim();
        b
    }
    fn cmp(&self, o: &Big) -> Ordering {
        self.0.len().cmp(&o.0.len()).then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }
    fn add(&self, o: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len().max(o.0.len()) + 1);
        let mut carry = 0u64;
        for i in 0..self.0.len().max(o.0.len()) {
            let v = *self.0.get(i).unwrap_or(&0) as u64 + *o.0.get(i).unwrap_or(&0) as u64 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        out.push(carry as u32);
        let mut b = Big(out);
        b.trim();
        b
    }
    /// `self - o`, requires `self >= o`.
    fn sub(&self, o: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut v = self.0[i] as i64 - *o.0.get(i).unwrap_or(&0) as i64 - borrow;
            borrow = i64::from(v < 0);
            if v < 0 {
                v += 1 << 32;
            }
            out.push(v as u32);
        }
        let mut b = Big(out);
        b.trim();
        b
    }
    /// Quotient and "remainder is non-zero" of `self / d`, by binary long division. Only used
    /// with quotients of about 70 bits, so the loop is short.
    fn div_sticky(&self, d: &Big) -> (Big, bool) {
        let mut q = Big(Vec::new());
        let mut r = self.clone();
        let shift = self.bits() - d.bits();
        if shift < 0 {
            return (q, !r.is_zero());
        }
        for s in (0..=shift).rev() {
            let t = d.shl(s);
            q = q.shl(1);
            if r.cmp(&t) != Ordering::Less {
                r = r.sub(&t);
                q = q.add(&Big::from_u64(1));
            }
        }
        (q, !r.is_zero())
    }
    fn pow10(n: u32) -> Big {
        let mut b = Big::from_u64(1);
        for _ in 0..n {
            b.mul_add_small(10, 0);
        }
        b
    }
    fn to_decimal(&self) -> String {
        let mut digits = Vec::new();
        let mut cur = self.0.clone();
        while !cur.is_empty() {
            let mut rem = 0u64;
            for w in cur.iter_mut().rev() {
                let v = (rem << 32) | *w as u64;
                *w = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            while cur.last() == Some(&0) {
                cur.pop();
            }
            for _ in 0..9 {
                digits.push(b'0' + (rem % 10) as u8);
                rem /= 10;
            }
        }
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            digits.push(b'0');
        }
        digits.reverse();
        String::from_utf8(digits).unwrap_or_default()
    }
}

/// Rounds `n * 2^e` (plus a sticky "something below" bit) to 64 significant bits, half to
/// even, honouring the denormal range. None on overflow.
fn round(neg: bool, n: &Big, e: i64, sticky: bool) -> Option<LongDouble> {
    if n.is_zero() {
        return Some(LongDouble::zero(neg));
    }
    let mut drop = (n.bits() - PRECISION as i64).max(MIN_EXP - e).max(0);
    let kept = n.shr(drop);
    let mut m = kept.0.first().copied().unwrap_or(0) as u64
        | (kept.0.get(1).copied().unwrap_or(0) as u64) << 32;
    if drop > 0 {
        let half = n.bit(drop - 1);
        let below = sticky || n.any_below(drop - 1);
        if half && (below || m & 1 == 1) {
            m = m.wrapping_add(1);
            if m == 0 {
                // The carry left 64 bits: 2^64 is 2^63 one exponent up.
                m = 1 << 63;
                drop += 1;
            }
        }
    }
    check_range(neg, m, e + drop)
}

fn check_range(neg: bool, m: u64, e: i64) -> Option<LongDouble> {
    let bits = 64 - m.leading_zeros() as i64;
    if m != 0 && bits + e > MAX_BITS {
        return None;
    }
    Some(LongDouble { neg, m, e, inf: false })
}

impl LongDouble {
    fn zero(neg: bool) -> LongDouble {
        LongDouble { neg, m: 0, e: 0, inf: false }
    }

    /// Redis' `string2ld`: the whole argument must be a number `strtold` accepts (no leading
    /// space, no trailing characters), not NaN, and neither overflowing nor underflowing to 0.
    pub fn parse(arg: &[u8]) -> Option<LongDouble> {
        if arg.is_empty() || arg.len() >= MAX_CHARS {
            return None;
        }
        let s = match arg.iter().position(|&b| b == 0) {
            Some(n) => &arg[..n],
            None => arg,
        };
        let (neg, body) = match s.first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let lower = body.to_ascii_lowercase();
        if lower == b"inf" || lower == b"infinity" {
            // Parsed fine, but no finite value: INCRBYFLOAT then reports NaN or Infinity.
            return Some(LongDouble { neg, m: 0, e: 0, inf: true });
        }
        let hex = lower.starts_with(b"0x");
        let (radix_bits, digits_part) = if hex { (4, &lower[2..]) } else { (0, &lower[..]) };
        let exp_char = if hex { b'p' } else { b'e' };
        let (mant, exp_str) = match digits_part.iter().position(|&c| c == exp_char) {
            Some(i) => (&digits_part[..i], Some(&digits_part[i + 1..])),
            None => (digits_part, None),
        };
        let mut n = Big(Vec::new());
        let (mut count, mut frac_digits, mut seen_dot) = (0usize, 0i64, false);
        for &c in mant {
            let d = match c {
                b'.' if !seen_dot => {
                    seen_dot = true;
                    continue;
                }
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' if hex => c - b'a' + 10,
                _ => return None,
            };
            n.mul_add_small(if hex { 16 } else { 10 }, d as u32);
            count += 1;
            if seen_dot {
                frac_digits += 1;
            }
        }
        if count == 0 {
            return None;
        }
        let exp: i64 = match exp_str {
            None => 0,
            Some(e) => {
                let (eneg, ed) = match e.first() {
                    Some(b'-') => (true, &e[1..]),
                    Some(b'+') => (false, &e[1..]),
                    _ => (false, e),
                };
                if ed.is_empty() || !ed.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let v = ed.iter().fold(0i64, |a, &d| (a * 10 + (d - b'0') as i64).min(1 << 40));
                if eneg {
                    -v
                } else {
                    v
                }
            }
        };
        if n.is_zero() {
            return Some(LongDouble::zero(neg));
        }
        let value = if hex {
            round(neg, &n, exp - frac_digits * radix_bits, false)?
        } else {
            let e10 = exp - frac_digits;
            let digits = n.to_decimal().len() as i64;
            if digits + e10 > 4934 {
                return None;
            }
            if digits + e10 < -4952 {
                return None;
            }
            if e10 >= 0 {
                round(neg, &n.mul_pow10(e10 as u32), 0, false)?
            } else {
                let q = Big::pow10((-e10) as u32);
                let k = (PRECISION as i64 + 3 + q.bits() - n.bits()).max(0);
                let (quot, sticky) = n.shl(k).div_sticky(&q);
                round(neg, &quot, -k, sticky)?
            }
        };
        // strtold reports ERANGE (and Redis refuses) when a non-zero input rounds to zero.
        (value.m != 0).then_some(value)
    }

    /// True unless this is the infinity `parse` gives for `inf`.
    pub fn is_finite(&self) -> bool {
        !self.inf
    }

    /// `self + other`, rounded half to even; None on overflow (or an infinite operand).
    pub fn add(&self, other: &LongDouble) -> Option<LongDouble> {
        if !self.is_finite() || !other.is_finite() {
            return None;
        }
        if self.m == 0 {
            // IEEE: -0 + -0 is -0; any other sum with a zero is the other operand.
            return Some(if other.m == 0 { LongDouble::zero(self.neg && other.neg) } else { *other });
        }
        if other.m == 0 {
            return Some(*self);
        }
        let e = self.e.min(other.e);
        let a = Big::from_u64(self.m).shl(self.e - e);
        let b = Big::from_u64(other.m).shl(other.e - e);
        if self.neg == other.neg {
            return round(self.neg, &a.add(&b), e, false);
        }
        match a.cmp(&b) {
            Ordering::Equal => Some(LongDouble::zero(false)),
            Ordering::Greater => round(self.neg, &a.sub(&b), e, false),
            Ordering::Less => round(other.neg, &b.sub(&a), e, false),
        }
    }

    /// Redis' `ld2string(.., LD_STR_HUMAN)`: `%.17Lf` with trailing zeros (and a bare `.`)
    /// removed and `-0` printed as `0`. (The largest finite value has 4933 integer digits, so
    /// the text always fits Redis' 5 KiB buffer.)
    pub fn to_human(&self) -> String {
        let mut text = String::new();
        if self.neg {
            text.push('-');
        }
        let scale = Big::pow10(17);
        let scaled = Big::from_u64(self.m).mul(&scale);
        let fixed = if self.e >= 0 {
            scaled.shl(self.e)
        } else {
            // printf rounds the exact binary value half to even.
            let shift = -self.e;
            let q = scaled.shr(shift);
            let half = scaled.bit(shift - 1);
            let below = scaled.any_below(shift - 1);
            if half && (below || q.bit(0)) {
                q.add(&Big::from_u64(1))
            } else {
                q
            }
        };
        let digits = fixed.to_decimal();
        let padded = format!("{digits:0>18}");
        let (int, frac) = padded.split_at(padded.len() - 17);
        text.push_str(int);
        text.push('.');
        text.push_str(frac);
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        if trimmed == "-0" {
            "0".to_string()
        } else {
            trimmed.to_string()
        }
    }
}

impl Big {
    fn mul_pow10(&self, n: u32) -> Big {
        let mut b = self.clone();
        for _ in 0..n {
            b.mul_add_small(10, 0);
        }
        b
    }
    fn mul(&self, o: &Big) -> Big {
        let mut out = vec![0u32; self.0.len() + o.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in o.0.iter().enumerate() {
                let v = out[i + j] as u64 + a as u64 * b as u64 + carry;
                out[i + j] = v as u32;
                carry = v >> 32;
            }
            let mut k = i + o.0.len();
            while carry > 0 {
                let v = out[k] as u64 + carry;
                out[k] = v as u32;
                carry = v >> 32;
                k += 1;
            }
        }
        let mut b = Big(out);
        b.trim();
        b
    }
}

/// INCRBYFLOAT's arithmetic: `Err(None)` if an argument is not a valid float, `Err(Some(()))`
/// if the sum is not finite, else the stored text.
pub fn incr_by_float(current: Option<&[u8]>, by: &[u8]) -> Result<String, Option<()>> {
    let old = match current {
        Some(v) => LongDouble::parse(v).ok_or(None)?,
        None => LongDouble::zero(false),
    };
    let by = LongDouble::parse(by).ok_or(None)?;
    let sum = old.add(&by).ok_or(Some(()))?;
    Ok(sum.to_human())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(cur: Option<&str>, by: &str) -> String {
        incr_by_float(cur.map(str::as_bytes), by.as_bytes()).unwrap()
    }

    #[test]
    fn redis_outputs() {
        assert_eq!(incr(None, "10.5"), "10.5");
        assert_eq!(incr(Some("10.5"), "0.1"), "10.6");
        assert_eq!(incr(Some("0.1"), "0.2"), "0.3");
        assert_eq!(incr(None, "9223372036854775807"), "9223372036854775807");
        assert_eq!(incr(None, "9223372036854775808"), "9223372036854775808");
        assert_eq!(incr(Some("5.0e3"), "2.0e2"), "5200");
        assert_eq!(incr(Some("-1"), "1"), "0");
        assert_eq!(incr(None, "-0.5"), "-0.5");
        assert_eq!(incr(None, "0x10"), "16");
        assert_eq!(incr(None, "1e-20"), "0");
        assert_eq!(incr(None, "3.0000000000000000001"), "3");
        assert_eq!(incr(Some("1.5"), "-1.5"), "0");
    }

    #[test]
    fn rejects_like_string2ld() {
        for bad in ["", " 1", "1 ", "abc", "1e", "nan", "1e99999", "1e-99999", "--1", "."] {
            assert_eq!(incr_by_float(None, bad.as_bytes()), Err(None), "{bad:?}");
        }
        assert_eq!(incr_by_float(None, b"inf"), Err(Some(())));
        assert_eq!(incr_by_float(Some(b"1e4932"), b"1e4932"), Err(Some(())));
        let big = incr(Some("1e4900"), "1e4900");
        assert!(big.starts_with("2000000000000000000054") && big.len() == 4901, "{}", big.len());
    }
}
