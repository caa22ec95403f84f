//! `ag_acl` questions: authentication, permission checks, DRYRUN, the ACL LOG and GENPASS.

use std::os::raw::c_char;

use authgate::acl::{Acl, DEFAULT_GENPASS_BITS};

use crate::acl::{acl_ref, ag_acl};
use crate::boundary::ag_status;
use crate::bytes::{ag_slice, borrow, borrow_all, give};
use crate::ffi::{into_handle, Out};
use crate::denial::{ag_denial, denial};
use crate::records::{ag_log_entries, log_entries};

/// Checks a password: `*out_ok` is true if the user exists, is `on`, and the password matches
/// one of its SHA-256 digests (compared in constant time) or the user has `nopass`.
///
/// # Safety
/// `acl` live; `user`/`password` readable for their lengths; `out_ok` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_authenticate(
    acl: *const ag_acl,
    user: *const c_char,
    user_len: usize,
    password: *const c_char,
    password_len: usize,
    out_ok: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, user, password, out) = unsafe {
            (
                acl_ref(acl)?,
                borrow(user, user_len, "user")?,
                borrow(password, password_len, "password")?,
                Out::new(out_ok, "out_ok")?,
            )
        };
        out.write(acl.authenticate(user, password));
        Ok(())
    })
}

/// Decides a command line (`argv[0]` is the command) for `user` as Redis would: AG_OK if
/// allowed; AG_NOPERM with Redis' NOPERM text if denied (ag_last_error_denial gives the kind
/// and the refused object); AG_ERR for an unknown command or a wrong number of arguments;
/// AG_NOT_FOUND for an unknown user. On/off is not considered (authenticate first).
///
/// # Safety
/// `acl` live; `user` readable for `user_len` bytes; `argv` NULL (with `argc` 0) or `argc`
/// valid slices.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_check(
    acl: *const ag_acl,
    user: *const c_char,
    user_len: usize,
    argv: *const ag_slice,
    argc: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, user, argv) =
            unsafe { (acl_ref(acl)?, borrow(user, user_len, "user")?, borrow_all(argv, argc, "argv")?) };
        acl.check(user, &argv)?;
        Ok(())
    })
}

/// ag_acl_check as a yes/no answer that is not an error: AG_OK with `*out_allowed` true if
/// allowed, false if denied (no last error is set and no text is built for a denial, so this
/// is the cheap form for hot paths). What is no permission answer still fails as in
/// ag_acl_check: AG_NOT_FOUND for an unknown user, AG_ERR for an unknown command or a wrong
/// number of arguments; `*out_allowed` is then left untouched.
///
/// # Safety
/// `acl` live; `user` readable for `user_len` bytes; `argv` NULL (with `argc` 0) or `argc`
/// valid slices; `out_allowed` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_allowed(
    acl: *const ag_acl,
    user: *const c_char,
    user_len: usize,
    argv: *const ag_slice,
    argc: usize,
    out_allowed: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, user, argv, out) = unsafe {
            (
                acl_ref(acl)?,
                borrow(user, user_len, "user")?,
                borrow_all(argv, argc, "argv")?,
                Out::new(out_allowed, "out_allowed")?,
            )
        };
        out.write(acl.allowed(user, &argv)?);
        Ok(())
    })
}

/// ag_acl_check with the denial as a value: AG_OK with `*out` NULL if allowed, or a new
/// `ag_denial` (reason, command, object and the NOPERM text ag_acl_check would report) that the
/// caller owns and releases with ag_denial_free. No last error is set for a denial. Fails as
/// ag_acl_allowed does, leaving `*out` untouched.
///
/// # Safety
/// `acl` live; `user` readable for `user_len` bytes; `argv` NULL (with `argc` 0) or `argc`
/// valid slices; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_denial(
    acl: *const ag_acl,
    user: *const c_char,
    user_len: usize,
    argv: *const ag_slice,
    argc: usize,
    out: *mut *mut ag_denial,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, user, argv, out) = unsafe {
            (
                acl_ref(acl)?,
                borrow(user, user_len, "user")?,
                borrow_all(argv, argc, "argv")?,
                Out::new(out, "out")?,
            )
        };
        out.write(match acl.denial(user, &argv)? {
            Some(d) => into_handle(denial(d)),
            None => std::ptr::null_mut(),
        });
        Ok(())
    })
}

/// `ACL DRYRUN user argv...`: `*out` gets what Redis replies: `OK` if allowed, otherwise the
/// explanation (e.g. `This user has no permissions to access the 'k' key`); `*out_allowed`
/// (optional: NULL if not wanted) says which. An unknown user is AG_NOT_FOUND, an unknown
/// command or a wrong arity AG_ERR, with Redis' text. The caller owns `*out` (NUL-terminated;
/// `*out_len` bytes before the NUL) and must release it with ag_string_free.
///
/// # Safety
/// `acl` live; `user` readable; `argv` NULL (with `argc` 0) or `argc` valid slices; `out` and
/// `out_len` NULL or writable; `out_allowed` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_dryrun(
    acl: *const ag_acl,
    user: *const c_char,
    user_len: usize,
    argv: *const ag_slice,
    argc: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
    out_allowed: *mut bool,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, user, argv, out, out_len, allowed) = unsafe {
            (
                acl_ref(acl)?,
                borrow(user, user_len, "user")?,
                borrow_all(argv, argc, "argv")?,
                Out::new(out, "out")?,
                Out::new(out_len, "out_len")?,
                Out::optional(out_allowed),
            )
        };
        let verdict = acl.dryrun(user, &argv)?;
        give(out, out_len, verdict.text());
        if let Some(a) = allowed {
            a.write(verdict.is_allowed());
        }
        Ok(())
    })
}

/// `ACL LOG count`: the newest `count` entries, newest first (every entry when `count` is at
/// least the log's length, e.g. SIZE_MAX). The caller owns `*out` and must release it with
/// ag_log_entries_free, which also releases the entries it lends.
///
/// # Safety
/// `acl` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_log(acl: *const ag_acl, count: usize, out: *mut *mut ag_log_entries) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, out) = unsafe { (acl_ref(acl)?, Out::new(out, "out")?) };
        out.write(into_handle(log_entries(acl.log(Some(count)))));
        Ok(())
    })
}

/// `ACL LOG RESET`: empties the ACL LOG.
///
/// # Safety
/// `acl` live.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_log_reset(acl: *const ag_acl) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        unsafe { acl_ref(acl)? }.log_reset();
        Ok(())
    })
}

/// `ACL GENPASS bits`: `ceil(bits/4)` random lowercase hex characters from the OS' secure
/// generator. `bits` must be 1..=4096, otherwise AG_ERR with Redis' text (0 is an error, as in
/// Redis; ag_acl_genpass_default is `ACL GENPASS` without an argument). The caller owns `*out`
/// (NUL-terminated) and must release it with ag_string_free.
///
/// # Safety
/// `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_genpass(bits: u32, out: *mut *mut c_char, out_len: *mut usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (out, out_len) = unsafe { (Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        give(out, out_len, Acl::genpass(bits)?.as_bytes());
        Ok(())
    })
}

/// `ACL GENPASS` without an argument: ag_acl_genpass with core's default bit count
/// (`authgate::acl::DEFAULT_GENPASS_BITS`, Redis' default). The caller owns `*out`
/// (ag_string_free).
///
/// # Safety
/// `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_genpass_default(out: *mut *mut c_char, out_len: *mut usize) -> ag_status {
    // SAFETY: forwarded contract.
    unsafe { ag_acl_genpass(DEFAULT_GENPASS_BITS, out, out_len) }
}
