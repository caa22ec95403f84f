//! The byte layout shared with `io.authgate.Wire`: a list of byte strings, each written as a
//! 4-byte big-endian length followed by the bytes. Argument lists go Java -> Rust in one
//! `byte[]` (one JNI copy instead of one call per string); results come back the same way.

use jni::objects::JByteArray;
use jni::Env;
use smallvec::SmallVec;

use crate::error::{invalid, Result};

/// Arguments parsed from a packed buffer, borrowing it.
pub type Args<'a> = SmallVec<[&'a [u8]; 8]>;

/// Splits a packed buffer into its strings.
pub fn split(buf: &[u8]) -> Result<Args<'_>> {
    let mut out = Args::new();
    let mut rest = buf;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(invalid("truncated argument buffer"));
        }
        let n = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        rest = &rest[4..];
        if rest.len() < n {
            return Err(invalid("truncated argument buffer"));
        }
        out.push(&rest[..n]);
        rest = &rest[n..];
    }
    Ok(out)
}

/// Packs strings into one buffer.
#[derive(Default)]
pub struct Packer(Vec<u8>);

impl Packer {
    /// An empty packer.
    pub fn new() -> Packer {
        Packer(Vec::new())
    }

    /// Appends one string.
    pub fn push(&mut self, item: impl AsRef<[u8]>) -> &mut Self {
        let item = item.as_ref();
        self.0.extend_from_slice(&(item.len() as u32).to_be_bytes());
        self.0.extend_from_slice(item);
        self
    }

    /// Appends a number as its decimal text.
    pub fn push_num(&mut self, n: impl std::fmt::Display) -> &mut Self {
        self.push(n.to_string())
    }

    /// Appends every item.
    pub fn extend<I: IntoIterator<Item = S>, S: AsRef<[u8]>>(&mut self, items: I) -> &mut Self {
        for i in items {
            self.push(i);
        }
        self
    }

    /// Appends a count, then every item.
    pub fn list<S: AsRef<[u8]>>(&mut self, items: &[S]) -> &mut Self {
        self.push_num(items.len());
        self.extend(items)
    }

    /// The Java `byte[]`.
    pub fn into_java<'local>(self, env: &mut Env<'local>) -> Result<JByteArray<'local>> {
        Ok(env.byte_array_from_slice(&self.0)?)
    }
}

/// Reads a whole Java `byte[]` (null is an argument error).
pub fn bytes(env: &Env<'_>, array: &JByteArray<'_>) -> Result<Vec<u8>> {
    if array.is_null() {
        return Err(invalid("argument must not be null"));
    }
    Ok(env.convert_byte_array(array)?)
}

/// Reads a Java `byte[]` that may be null (an option left unset).
pub fn optional_bytes(env: &Env<'_>, array: &JByteArray<'_>) -> Result<Option<Vec<u8>>> {
    if array.is_null() {
        Ok(None)
    } else {
        Ok(Some(env.convert_byte_array(array)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut p = Packer::new();
        p.push("GET").push(b"").push([0u8, 255]);
        let got = split(&p.0).unwrap();
        assert_eq!(got.as_slice(), &[&b"GET"[..], b"", &[0, 255]]);
    }

    #[test]
    fn truncated() {
        assert!(split(&[0, 0, 0]).is_err());
        assert!(split(&[0, 0, 0, 5, b'a']).is_err());
        assert!(split(&[]).unwrap().is_empty());
    }
}
