//! `ag_acl` persistence: ACL LOAD, ACL SAVE and aclfile validation. (ag_acl_from_file, which
//! makes a new engine, is with the constructors in acl.rs.)

use std::os::raw::c_char;

use crate::acl::{acl_ref, ag_acl, engine_ref};
use crate::boundary::ag_status;
use crate::bytes::{borrow, path_of};

/// `ACL LOAD` from the aclfile at `path`: all or nothing. A missing or bad file gives
/// AG_CONFIG with Redis' per-line messages and changes nothing; on success the connections of
/// non-default users are closed, as Redis 7.0 does. On an engine from ag_acl_from_store the
/// file's users replace the store's (AG_IO when etcd is unreachable: nothing changed).
///
/// # Safety
/// `acl` live; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_load(acl: *const ag_acl, path: *const c_char, path_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, path) = unsafe { (engine_ref(acl)?, borrow(path, path_len, "path")?) };
        acl.load(path_of(path))?;
        Ok(())
    })
}

/// `ACL SAVE` to `path`, atomically (temporary file, fsync, rename). On failure AG_IO with
/// Redis' fixed text (`ERR There was an error trying to save the ACLs. ...`).
///
/// # Safety
/// `acl` live; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_save(acl: *const ag_acl, path: *const c_char, path_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, path) = unsafe { (acl_ref(acl)?, borrow(path, path_len, "path")?) };
        acl.save(path_of(path))?;
        Ok(())
    })
}

/// Validates the aclfile at `path` without loading it (`authgate acl check`): AG_OK, or
/// AG_CONFIG with the message ACL LOAD would give. The file is parsed with this engine's
/// `acl-pubsub-default`.
///
/// # Safety
/// `acl` live; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_check_aclfile(acl: *const ag_acl, path: *const c_char, path_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, path) = unsafe { (acl_ref(acl)?, borrow(path, path_len, "path")?) };
        acl.check_aclfile(path_of(path))?;
        Ok(())
    })
}
