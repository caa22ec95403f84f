//! Pointer discipline shared by every export, after rustls-ffi's casting helpers: borrow a
//! handle or fail with AG_NULL_PARAMETER, check every out pointer before doing any work, and
//! write out pointers only once the call has succeeded.

use crate::boundary::FfiError;

/// Borrows the object behind a handle.
///
/// # Safety
/// `ptr` must be NULL or point to a live `T` that is not mutated while the borrow lasts.
pub(crate) unsafe fn try_ref<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, FfiError> {
    // SAFETY: NULL or live per the contract.
    unsafe { ptr.as_ref() }.ok_or_else(|| FfiError::null(what))
}

/// Borrows the object behind a handle mutably.
///
/// # Safety
/// `ptr` must be NULL or point to a live `T` that nothing else uses while the borrow lasts.
pub(crate) unsafe fn try_mut<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, FfiError> {
    // SAFETY: NULL or live and unaliased per the contract.
    unsafe { ptr.as_mut() }.ok_or_else(|| FfiError::null(what))
}

/// An out parameter that was checked non-NULL. Creating one is the only unsafe step;
/// [`Out::write`] is what a function does last, on success, so a failing call leaves every
/// out parameter untouched.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Checks `ptr`, naming it `what` in the AG_NULL_PARAMETER message.
    ///
    /// # Safety
    /// `ptr` must be NULL or valid for a write of `T`.
    pub(crate) unsafe fn new(ptr: *mut T, what: &str) -> Result<Out<T>, FfiError> {
        if ptr.is_null() {
            Err(FfiError::null(what))
        } else {
            Ok(Out(ptr))
        }
    }

    /// An optional out parameter: `None` for NULL (the caller does not want the value).
    ///
    /// # Safety
    /// `ptr` must be NULL or valid for a write of `T`.
    pub(crate) unsafe fn optional(ptr: *mut T) -> Option<Out<T>> {
        (!ptr.is_null()).then_some(Out(ptr))
    }

    /// Writes the result.
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked non-NULL in `new`, writable per its contract.
        unsafe { self.0.write(value) }
    }
}

/// Moves `value` to the heap for C; [`free_handle`] takes it back.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Drops a handle made by [`into_handle`]; NULL is a no-op. Never unwinds into C.
///
/// # Safety
/// `ptr` must be NULL or a handle from [`into_handle`] of the same `T`, not freed yet.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: from Box::into_raw in `into_handle`; freed once per the contract.
        ffi_boundary!(or (), { drop(unsafe { Box::from_raw(ptr) }) })
    }
}
