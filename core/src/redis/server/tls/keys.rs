//! `tls-key-file` (and `tls-key-file-pass`): the server's private key from PEM.
//!
//! Plain keys: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`).
//! Encrypted keys: PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2 with PBKDF2 or scrypt and AES-CBC,
//! what `openssl pkcs8 -topk8` and `openssl genpkey -aes256` write), decrypted with the
//! passphrase. OpenSSL's legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED` headers) is refused
//! with a hint to convert it, since its MD5-based key derivation is not worth supporting.

use std::path::Path;

use pkcs8::der::Decode;
use pkcs8::EncryptedPrivateKeyInfo;
use rustls_pki_types::pem::{PemObject, SectionKind};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use zeroize::Zeroize;

use super::context::strerror;

/// A key file is small; anything larger is refused before it is read.
const MAX_KEY_FILE: u64 = 1024 * 1024;

/// Reads the first private key of the PEM file at `path`.
pub(crate) fn load_private_key(path: &Path, pass: Option<&[u8]>) -> Result<PrivateKeyDer<'static>, String> {
    let meta = std::fs::metadata(path).map_err(|e| strerror(&e))?;
    if meta.len() > MAX_KEY_FILE {
        return Err(format!("file larger than {MAX_KEY_FILE} bytes"));
    }
    let mut pem = std::fs::read(path).map_err(|e| strerror(&e))?;
    let key = key_from_pem(&pem, pass);
    // The key's PEM text must not linger in freed memory.
    pem.zeroize();
    key
}

fn key_from_pem(pem: &[u8], pass: Option<&[u8]>) -> Result<PrivateKeyDer<'static>, String> {
    if contains(pem, b"Proc-Type: 4,ENCRYPTED") {
        return Err("legacy encrypted PEM key: convert it with `openssl pkcs8 -topk8` (encrypted PKCS#8)".into());
    }
    const ENCRYPTED: &[u8] = b"-----BEGIN ENCRYPTED PRIVATE KEY-----";
    if let Some(at) = find(pem, ENCRYPTED) {
        const END: &[u8] = b"-----END ENCRYPTED PRIVATE KEY-----";
        let end = find(&pem[at..], END).map(|e| at + e + END.len()).ok_or("malformed PEM: no END line")?;
        let (_, der) = pkcs8::der::pem::decode_vec(&pem[at..end]).map_err(|e| format!("malformed PEM: {e}"))?;
        return decrypt(&der, pass);
    }
    for section in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(pem) {
        let (kind, der) = section.map_err(|e| format!("malformed PEM: {e}"))?;
        match kind {
            SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey => {
                return PrivateKeyDer::from_pem(kind, der).ok_or_else(|| "unreadable private key".to_string());
            }
            _ => {}
        }
    }
    Err("no private key found in the file".into())
}

/// Decrypts an encrypted PKCS#8 key; the errors read like OpenSSL's.
fn decrypt(der: &[u8], pass: Option<&[u8]>) -> Result<PrivateKeyDer<'static>, String> {
    let Some(pass) = pass else {
        return Err("the key is encrypted and tls-key-file-pass is not set".into());
    };
    let info = EncryptedPrivateKeyInfo::from_der(der).map_err(|e| format!("malformed encrypted key: {e}"))?;
    let doc = info.decrypt(pass).map_err(|_| "bad decrypt (wrong tls-key-file-pass?)".to_string())?;
    Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(doc.as_bytes().to_vec())))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
