//! `ag_acl`: the Redis ACL engine. Construction, users and their description.

use std::os::raw::c_char;
use std::sync::Arc;

use authgate::acl::{Acl, AclError};
use authgate::acl_store::EmbeddedAcl;

use crate::boundary::{ag_status, FfiError};
use crate::bytes::{ag_slice, borrow, borrow_all};
use crate::ffi::{free_handle, into_handle, try_ref, Out};
use crate::list::{ag_list, give_list};
use crate::options::{ag_acl_options, options_or_default};
use crate::records::{ag_user_info, user_info};

/// The ACL engine: users, passwords, permissions, ACL LOG. Every function taking
/// `const ag_acl *` may be called from any number of threads at once; servers made with
/// ag_server_new share the engine (and keep it alive on their own). An engine from
/// ag_acl_from_store writes its users through the fleet's store.
pub struct ag_acl {
    /// The engine and, from ag_acl_from_store, the store its writes go through (core decides).
    pub(crate) engine: EmbeddedAcl,
}

/// Borrows the engine behind `acl` (as the `Arc` a server can share): reads and local-only
/// settings.
///
/// # Safety
/// `acl` must be NULL or a live `ag_acl`.
pub(crate) unsafe fn acl_ref<'a>(acl: *const ag_acl) -> Result<&'a Arc<Acl>, FfiError> {
    // SAFETY: forwarded contract.
    Ok(unsafe { try_ref(acl, "acl") }?.engine.acl())
}

/// Borrows the engine with its store: the writes a fleet shares (setuser, deluser, load,
/// requirepass).
///
/// # Safety
/// `acl` must be NULL or a live `ag_acl`.
pub(crate) unsafe fn engine_ref<'a>(acl: *const ag_acl) -> Result<&'a EmbeddedAcl, FfiError> {
    // SAFETY: forwarded contract.
    Ok(&unsafe { try_ref(acl, "acl") }?.engine)
}

/// Hands a new engine to C.
pub(crate) fn give_acl(out: Out<*mut ag_acl>, acl: Acl) {
    out.write(into_handle(ag_acl { engine: EmbeddedAcl::new(Arc::new(acl)) }));
}

/// Creates an engine with only the `default` user (`on nopass ~* &* +@all`) and core's default
/// options (Redis 7.0's `acl-pubsub-default` and `acllog-max-len`). The caller owns `*out` and
/// must release it with ag_acl_free.
///
/// # Safety
/// `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_new(out: *mut *mut ag_acl) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let out = unsafe { Out::new(out, "out")? };
        give_acl(out, Acl::new());
        Ok(())
    })
}

/// Like ag_acl_new with the given options (see ag_acl_options_new); `options` stays owned by
/// the caller and may be freed right after. The caller owns `*out` (ag_acl_free).
///
/// # Safety
/// `options` must be a live `ag_acl_options`; `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_new_with_options(
    options: *const ag_acl_options,
    out: *mut *mut ag_acl,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (options, out) = unsafe { (try_ref(options, "options")?, Out::new(out, "out")?) };
        give_acl(out, Acl::with_options(options.inner));
        Ok(())
    })
}

/// Creates an engine holding the users of the aclfile at `path`, as `redis-server` starts with
/// `aclfile`. `options` NULL means core's defaults. AG_CONFIG with Redis' ACL LOAD text for a
/// missing or bad file. The caller owns `*out` (ag_acl_free).
///
/// # Safety
/// `path` readable for `path_len` bytes; `options` NULL or live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_from_file(
    path: *const c_char,
    path_len: usize,
    options: *const ag_acl_options,
    out: *mut *mut ag_acl,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (path, options, out) =
            unsafe { (borrow(path, path_len, "path")?, options_or_default(options), Out::new(out, "out")?) };
        let acl = Acl::from_file(crate::bytes::path_of(path), options)?;
        give_acl(out, acl);
        Ok(())
    })
}

/// Releases the caller's engine. Servers made with it keep their own reference and stay
/// valid. NULL is a no-op.
///
/// # Safety
/// `acl` must be NULL or an engine from libauthgate that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_free(acl: *mut ag_acl) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(acl) }
}

/// `ACL SETUSER name rule...`: creates the user if needed and applies the rules left to right,
/// all or nothing. AG_ERR carries Redis' text, e.g. `ERR Error in ACL SETUSER modifier '+x':
/// Unknown command or category name in ACL`. On an engine from ag_acl_from_store the change
/// is written to the store (AG_IO when etcd is unreachable: nothing changed) and this returns
/// once it is applied here.
///
/// # Safety
/// `acl` live; `name` readable for `name_len` bytes; `rules` NULL (with `n_rules` 0) or
/// `n_rules` valid slices.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_setuser(
    acl: *const ag_acl,
    name: *const c_char,
    name_len: usize,
    rules: *const ag_slice,
    n_rules: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, name, rules) =
            unsafe { (engine_ref(acl)?, borrow(name, name_len, "name")?, borrow_all(rules, n_rules, "rules")?) };
        acl.setuser(name, &rules)?;
        Ok(())
    })
}

/// `ACL DELUSER name...`: writes the number of users deleted to `*out_deleted`. Deleting
/// `default` is refused (AG_ERR) and deletes nothing. Connections of deleted users on any
/// server are closed. Through the store for an engine from ag_acl_from_store.
///
/// # Safety
/// `acl` live; `names` NULL (with `n` 0) or `n` valid slices; `out_deleted` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_deluser(
    acl: *const ag_acl,
    names: *const ag_slice,
    n: usize,
    out_deleted: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, names, out) =
            unsafe { (engine_ref(acl)?, borrow_all(names, n, "names")?, Out::new(out_deleted, "out_deleted")?) };
        out.write(acl.deluser(&names)?);
        Ok(())
    })
}

/// `ACL GETUSER name`: the user's flags, password digests, root selector and `(...)`
/// selectors as an `ag_user_info` record (see its accessors). AG_NOT_FOUND with Redis' text
/// for an unknown user. The caller owns `*out` and must release it with ag_user_info_free.
///
/// # Safety
/// `acl` live; `name` readable for `name_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_getuser(
    acl: *const ag_acl,
    name: *const c_char,
    name_len: usize,
    out: *mut *mut ag_user_info,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, name, out) = unsafe { (acl_ref(acl)?, borrow(name, name_len, "name")?, Out::new(out, "out")?) };
        let info = acl.getuser(name).ok_or_else(|| AclError::UserNotFound(name.to_vec()))?;
        out.write(into_handle(user_info(info)));
        Ok(())
    })
}

/// `ACL USERS`: user names in byte order. The caller owns `*out` (ag_list_free).
///
/// # Safety
/// `acl` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_users(acl: *const ag_acl, out: *mut *mut ag_list) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, out) = unsafe { (acl_ref(acl)?, Out::new(out, "out")?) };
        give_list(out, acl.users());
        Ok(())
    })
}

/// `ACL LIST`: one `user <name> <rules>` line per user, in name order. The caller owns `*out`
/// (ag_list_free).
///
/// # Safety
/// `acl` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_list(acl: *const ag_acl, out: *mut *mut ag_list) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, out) = unsafe { (acl_ref(acl)?, Out::new(out, "out")?) };
        give_list(out, acl.list());
        Ok(())
    })
}

/// `ACL CAT [category]`: with `category` NULL, the category names; otherwise the commands in
/// that category (AG_ERR `ERR Unknown category '...'` if unknown). The caller owns `*out`
/// (ag_list_free).
///
/// # Safety
/// `acl` live; `category` NULL or readable for `category_len` bytes; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_cat(
    acl: *const ag_acl,
    category: *const c_char,
    category_len: usize,
    out: *mut *mut ag_list,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, out) = unsafe { (acl_ref(acl)?, Out::new(out, "out")?) };
        let category = match category.is_null() {
            true => None,
            // SAFETY: non-NULL and readable per the contract.
            false => Some(unsafe { borrow(category, category_len, "category")? }),
        };
        let names = acl.cat(category)?;
        give_list(out, names.into_iter().map(String::into_bytes).collect());
        Ok(())
    })
}
