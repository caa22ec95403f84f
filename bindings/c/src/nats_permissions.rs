//! An identity's permissions as data (`ag_nats_identity_permission_*`, pointer + length
//! accessors over core's `Permissions` and `SubjectList`) and the `allow_responses` tracker
//! (`ag_nats_identity_received_request`).

use std::os::raw::c_char;

use authgate::nats::{Permissions, SubjectList};

use crate::boundary::{ag_status, FfiError};
use crate::bytes::{borrow, lend};
use crate::ffi::{try_ref, Out};
use crate::nats_identity::ag_nats_identity;

/// Selects one of an identity's four subject lists (core's `SubjectList`).
pub type ag_nats_subject_list = u32;
/// The subjects a publish may go to.
pub const AG_NATS_PUBLISH_ALLOW: ag_nats_subject_list = 0;
/// The subjects a publish may not go to.
pub const AG_NATS_PUBLISH_DENY: ag_nats_subject_list = 1;
/// The subjects (or `"subject queue"` entries) a subscription may take.
pub const AG_NATS_SUBSCRIBE_ALLOW: ag_nats_subject_list = 2;
/// The subjects (or `"subject queue"` entries) a subscription may not take.
pub const AG_NATS_SUBSCRIBE_DENY: ag_nats_subject_list = 3;

/// Core's list for a C selector (in `SubjectList::ALL`'s order), AG_INVALID_PARAMETER for any
/// other number.
fn subject_list(which: ag_nats_subject_list) -> Result<SubjectList, FfiError> {
    usize::try_from(which)
        .ok()
        .and_then(|i| SubjectList::ALL.get(i).copied())
        .ok_or_else(|| FfiError::invalid(format!("unknown subject list {which}")))
}

/// The identity's permissions, or none.
///
/// # Safety
/// `identity` NULL or live.
unsafe fn permissions<'a>(identity: *const ag_nats_identity) -> Result<Option<&'a Permissions>, FfiError> {
    // SAFETY: forwarded contract.
    Ok(unsafe { try_ref(identity, "identity")? }.identity().permissions())
}

/// Writes to `*out` whether the user has permissions at all (false: everything within the
/// account, and every list and allow_responses below is absent).
///
/// # Safety
/// `identity` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_has_permissions(identity: *const ag_nats_identity, out: *mut bool) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (p, out) = unsafe { (permissions(identity)?, Out::new(out, "out")?) };
        out.write(p.is_some());
        Ok(())
    })
}

/// Describes one subject list: `*present` whether it is configured (an absent list does not
/// restrict; an empty publish allow list, made by `allow_responses`, allows only responses)
/// and `*count` its entries (0 when absent). AG_INVALID_PARAMETER for an unknown `list`.
///
/// # Safety
/// `identity` live; `present` and `count` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_permission_list(
    identity: *const ag_nats_identity,
    list: ag_nats_subject_list,
    present: *mut bool,
    count: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (p, present, count) =
            unsafe { (permissions(identity)?, Out::new(present, "present")?, Out::new(count, "count")?) };
        let which = subject_list(list)?;
        let entries = p.and_then(|p| p.list(which));
        present.write(entries.is_some());
        count.write(entries.map_or(0, <[_]>::len));
        Ok(())
    })
}

/// Lends entry `index` of a subject list (not NUL-terminated, valid until the identity is
/// freed). AG_INVALID_PARAMETER for an unknown `list` or an index past its count.
///
/// # Safety
/// `identity` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_permission_entry(
    identity: *const ag_nats_identity,
    list: ag_nats_subject_list,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (p, out, out_len) =
            unsafe { (permissions(identity)?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        let which = subject_list(list)?;
        let entry = p
            .and_then(|p| p.list(which))
            .and_then(|entries| entries.get(index))
            .ok_or_else(|| FfiError::invalid(format!("no entry {index} in subject list {list}")))?;
        lend(out, out_len, entry);
        Ok(())
    })
}

/// Describes `allow_responses`: `*present` whether it is set, `*max` responses per request and
/// `*expires` seconds (negative: unlimited, never expiring; both 0 when it is not set).
///
/// # Safety
/// `identity` live; `present`, `max` and `expires` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_allow_responses(
    identity: *const ag_nats_identity,
    present: *mut bool,
    max: *mut i64,
    expires: *mut f64,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (p, present, max, expires) = unsafe {
            (permissions(identity)?, Out::new(present, "present")?, Out::new(max, "max")?, Out::new(expires, "expires")?)
        };
        let rp = p.and_then(|p| p.response);
        present.write(rp.is_some());
        max.write(rp.map_or(0, |r| r.max()));
        expires.write(rp.map_or(0.0, |r| r.expires_seconds()));
        Ok(())
    })
}

/// A request carrying the reply subject `reply` was delivered to this client: with
/// `allow_responses`, ag_nats_identity_can_publish then allows `reply` (within max and
/// expires). Without `allow_responses` it changes nothing. Safe from many threads at once.
///
/// # Safety
/// `identity` live; `reply` readable for `reply_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_nats_identity_received_request(
    identity: *const ag_nats_identity,
    reply: *const c_char,
    reply_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (identity, reply) = unsafe { (try_ref(identity, "identity")?, borrow(reply, reply_len, "reply")?) };
        identity.identity().received_request(reply);
        Ok(())
    })
}
