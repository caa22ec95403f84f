//! Byte strings across the boundary: borrowed slices from C, owned strings and lists to C.

use std::os::raw::c_char;
use crate::boundary::{ag_status, FfiError};

/// A borrowed byte string from C: `data` may be NULL only when `len` is 0.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ag_slice {
    /// First byte.
    pub data: *const c_char,
    /// Number of bytes.
    pub len: usize,
}

/// Borrows `len` bytes at `ptr` (NULL allowed when `len` is 0).
///
/// # Safety
/// `ptr` must be NULL or point to `len` readable bytes that outlive the returned slice.
pub(crate) unsafe fn borrow<'a>(ptr: *const c_char, len: usize, what: &str) -> Result<&'a [u8], FfiError> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(FfiError::null(what));
    }
    // SAFETY: non-NULL and the caller guarantees `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr as *const u8, len) })
}

/// Borrows an array of `ag_slice`.
///
/// # Safety
/// `items` must be NULL (only with `n == 0`) or point to `n` valid `ag_slice`s, each meeting
/// the requirements of [`borrow`].
pub(crate) unsafe fn borrow_all<'a>(items: *const ag_slice, n: usize, what: &str) -> Result<Vec<&'a [u8]>, FfiError> {
    if items.is_null() {
        if n == 0 {
            return Ok(Vec::new());
        }
        return Err(FfiError::null(what));
    }
    // SAFETY: non-NULL and the caller guarantees `n` elements.
    let items = unsafe { std::slice::from_raw_parts(items, n) };
    items
        .iter()
        // SAFETY: each element meets `borrow`'s contract per this function's contract.
        .map(|s| unsafe { borrow(s.data, s.len, what) })
        .collect()
}

/// Size of the hidden length header in front of every string handed to C.
const HEADER: usize = std::mem::size_of::<usize>();

/// Allocates a NUL-terminated copy of `bytes` for C; `ag_string_free` releases it. The length
/// is stored just before the returned pointer, so freeing needs only the pointer.
pub(crate) fn to_c_string(bytes: &[u8]) -> *mut c_char {
    let mut buf = Vec::with_capacity(HEADER + bytes.len() + 1);
    buf.extend_from_slice(&bytes.len().to_ne_bytes());
    buf.extend_from_slice(bytes);
    buf.push(0);
    let raw = Box::into_raw(buf.into_boxed_slice()) as *mut u8;
    // SAFETY: the allocation is HEADER + len + 1 bytes long, so HEADER is in bounds.
    unsafe { raw.add(HEADER) as *mut c_char }
}

/// Writes a new C string to `out` / `out_len`.
///
/// # Safety
/// `out` and `out_len` must be valid for writes (checked non-NULL by the caller).
pub(crate) unsafe fn write_string(out: *mut *mut c_char, out_len: *mut usize, bytes: &[u8]) {
    let s = to_c_string(bytes);
    // SAFETY: the caller checked both pointers and guarantees they are writable.
    unsafe {
        *out = s;
        *out_len = bytes.len();
    }
}

/// Frees a string returned by libauthgate (any `char **out` result). NULL is a no-op.
///
/// # Safety
/// `s` must be NULL or a pointer returned by libauthgate that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: `s` came from `to_c_string`, so HEADER bytes before it hold the length and
        // the whole block is one boxed slice of HEADER + len + 1 bytes.
        unsafe {
            let base = (s as *mut u8).sub(HEADER);
            let mut len_bytes = [0u8; HEADER];
            std::ptr::copy_nonoverlapping(base, len_bytes.as_mut_ptr(), HEADER);
            let len = usize::from_ne_bytes(len_bytes);
            let slice = std::ptr::slice_from_raw_parts_mut(base, HEADER + len + 1);
            drop(Box::from_raw(slice));
        }
    });
}

/// An immutable list of byte strings (user names, ACL LIST lines, category members).
pub struct ag_list {
    items: Vec<Vec<u8>>,
}

impl ag_list {
    pub(crate) fn boxed(items: Vec<Vec<u8>>) -> *mut ag_list {
        Box::into_raw(Box::new(ag_list { items }))
    }
}

/// Number of items in `list` (0 for NULL).
///
/// # Safety
/// `list` must be NULL or a live list from libauthgate.
#[no_mangle]
pub unsafe extern "C" fn ag_list_len(list: *const ag_list) -> usize {
    // SAFETY: NULL or a live list per the contract.
    match unsafe { list.as_ref() } {
        Some(l) => l.items.len(),
        None => 0,
    }
}

/// Borrows item `index` of `list`: `*out` points into the list (valid until ag_list_free, not
/// NUL-terminated), `*out_len` is its length.
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
        // SAFETY: NULL or a live list per the contract.
        let l = unsafe { list.as_ref() }.ok_or_else(|| FfiError::null("list"))?;
        if out.is_null() || out_len.is_null() {
            return Err(FfiError::null("out"));
        }
        let item = l.items.get(index).ok_or_else(|| {
            FfiError::new(ag_status::AG_INVALID_PARAMETER, format!("index {index} out of range"))
        })?;
        // SAFETY: both checked non-NULL and writable per the contract.
        unsafe {
            *out = item.as_ptr() as *const c_char;
            *out_len = item.len();
        }
        Ok(())
    })
}

/// Frees a list. NULL is a no-op.
///
/// # Safety
/// `list` must be NULL or a list from libauthgate that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_list_free(list: *mut ag_list) {
    if !list.is_null() {
        // SAFETY: created by Box::into_raw in `ag_list::boxed`, freed once per the contract.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(unsafe { Box::from_raw(list) })));
    }
}
