//! `ag_subject_policy`: Redis Software's mTLS subject check
//! (`mtls_client_cert_subject_validation_type` with `mtls_authorized_subjects`), core's
//! `tls::SubjectPolicy`.

use std::os::raw::c_char;

use authgate::tls::{AuthorizedSubject, SubjectPolicy, SubjectValidation};

use crate::boundary::{ag_status, FfiError};
use crate::bytes::{ag_slice, borrow, borrow_all, lend, utf8};
use crate::cert::ag_client_cert;
use crate::ffi::{free_handle, into_handle, try_ref, Out};

/// A subject policy. Immutable: every function taking `const ag_subject_policy *` may be called
/// from any number of threads at once. Free it with ag_subject_policy_free.
pub struct ag_subject_policy {
    inner: SubjectPolicy,
}

/// Core's policy for a validation type (None: core's default) and authorized subject lines.
fn build(validation: Option<&[u8]>, subjects: &[&[u8]]) -> Result<SubjectPolicy, FfiError> {
    let validation = match validation {
        Some(v) => utf8(v, "validation")?.parse::<SubjectValidation>().map_err(authgate::Error::from)?,
        None => SubjectValidation::default(),
    };
    let subjects = subjects
        .iter()
        .map(|s| AuthorizedSubject::from_subject_line(utf8(s, "authorized subject")?).map_err(|e| authgate::Error::from(e).into()))
        .collect::<Result<Vec<_>, FfiError>>()?;
    Ok(SubjectPolicy::new(validation, subjects).map_err(authgate::Error::from)?)
}

/// Makes a policy. `validation` is `disabled`, `san_cn` or `full_subject` (NULL: core's
/// default, `disabled`); `subjects` are the `n` authorized subjects, each written as a DN
/// (`CN=alice,OU=Platform,OU=Engineering,O=Acme Corp`: CN once and required, O, L, ST, C at
/// most once, OU any number of times). AG_CERTIFICATE with core's text for an unknown
/// validation type or a subject it refuses; AG_INVALID_PARAMETER for text that is not UTF-8.
/// The caller owns `*out` (ag_subject_policy_free).
///
/// # Safety
/// `validation` NULL or readable for `validation_len` bytes; `subjects` NULL (with `n` 0) or
/// `n` valid slices; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_subject_policy_new(
    validation: *const c_char,
    validation_len: usize,
    subjects: *const ag_slice,
    n: usize,
    out: *mut *mut ag_subject_policy,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (validation, subjects, out) = unsafe {
            let validation =
                if validation.is_null() { None } else { Some(borrow(validation, validation_len, "validation")?) };
            (validation, borrow_all(subjects, n, "subjects")?, Out::new(out, "out")?)
        };
        let policy = build(validation, &subjects)?;
        out.write(into_handle(ag_subject_policy { inner: policy }));
        Ok(())
    })
}

/// Releases a policy. NULL is a no-op.
///
/// # Safety
/// `policy` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_subject_policy_free(policy: *mut ag_subject_policy) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(policy) }
}

/// The validation type as Redis Software writes it (`disabled`, `san_cn`, `full_subject`;
/// static, not NUL-terminated).
///
/// # Safety
/// `policy` NULL or live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_subject_policy_validation(
    policy: *const ag_subject_policy,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (policy, out, out_len) =
            unsafe { (try_ref(policy, "policy")?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, policy.inner.validation().as_str().as_bytes());
        Ok(())
    })
}

/// Checks a certificate (whose chain was already verified) against the policy: AG_OK when it
/// passes, AG_CERTIFICATE when it is refused, ag_last_error_message naming the attribute that
/// differs for each authorized subject (`certificate subject not authorized: CN: ...`).
///
/// # Safety
/// `policy` and `cert` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_subject_policy_check(
    policy: *const ag_subject_policy,
    cert: *const ag_client_cert,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (policy, cert) = unsafe { (try_ref(policy, "policy")?, try_ref(cert, "cert")?) };
        policy.inner.authorize(cert.cert()).map_err(authgate::Error::from)?;
        Ok(())
    })
}
