//! Byte strings across the boundary: borrowed slices from C, strings lent or given to C.

use std::os::raw::c_char;
use std::path::Path;

use crate::boundary::FfiError;
use crate::ffi::Out;

/// A borrowed byte string from C: `data` may be NULL only when `len` is 0. Used for argument
/// arrays (rules, argv, names); libauthgate never keeps the pointer after the call returns.
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

/// A file path from bytes: Unix paths are bytes, so any byte string is a path.
pub(crate) fn path_of(bytes: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

/// A UTF-8 string argument (a host name): AG_INVALID_PARAMETER otherwise.
pub(crate) fn utf8<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, FfiError> {
    std::str::from_utf8(bytes).map_err(|_| FfiError::invalid(format!("{what} is not valid UTF-8")))
}

/// Lends `bytes` to C: `*out` points at them (not NUL-terminated), `*out_len` is the length.
pub(crate) fn lend(out: Out<*const c_char>, out_len: Out<usize>, bytes: &[u8]) {
    out.write(bytes.as_ptr() as *const c_char);
    out_len.write(bytes.len());
}

/// Size of the hidden length header in front of every string handed to C.
const HEADER: usize = std::mem::size_of::<usize>();

/// Allocates a NUL-terminated copy of `bytes` for C; `ag_string_free` releases it. The length
/// is stored just before the returned pointer, so freeing needs only the pointer.
fn to_c_string(bytes: &[u8]) -> *mut c_char {
    let mut buf = Vec::with_capacity(HEADER + bytes.len() + 1);
    buf.extend_from_slice(&bytes.len().to_ne_bytes());
    buf.extend_from_slice(bytes);
    buf.push(0);
    let raw = Box::into_raw(buf.into_boxed_slice()) as *mut u8;
    // SAFETY: the allocation is HEADER + len + 1 bytes long, so HEADER is in bounds.
    unsafe { raw.add(HEADER) as *mut c_char }
}

/// Gives C an owned copy of `bytes` (freed with ag_string_free) and its length.
pub(crate) fn give(out: Out<*mut c_char>, out_len: Out<usize>, bytes: &[u8]) {
    out.write(to_c_string(bytes));
    out_len.write(bytes.len());
}

/// Frees a string libauthgate gave the caller (an `char **out` result: ag_acl_dryrun,
/// ag_acl_genpass). NULL is a no-op. Strings lent by accessors (`const char **out`) are not
/// freed with this: they belong to their handle.
///
/// # Safety
/// `s` must be NULL or a pointer given by libauthgate that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    ffi_boundary!(or (), {
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
    })
}
