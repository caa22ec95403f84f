//! `ag_nats_identity`: a logged-in NATS client, its user, account and permissions.

use std::os::raw::c_char;

use authgate::nats::Identity;

use crate::boundary::ag_status;
use crate::bytes::{borrow, lend};
use crate::ffi::{free_handle, try_ref, Out};

/// A client ag_nats_authenticate accepted: its user and account, and what it may publish,
/// subscribe to and receive (NATS subject matching, nats-server's rules). Every function
/// taking `const ag_nats_identity *` may be called from any number of threads at once.
pub struct ag_nats_identity {
    inner: Identity,
}

impl ag_nats_identity {
    /// Wraps an identity core accepted.
    pub(crate) fn new(inner: Identity) -> ag_nats_identity {
        ag_nats_identity { inner }
    }

    /// The core identity.
    pub(crate) fn identity(&self) -> &Identity {
        &self.inner
    }
}

/// Releases an identity. NULL is a no-op.
///
/// # Safety
/// `identity` NULL or from libauthgate and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_free(identity: *mut ag_nats_identity) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(identity) }
}

/// Lends `field(identity)` to C.
///
/// # Safety
/// `identity` NULL or live; `out` and `out_len` NULL or writable.
unsafe fn lend_field(
    identity: *const ag_nats_identity,
    out: *mut *const c_char,
    out_len: *mut usize,
    field: fn(&Identity) -> &[u8],
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (identity, out, out_len) =
            unsafe { (try_ref(identity, "identity")?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, field(&identity.inner));
        Ok(())
    })
}

/// The user name (lent, not NUL-terminated, valid until the identity is freed): the nkey for
/// an nkey user, empty for a token login or a server without authentication.
///
/// # Safety
/// `identity` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_user(
    identity: *const ag_nats_identity,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(identity, out, out_len, Identity::user) }
}

/// The account (lent like ag_nats_identity_user): core's global account (`$G`) when the user
/// has none.
///
/// # Safety
/// `identity` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_account(
    identity: *const ag_nats_identity,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(identity, out, out_len, Identity::account) }
}

/// Writes to `*out` whether a publish to `subject` is allowed now (with `allow_responses`,
/// counting the response).
///
/// # Safety
/// `identity` live; `subject` readable for `subject_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_can_publish(
    identity: *const ag_nats_identity,
    subject: *const c_char,
    subject_len: usize,
    out: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (identity, subject, out) = unsafe {
            (try_ref(identity, "identity")?, borrow(subject, subject_len, "subject")?, Out::new(out, "out")?)
        };
        out.write(identity.inner.can_publish(subject));
        Ok(())
    })
}

/// Writes to `*out` whether a subscription to `subject` is accepted; `queue` is the queue
/// group, NULL for none (an empty group is not the same as none). False also for a subject
/// nats-server refuses as invalid, or with more tokens than `max_sub_tokens`.
///
/// # Safety
/// `identity` live; `subject` readable for `subject_len` bytes; `queue` NULL or readable for
/// `queue_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_can_subscribe(
    identity: *const ag_nats_identity,
    subject: *const c_char,
    subject_len: usize,
    queue: *const c_char,
    queue_len: usize,
    out: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (identity, subject, out) = unsafe {
            (try_ref(identity, "identity")?, borrow(subject, subject_len, "subject")?, Out::new(out, "out")?)
        };
        let queue = match queue.is_null() {
            true => None,
            // SAFETY: non-NULL and readable per the contract.
            false => Some(unsafe { borrow(queue, queue_len, "queue")? }),
        };
        out.write(identity.inner.can_subscribe(subject, queue));
        Ok(())
    })
}

/// Writes to `*out` whether a message on `subject` is delivered to this client's (wildcard)
/// subscription: the deny filter nats-server applies at delivery.
///
/// # Safety
/// `identity` live; `subject` readable for `subject_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_can_receive(
    identity: *const ag_nats_identity,
    subject: *const c_char,
    subject_len: usize,
    out: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (identity, subject, out) = unsafe {
            (try_ref(identity, "identity")?, borrow(subject, subject_len, "subject")?, Out::new(out, "out")?)
        };
        out.write(identity.inner.can_receive(subject));
        Ok(())
    })
}
