//! `ag_list`: an immutable list of byte strings (user names, ACL LIST lines, categories).

use std::os::raw::c_char;

use crate::boundary::{ag_status, FfiError};
use crate::bytes::lend;
use crate::ffi::{free_handle, into_handle, try_ref, Out};

/// An immutable list of byte strings, owned by the caller; release it with ag_list_free.
pub struct ag_list {
    items: Vec<Vec<u8>>,
}

/// Hands `items` to C as a new list.
pub(crate) fn give_list(out: Out<*mut ag_list>, items: Vec<Vec<u8>>) {
    out.write(into_handle(ag_list { items }));
}

/// Number of items in `list` (0 for NULL).
///
/// # Safety
/// `list` must be NULL or a live list from libauthgate.
#[no_mangle]
pub unsafe extern "C" fn ag_list_len(list: *const ag_list) -> usize {
    // SAFETY: NULL or live per the contract.
    ffi_boundary!(or 0, { unsafe { list.as_ref() }.map_or(0, |l| l.items.len()) })
}

/// Borrows item `index` of `list`: `*out` points into the list (valid until ag_list_free, not
/// NUL-terminated, may contain NUL bytes), `*out_len` is its length. AG_INVALID_PARAMETER if
/// `index` is not below ag_list_len.
///
/// # Safety
/// `list` must be NULL or a live list; `out` and `out_len` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_list_get(
    list: *const ag_list,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (list, out, out_len) =
            unsafe { (try_ref(list, "list")?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        let item = item_at(&list.items, index)?;
        lend(out, out_len, item);
        Ok(())
    })
}

/// `items[index]`, or AG_INVALID_PARAMETER naming the index and the length.
pub(crate) fn item_at<T>(items: &[T], index: usize) -> Result<&T, FfiError> {
    items
        .get(index)
        .ok_or_else(|| FfiError::invalid(format!("index {index} is out of range (length {})", items.len())))
}

/// Frees a list. NULL is a no-op.
///
/// # Safety
/// `list` must be NULL or a list from libauthgate that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_list_free(list: *mut ag_list) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(list) }
}
