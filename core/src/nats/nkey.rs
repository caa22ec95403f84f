//! NATS nkeys: public keys are base32 (RFC 4648, no padding) of a prefix byte, the key and a
//! CRC-16/XMODEM; a user proves its key with an Ed25519 signature of the server's nonce,
//! sent base64url without padding (standard base64 accepted too, as nats-server does).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

const PREFIX_USER: u8 = 20 << 3;
const PREFIX_ACCOUNT: u8 = 0;
const PREFIX_OPERATOR: u8 = 14 << 3;

fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

/// base32.StdEncoding.WithPadding(NoPadding).Decode.
fn base32_decode(src: &[u8]) -> Option<Vec<u8>> {
    if matches!(src.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(src.len() * 5 / 8);
    let (mut buf, mut bits) = (0u64, 0u32);
    for &c in src {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buf = (buf << 5) | u64::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// nkeys' decode: base32, then the CRC check; the prefix byte and key remain.
fn decode(src: &[u8]) -> Option<Vec<u8>> {
    let raw = base32_decode(src)?;
    if raw.len() < 4 {
        return None;
    }
    let n = raw.len();
    let crc = u16::from_le_bytes([raw[n - 2], raw[n - 1]]);
    if crc16(&raw[..n - 2]) != crc {
        return None;
    }
    Some(raw[..n - 2].to_vec())
}

fn is_valid(src: &[u8], prefix: u8) -> bool {
    decode(src).is_some_and(|raw| raw[0] & 248 == prefix)
}

/// nkeys.IsValidPublicUserKey.
pub fn is_valid_public_user_key(src: &[u8]) -> bool {
    is_valid(src, PREFIX_USER)
}

/// nkeys.IsValidPublicAccountKey.
pub fn is_valid_public_account_key(src: &[u8]) -> bool {
    is_valid(src, PREFIX_ACCOUNT)
}

/// nkeys.IsValidPublicOperatorKey.
pub fn is_valid_public_operator_key(src: &[u8]) -> bool {
    is_valid(src, PREFIX_OPERATOR)
}

/// Whether `sig` (base64url without padding, or standard base64) is a valid Ed25519
/// signature of `nonce` by the public nkey `public`.
pub fn verify(public: &[u8], nonce: &[u8], sig: &[u8]) -> bool {
    let Some(raw) = decode(public) else { return false };
    let Ok(key) = <[u8; 32]>::try_from(&raw[1..]) else { return false };
    let sig = match URL_SAFE_NO_PAD.decode(sig) {
        Ok(s) => s,
        Err(_) => match STANDARD.decode(sig) {
            Ok(s) => s,
            Err(_) => return false,
        },
    };
    let Ok(sig) = ed25519_dalek::Signature::from_slice(&sig) else { return false };
    let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&key) else { return false };
    use ed25519_dalek::Verifier;
    // Go's ed25519.Verify is the plain (cofactorless) check, as dalek's `verify`.
    vk.verify(nonce, &sig).is_ok()
}

/// Encodes a public user nkey from 32 key bytes (for tests and tools that make users).
pub fn encode_public_user_key(key: &[u8; 32]) -> Vec<u8> {
    let mut raw = vec![PREFIX_USER];
    raw.extend_from_slice(key);
    let crc = crc16(&raw);
    raw.extend_from_slice(&crc.to_le_bytes());
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u64, 0u32);
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    for b in raw {
        buf = (buf << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHA[((buf >> bits) & 31) as usize]);
        }
    }
    if bits > 0 {
        out.push(ALPHA[((buf << (5 - bits)) & 31) as usize]);
    }
    out
}
