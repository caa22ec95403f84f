//! `ag_client_cert`: a parsed X.509 client certificate (core's `tls::ClientCert`), its subject as
//! `openssl x509 -noout -subject -nameopt RFC2253` prints it, its first common name, its SANs
//! and its validity dates.

use std::os::raw::c_char;

use authgate::tls::ClientCert;

use crate::boundary::ag_status;
use crate::bytes::{borrow, lend};
use crate::ffi::{free_handle, into_handle, try_ref, Out};
use crate::list::{ag_list, give_list};

/// A parsed certificate. Immutable: every function taking `const ag_client_cert *` may be
/// called from any number of threads at once. Free it with ag_client_cert_free.
pub struct ag_client_cert {
    inner: ClientCert,
    /// Core's first common name, kept so it can be lent to C.
    common_name: Option<String>,
}

impl ag_client_cert {
    fn new(inner: ClientCert) -> ag_client_cert {
        let common_name = inner.common_name();
        ag_client_cert { inner, common_name }
    }

    /// The core certificate.
    pub(crate) fn cert(&self) -> &ClientCert {
        &self.inner
    }
}

/// Parses `len` bytes of `data` with `parse` and hands the certificate to C.
///
/// # Safety
/// `data` readable for `len` bytes; `out` NULL or writable.
unsafe fn parse_into(
    data: *const c_char,
    len: usize,
    out: *mut *mut ag_client_cert,
    parse: fn(&[u8]) -> Result<ClientCert, authgate::tls::CertError>,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (data, out) = unsafe { (borrow(data, len, "data")?, Out::new(out, "out")?) };
        let cert = parse(data).map_err(authgate::Error::from)?;
        out.write(into_handle(ag_client_cert::new(cert)));
        Ok(())
    })
}

/// Parses the first `CERTIFICATE` block of PEM text (other blocks, such as a private key in
/// the same file, are skipped). AG_CERTIFICATE with core's reason for input that holds no
/// certificate or a malformed one (never more than 64 KiB is read). The caller owns `*out`
/// (ag_client_cert_free).
///
/// # Safety
/// `pem` readable for `pem_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_from_pem(
    pem: *const c_char,
    pem_len: usize,
    out: *mut *mut ag_client_cert,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { parse_into(pem, pem_len, out, ClientCert::from_pem) }
}

/// Parses one DER certificate (nothing may follow it). Errors as ag_client_cert_from_pem. The
/// caller owns `*out` (ag_client_cert_free).
///
/// # Safety
/// `der` readable for `der_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_from_der(
    der: *const c_char,
    der_len: usize,
    out: *mut *mut ag_client_cert,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { parse_into(der, der_len, out, ClientCert::from_der) }
}

/// Releases a certificate. NULL is a no-op.
///
/// # Safety
/// `cert` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_free(cert: *mut ag_client_cert) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(cert) }
}

/// The subject exactly as `openssl x509 -noout -subject -nameopt RFC2253` prints it, without
/// `subject=` (lent, not NUL-terminated, valid until the certificate is freed; empty for a
/// certificate without subject). This is the string a Redis Software certificate user's
/// `certificate_subject_line` must equal.
///
/// # Safety
/// `cert` NULL or live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_subject(
    cert: *const ag_client_cert,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (cert, out, out_len) =
            unsafe { (try_ref(cert, "cert")?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, cert.inner.subject().as_bytes());
        Ok(())
    })
}

/// The subject's first common name in DER order (the one Valkey's `tls-auth-clients-user CN`
/// uses), UTF-8, lent like ag_client_cert_subject. A certificate without one (or whose CN is
/// not text) writes `*out_present = false`, `*out = NULL`, `*out_len = 0`.
///
/// # Safety
/// `cert` NULL or live; `out`, `out_len` and `out_present` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_common_name(
    cert: *const ag_client_cert,
    out: *mut *const c_char,
    out_len: *mut usize,
    out_present: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (cert, out, out_len, out_present) = unsafe {
            (
                try_ref(cert, "cert")?,
                Out::new(out, "out")?,
                Out::new(out_len, "out_len")?,
                Out::new(out_present, "out_present")?,
            )
        };
        match &cert.common_name {
            Some(cn) => {
                lend(out, out_len, cn.as_bytes());
                out_present.write(true);
            }
            None => {
                out.write(std::ptr::null());
                out_len.write(0);
                out_present.write(false);
            }
        }
        Ok(())
    })
}

/// Hands C a new list of `field(cert)`.
///
/// # Safety
/// `cert` NULL or live; `out` NULL or writable.
unsafe fn give_field(
    cert: *const ag_client_cert,
    out: *mut *mut ag_list,
    field: fn(&ClientCert) -> Vec<Vec<u8>>,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (cert, out) = unsafe { (try_ref(cert, "cert")?, Out::new(out, "out")?) };
        give_list(out, field(&cert.inner));
        Ok(())
    })
}

fn bytes_of(items: &[String]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

/// The SAN e-mail addresses (rfc822Name), in certificate order, as a new list the caller
/// frees with ag_list_free.
///
/// # Safety
/// `cert` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_san_emails(cert: *const ag_client_cert, out: *mut *mut ag_list) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { give_field(cert, out, |c| bytes_of(c.san_emails())) }
}

/// The SAN DNS names, in certificate order (a new list, ag_list_free).
///
/// # Safety
/// `cert` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_san_dns(cert: *const ag_client_cert, out: *mut *mut ag_list) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { give_field(cert, out, |c| bytes_of(c.san_dns())) }
}

/// The SAN URIs, in certificate order (a new list, ag_list_free).
///
/// # Safety
/// `cert` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_san_uris(cert: *const ag_client_cert, out: *mut *mut ag_list) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { give_field(cert, out, |c| bytes_of(c.san_uris())) }
}

/// The SAN IP addresses, in certificate order, as text (`127.0.0.1`, `::1`: Rust's
/// `IpAddr` form, RFC 5952 for IPv6) (a new list, ag_list_free).
///
/// # Safety
/// `cert` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_san_ips(cert: *const ag_client_cert, out: *mut *mut ag_list) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { give_field(cert, out, |c| c.san_ips().iter().map(|ip| ip.to_string().into_bytes()).collect()) }
}

/// Writes `field(cert)` to `*out`.
///
/// # Safety
/// `cert` NULL or live; `out` NULL or writable.
unsafe fn write_time(cert: *const ag_client_cert, out: *mut i64, field: fn(&ClientCert) -> i64) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (cert, out) = unsafe { (try_ref(cert, "cert")?, Out::new(out, "out")?) };
        out.write(field(&cert.inner));
        Ok(())
    })
}

/// The start of the validity period (notBefore), seconds since the Unix epoch.
///
/// # Safety
/// `cert` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_not_before(cert: *const ag_client_cert, out: *mut i64) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { write_time(cert, out, ClientCert::not_before) }
}

/// The end of the validity period (notAfter), seconds since the Unix epoch.
///
/// # Safety
/// `cert` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_client_cert_not_after(cert: *const ag_client_cert, out: *mut i64) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { write_time(cert, out, ClientCert::not_after) }
}
