//! Records handed to C: `ag_user_info` (ACL GETUSER) with its `ag_selector`s, and
//! `ag_log_entries` (ACL LOG) with its `ag_log_entry`s. Opaque, read through accessors that
//! lend pointer + length (binary-safe, not NUL-terminated); each record the caller owns is
//! released by exactly one `_free`, which also releases what it lends.

use std::os::raw::c_char;

use authgate::acl::{LogEntry, SelectorInfo, UserInfo};

use crate::boundary::ag_status;
use crate::bytes::lend;
use crate::ffi::{free_handle, try_ref, Out};
use crate::list::item_at;

/// One selector of a user: its command rules, key patterns and channel patterns. Lent by its
/// `ag_user_info` (ag_user_info_selector) and valid until that is freed; never freed itself.
pub struct ag_selector {
    inner: SelectorInfo,
}

/// What ACL GETUSER reports for a user: flags, password digests, the root selector's
/// commands/keys/channels, and the `(...)` selectors. Made by ag_acl_getuser, a snapshot (later
/// changes to the user do not show), owned by the caller, released with ag_user_info_free.
pub struct ag_user_info {
    flags: Vec<&'static str>,
    passwords: Vec<String>,
    root: ag_selector,
    selectors: Vec<ag_selector>,
}

pub(crate) fn user_info(info: UserInfo) -> ag_user_info {
    ag_user_info {
        flags: info.flags,
        passwords: info.passwords,
        root: ag_selector { inner: info.root },
        selectors: info.selectors.into_iter().map(|inner| ag_selector { inner }).collect(),
    }
}

/// One ACL LOG entry. Lent by its `ag_log_entries` (ag_log_entries_get) and valid until that
/// is freed; never freed itself.
pub struct ag_log_entry {
    inner: LogEntry,
}

/// The entries of one ag_acl_log call, newest first: a snapshot owned by the caller, released
/// with ag_log_entries_free.
pub struct ag_log_entries {
    entries: Vec<ag_log_entry>,
}

pub(crate) fn log_entries(entries: Vec<LogEntry>) -> ag_log_entries {
    ag_log_entries { entries: entries.into_iter().map(|inner| ag_log_entry { inner }).collect() }
}

/// Lends one byte field of the record behind `record`: the body of every string accessor.
///
/// # Safety
/// `record` NULL or live; `out` and `out_len` NULL or writable.
pub(crate) unsafe fn lend_field<T>(
    record: *const T,
    what: &str,
    out: *mut *const c_char,
    out_len: *mut usize,
    field: impl FnOnce(&T) -> &[u8],
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (record, out, out_len) =
            unsafe { (try_ref(record, what)?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, field(record));
        Ok(())
    })
}

/// Like [`lend_field`] for item `index` of a list field (AG_INVALID_PARAMETER out of range).
///
/// # Safety
/// As [`lend_field`].
unsafe fn lend_item<T, I>(
    record: *const T,
    what: &str,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
    items: impl FnOnce(&T) -> &[I],
    bytes: impl FnOnce(&I) -> &[u8],
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (record, out, out_len) =
            unsafe { (try_ref(record, what)?, Out::new(out, "out")?, Out::new(out_len, "out_len")?) };
        lend(out, out_len, bytes(item_at(items(record), index)?));
        Ok(())
    })
}

/// Number of flags of `info` (0 for NULL).
///
/// # Safety
/// `info` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_flags_len(info: *const ag_user_info) -> usize {
    // SAFETY: NULL or live per the contract.
    ffi_boundary!(or 0, { unsafe { info.as_ref() }.map_or(0, |i| i.flags.len()) })
}

/// Flag `index` in Redis' order (`on`/`off`, `nopass`, `sanitize-payload` /
/// `skip-sanitize-payload`), lent until ag_user_info_free. AG_INVALID_PARAMETER if `index` is
/// not below ag_user_info_flags_len.
///
/// # Safety
/// `info` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_flag(
    info: *const ag_user_info,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_item(info, "info", index, out, out_len, |i| &i.flags, |f| f.as_bytes()) }
}

/// Number of password digests of `info` (0 for NULL).
///
/// # Safety
/// `info` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_passwords_len(info: *const ag_user_info) -> usize {
    // SAFETY: NULL or live per the contract.
    ffi_boundary!(or 0, { unsafe { info.as_ref() }.map_or(0, |i| i.passwords.len()) })
}

/// Password digest `index` (64 lowercase hex characters, SHA-256), in the order they were
/// added, lent until ag_user_info_free. AG_INVALID_PARAMETER if `index` is out of range.
///
/// # Safety
/// `info` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_password(
    info: *const ag_user_info,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_item(info, "info", index, out, out_len, |i| &i.passwords, |p| p.as_bytes()) }
}

/// The root selector's command rules (e.g. `-@all +get`), lent until ag_user_info_free.
///
/// # Safety
/// `info` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_commands(
    info: *const ag_user_info,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(info, "info", out, out_len, |i| &i.root.inner.commands) }
}

/// The root selector's key patterns joined by spaces (`~*` for allkeys, empty if none), lent
/// until ag_user_info_free.
///
/// # Safety
/// `info` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_keys(
    info: *const ag_user_info,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(info, "info", out, out_len, |i| &i.root.inner.keys) }
}

/// The root selector's channel patterns joined by spaces (`&*` for allchannels, empty if
/// none), lent until ag_user_info_free.
///
/// # Safety
/// `info` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_channels(
    info: *const ag_user_info,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(info, "info", out, out_len, |i| &i.root.inner.channels) }
}

/// Number of `(...)` selectors of `info` (0 for NULL).
///
/// # Safety
/// `info` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_selectors_len(info: *const ag_user_info) -> usize {
    // SAFETY: NULL or live per the contract.
    ffi_boundary!(or 0, { unsafe { info.as_ref() }.map_or(0, |i| i.selectors.len()) })
}

/// Selector `index` (in the user's order), lent: `*out` is valid until ag_user_info_free and
/// is not freed on its own. AG_INVALID_PARAMETER if `index` is out of range.
///
/// # Safety
/// `info` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_selector(
    info: *const ag_user_info,
    index: usize,
    out: *mut *const ag_selector,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (info, out) = unsafe { (try_ref(info, "info")?, Out::new(out, "out")?) };
        out.write(item_at(&info.selectors, index)?);
        Ok(())
    })
}

/// Releases a user record and the selectors it lends. NULL is a no-op.
///
/// # Safety
/// `info` NULL or a record from ag_acl_getuser that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_user_info_free(info: *mut ag_user_info) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(info) }
}

/// The selector's command rules, lent until its ag_user_info is freed.
///
/// # Safety
/// `selector` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_selector_commands(
    selector: *const ag_selector,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(selector, "selector", out, out_len, |s| &s.inner.commands) }
}

/// The selector's key patterns joined by spaces, lent until its ag_user_info is freed.
///
/// # Safety
/// `selector` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_selector_keys(
    selector: *const ag_selector,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(selector, "selector", out, out_len, |s| &s.inner.keys) }
}

/// The selector's channel patterns joined by spaces, lent until its ag_user_info is freed.
///
/// # Safety
/// `selector` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_selector_channels(
    selector: *const ag_selector,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(selector, "selector", out, out_len, |s| &s.inner.channels) }
}

/// Number of entries (0 for NULL).
///
/// # Safety
/// `entries` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entries_len(entries: *const ag_log_entries) -> usize {
    // SAFETY: NULL or live per the contract.
    ffi_boundary!(or 0, { unsafe { entries.as_ref() }.map_or(0, |e| e.entries.len()) })
}

/// Entry `index` (0 is the newest), lent: `*out` is valid until ag_log_entries_free and is
/// not freed on its own. AG_INVALID_PARAMETER if `index` is out of range.
///
/// # Safety
/// `entries` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entries_get(
    entries: *const ag_log_entries,
    index: usize,
    out: *mut *const ag_log_entry,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (entries, out) = unsafe { (try_ref(entries, "entries")?, Out::new(out, "out")?) };
        out.write(item_at(&entries.entries, index)?);
        Ok(())
    })
}

/// Releases the entries of an ag_acl_log call and every entry they lend. NULL is a no-op.
///
/// # Safety
/// `entries` NULL or entries from ag_acl_log that were not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entries_free(entries: *mut ag_log_entries) {
    // SAFETY: forwarded contract.
    unsafe { free_handle(entries) }
}

/// Writes how many events were merged into this entry to `*out`.
///
/// # Safety
/// `entry` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entry_count(entry: *const ag_log_entry, out: *mut u64) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (entry, out) = unsafe { (try_ref(entry, "entry")?, Out::new(out, "out")?) };
        out.write(entry.inner.count);
        Ok(())
    })
}

/// Writes the seconds since the entry was last updated to `*out`.
///
/// # Safety
/// `entry` live; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entry_age_seconds(entry: *const ag_log_entry, out: *mut f64) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (entry, out) = unsafe { (try_ref(entry, "entry")?, Out::new(out, "out")?) };
        out.write(entry.inner.age_seconds);
        Ok(())
    })
}

/// Why the entry was written: `command`, `key`, `channel` or `auth` (static).
///
/// # Safety
/// `entry` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entry_reason(
    entry: *const ag_log_entry,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(entry, "entry", out, out_len, |e| e.inner.reason.as_str().as_bytes()) }
}

/// Where the denied call came from: `toplevel`, `multi`, `lua` or `module` (static).
///
/// # Safety
/// `entry` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entry_context(
    entry: *const ag_log_entry,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(entry, "entry", out, out_len, |e| e.inner.context.as_str().as_bytes()) }
}

/// The refused object: the command's full name, the key, the channel, or (for auth) what was
/// typed; lent until ag_log_entries_free.
///
/// # Safety
/// `entry` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entry_object(
    entry: *const ag_log_entry,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(entry, "entry", out, out_len, |e| &e.inner.object) }
}

/// The connection's user (for auth failures, the name tried); lent until ag_log_entries_free.
///
/// # Safety
/// `entry` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entry_username(
    entry: *const ag_log_entry,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(entry, "entry", out, out_len, |e| &e.inner.username) }
}

/// The client's CLIENT LIST line when the entry was last updated; lent until
/// ag_log_entries_free.
///
/// # Safety
/// `entry` live; `out` and `out_len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ag_log_entry_client_info(
    entry: *const ag_log_entry,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> ag_status {
    // SAFETY: forwarded contracts.
    unsafe { lend_field(entry, "entry", out, out_len, |e| &e.inner.client_info) }
}
