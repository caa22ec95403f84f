//! `ag_acl`: the Redis ACL engine.

use std::os::raw::c_char;
use std::path::Path;
use std::sync::Arc;

use authgate::acl::{Acl, AclOptions, LogEntry, SelectorInfo};
use serde_json::{json, Value};

use crate::boundary::{ag_status, FfiError};
use crate::bytes::{ag_list, ag_slice, borrow, borrow_all, write_string};

/// The ACL engine: users, passwords, permissions, ACL LOG. Shareable between threads and with
/// servers started by ag_server_start.
pub struct ag_acl {
    pub(crate) inner: Arc<Acl>,
}

/// Borrows the engine behind `acl`.
///
/// # Safety
/// `acl` must be NULL or a live `ag_acl`.
pub(crate) unsafe fn acl_ref<'a>(acl: *const ag_acl) -> Result<&'a ag_acl, FfiError> {
    // SAFETY: NULL or live per the contract.
    unsafe { acl.as_ref() }.ok_or_else(|| FfiError::null("acl"))
}

fn check_out<T>(p: *mut T) -> Result<(), FfiError> {
    if p.is_null() {
        Err(FfiError::null("out"))
    } else {
        Ok(())
    }
}

fn path_of(bytes: &[u8]) -> &Path {
    use std::os::unix::ffi::OsStrExt;
    Path::new(std::ffi::OsStr::from_bytes(bytes))
}

/// Creates an engine with only the `default` user (`on nopass ~* &* +@all`), Redis 7.0's
/// defaults (`acl-pubsub-default resetchannels`, `acllog-max-len 128`). The caller owns
/// `*out` and must release it with ag_acl_free.
///
/// # Safety
/// `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_new(out: *mut *mut ag_acl) -> ag_status {
    // SAFETY: same contract as this function.
    unsafe { ag_acl_new_with_options(false, 128, out) }
}

/// Like ag_acl_new with options: `pubsub_allchannels` is `acl-pubsub-default allchannels`,
/// `log_max_len` is `acllog-max-len`.
///
/// # Safety
/// `out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_new_with_options(
    pubsub_allchannels: bool,
    log_max_len: usize,
    out: *mut *mut ag_acl,
) -> ag_status {
    ffi_boundary!({
        check_out(out)?;
        let options = AclOptions { pubsub_default_allchannels: pubsub_allchannels, log_max_len };
        let acl = Box::new(ag_acl { inner: Arc::new(Acl::with_options(options)) });
        // SAFETY: checked non-NULL; writable per the contract.
        unsafe { *out = Box::into_raw(acl) };
        Ok(())
    })
}

/// Releases an engine. Servers started with it keep their own reference and stay valid.
/// NULL is a no-op.
///
/// # Safety
/// `acl` must be NULL or an engine from ag_acl_new that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_free(acl: *mut ag_acl) {
    if !acl.is_null() {
        // SAFETY: from Box::into_raw in ag_acl_new_with_options; freed once per the contract.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(unsafe { Box::from_raw(acl) })));
    }
}

/// `ACL SETUSER name rule...`: creates the user if needed and applies the rules left to right,
/// all or nothing. AG_ERR carries Redis' text, e.g. `ERR Error in ACL SETUSER modifier '+x':
/// Unknown command or category name in ACL`.
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
        let (acl, name, rules) = unsafe {
            (acl_ref(acl)?, borrow(name, name_len, "name")?, borrow_all(rules, n_rules, "rules")?)
        };
        acl.inner.setuser(name, &rules)?;
        Ok(())
    })
}

/// `ACL DELUSER name...`: writes the number of users deleted. Deleting `default` is refused
/// (AG_ERR) and deletes nothing. Connections of deleted users on any server are closed.
///
/// # Safety
/// `acl` live; `names` NULL (with `n` 0) or `n` valid slices; `out_deleted` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_deluser(
    acl: *const ag_acl,
    names: *const ag_slice,
    n: usize,
    out_deleted: *mut usize,
) -> ag_status {
    ffi_boundary!({
        check_out(out_deleted)?;
        // SAFETY: forwarded contracts.
        let (acl, names) = unsafe { (acl_ref(acl)?, borrow_all(names, n, "names")?) };
        let deleted = acl.inner.deluser(&names)?;
        // SAFETY: checked non-NULL.
        unsafe { *out_deleted = deleted };
        Ok(())
    })
}

/// Checks a password: `*out_ok` is true if the user exists, is `on`, and the password matches
/// one of its SHA-256 digests (compared in constant time) or the user has `nopass`.
///
/// # Safety
/// `acl` live; `user`/`password` readable for their lengths; `out_ok` writable.
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
        check_out(out_ok)?;
        // SAFETY: forwarded contracts.
        let (acl, user, password) = unsafe {
            (acl_ref(acl)?, borrow(user, user_len, "user")?, borrow(password, password_len, "password")?)
        };
        let ok = acl.inner.authenticate(user, password);
        // SAFETY: checked non-NULL.
        unsafe { *out_ok = ok };
        Ok(())
    })
}

/// Decides a command line (`argv[0]` is the command) for `user` as Redis would: AG_OK if
/// allowed; AG_NOPERM with Redis' NOPERM text if denied; AG_ERR for an unknown command or a
/// wrong number of arguments; AG_NOT_FOUND for an unknown user. On/off is not considered
/// (authenticate first).
///
/// # Safety
/// `acl` live; `user` readable; `argv` NULL (with `argc` 0) or `argc` valid slices.
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
        if argv.is_empty() {
            return Err(FfiError::new(ag_status::AG_INVALID_PARAMETER, "argv must not be empty"));
        }
        acl.inner.check(user, &argv)?;
        Ok(())
    })
}

/// `ACL DRYRUN user argv...`: writes `OK` if allowed, otherwise Redis' explanation (e.g.
/// `This user has no permissions to access the 'k' key`). Unknown user, unknown command or
/// wrong arity give AG_ERR with Redis' text. Free `*out` with ag_string_free.
///
/// # Safety
/// `acl` live; `user` readable; `argv` `argc` valid slices; `out`/`out_len` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_dryrun(
    acl: *const ag_acl,
    user: *const c_char,
    user_len: usize,
    argv: *const ag_slice,
    argc: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        check_out(out)?;
        check_out(out_len)?;
        // SAFETY: forwarded contracts.
        let (acl, user, argv) =
            unsafe { (acl_ref(acl)?, borrow(user, user_len, "user")?, borrow_all(argv, argc, "argv")?) };
        let reply = match acl.inner.dryrun(user, &argv) {
            Ok(None) => b"OK".to_vec(),
            Ok(Some(text)) => text,
            Err(e) => return Err(FfiError::new(ag_status::AG_ERR, e.to_bytes())),
        };
        // SAFETY: both checked non-NULL.
        unsafe { write_string(out, out_len, &reply) };
        Ok(())
    })
}

fn lossy(b: &[u8]) -> Value {
    Value::String(String::from_utf8_lossy(b).into_owned())
}

fn selector_json(s: &SelectorInfo) -> Value {
    json!({"commands": lossy(&s.commands), "keys": lossy(&s.keys), "channels": lossy(&s.channels)})
}

/// `ACL GETUSER name` as JSON: `{"flags": [...], "passwords": [...], "commands": "...",
/// "keys": "...", "channels": "...", "selectors": [{"commands","keys","channels"}...]}`.
/// AG_NOT_FOUND for an unknown user. Free `*out` with ag_string_free.
///
/// # Safety
/// `acl` live; `name` readable; `out`/`out_len` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_getuser(
    acl: *const ag_acl,
    name: *const c_char,
    name_len: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        check_out(out)?;
        check_out(out_len)?;
        // SAFETY: forwarded contracts.
        let (acl, name) = unsafe { (acl_ref(acl)?, borrow(name, name_len, "name")?) };
        let info = acl.inner.getuser(name).ok_or_else(|| {
            FfiError::new(ag_status::AG_NOT_FOUND, format!("User '{}' not found", String::from_utf8_lossy(name)))
        })?;
        let doc = json!({
            "flags": info.flags,
            "passwords": info.passwords,
            "commands": lossy(&info.root.commands),
            "keys": lossy(&info.root.keys),
            "channels": lossy(&info.root.channels),
            "selectors": info.selectors.iter().map(selector_json).collect::<Vec<_>>(),
        });
        // SAFETY: both checked non-NULL.
        unsafe { write_string(out, out_len, doc.to_string().as_bytes()) };
        Ok(())
    })
}

fn write_list(out: *mut *mut ag_list, items: Vec<Vec<u8>>) -> Result<(), FfiError> {
    check_out(out)?;
    // SAFETY: checked non-NULL; callers' contracts make it writable.
    unsafe { *out = ag_list::boxed(items) };
    Ok(())
}

/// `ACL USERS`: user names in byte order. Free `*out` with ag_list_free.
///
/// # Safety
/// `acl` live; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_users(acl: *const ag_acl, out: *mut *mut ag_list) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let acl = unsafe { acl_ref(acl)? };
        write_list(out, acl.inner.users())
    })
}

/// `ACL LIST`: one `user <name> <rules>` line per user, in name order. Free with ag_list_free.
///
/// # Safety
/// `acl` live; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_list(acl: *const ag_acl, out: *mut *mut ag_list) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let acl = unsafe { acl_ref(acl)? };
        write_list(out, acl.inner.list())
    })
}

/// `ACL CAT [category]`: with `category` NULL, the 21 category names; otherwise the commands
/// in that category (AG_ERR `ERR Unknown category '...'` if unknown). Free with ag_list_free.
///
/// # Safety
/// `acl` live; `category` NULL or readable for `category_len`; `out` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_cat(
    acl: *const ag_acl,
    category: *const c_char,
    category_len: usize,
    out: *mut *mut ag_list,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        let acl = unsafe { acl_ref(acl)? };
        let cat = if category.is_null() {
            None
        } else {
            // SAFETY: non-NULL and readable per the contract.
            Some(unsafe { borrow(category, category_len, "category")? })
        };
        let names = acl.inner.cat(cat)?;
        write_list(out, names.into_iter().map(String::into_bytes).collect())
    })
}

fn log_json(e: &LogEntry) -> Value {
    json!({
        "count": e.count,
        "reason": e.reason.as_str(),
        "context": e.context.as_str(),
        "object": lossy(&e.object),
        "username": lossy(&e.username),
        "age-seconds": e.age_seconds,
        "client-info": lossy(&e.client_info),
    })
}

/// `ACL LOG count`: the newest `count` entries as a JSON array of objects with the fields of
/// Redis' reply (`count`, `reason`, `context`, `object`, `username`, `age-seconds`,
/// `client-info`). Free `*out` with ag_string_free.
///
/// # Safety
/// `acl` live; `out`/`out_len` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_log(
    acl: *const ag_acl,
    count: usize,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> ag_status {
    ffi_boundary!({
        check_out(out)?;
        check_out(out_len)?;
        // SAFETY: forwarded contract.
        let acl = unsafe { acl_ref(acl)? };
        let entries: Vec<Value> = acl.inner.log(Some(count)).iter().map(log_json).collect();
        // SAFETY: both checked non-NULL.
        unsafe { write_string(out, out_len, Value::Array(entries).to_string().as_bytes()) };
        Ok(())
    })
}

/// `ACL LOG RESET`.
///
/// # Safety
/// `acl` live.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_log_reset(acl: *const ag_acl) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        unsafe { acl_ref(acl)? }.inner.log_reset();
        Ok(())
    })
}

/// `ACL LOAD` from the aclfile at `path`: all or nothing. A bad file gives AG_ERR with Redis'
/// per-line messages and changes nothing; connections of non-default users are closed on
/// success, as Redis 7.0 does.
///
/// # Safety
/// `acl` live; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_load(acl: *const ag_acl, path: *const c_char, path_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, path) = unsafe { (acl_ref(acl)?, borrow(path, path_len, "path")?) };
        acl.inner.load(path_of(path))?;
        Ok(())
    })
}

/// `ACL SAVE` to `path`, atomically (temporary file, fsync, rename). AG_IO on failure.
///
/// # Safety
/// `acl` live; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_save(acl: *const ag_acl, path: *const c_char, path_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, path) = unsafe { (acl_ref(acl)?, borrow(path, path_len, "path")?) };
        acl.inner.save(path_of(path)).map_err(|e| {
            let detail = match &e {
                authgate::acl::AclError::Save(d) => d.clone(),
                other => other.to_string(),
            };
            FfiError::new(ag_status::AG_IO, format!("{e} ({detail})"))
        })
    })
}

/// `ACL GENPASS bits`: `ceil(bits/4)` random lowercase hex characters from the OS CSPRNG;
/// `bits` 0 means 256. AG_ERR if `bits` > 4096. Free `*out` with ag_string_free.
///
/// # Safety
/// `out`/`out_len` writable.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_genpass(bits: u32, out: *mut *mut c_char, out_len: *mut usize) -> ag_status {
    ffi_boundary!({
        check_out(out)?;
        check_out(out_len)?;
        let bits = if bits == 0 { 256 } else { bits };
        let pass = Acl::genpass(Some(bits.to_string().as_bytes()))?;
        // SAFETY: both checked non-NULL.
        unsafe { write_string(out, out_len, pass.as_bytes()) };
        Ok(())
    })
}

/// `CONFIG SET requirepass`: `resetpass` then `>password` on the `default` user; an empty
/// password gives `nopass` (Redis' compatibility layer). Existing connections stay
/// authenticated.
///
/// # Safety
/// `acl` live; `password` readable for `password_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_set_requirepass(
    acl: *const ag_acl,
    password: *const c_char,
    password_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, password) = unsafe { (acl_ref(acl)?, borrow(password, password_len, "password")?) };
        acl.inner.set_requirepass(password);
        Ok(())
    })
}

/// `CONFIG SET acl-pubsub-default`: true for `allchannels`, false for `resetchannels`. Affects
/// users and selectors created (or `reset`) afterwards, as in Redis.
///
/// # Safety
/// `acl` live.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_set_pubsub_default(acl: *const ag_acl, allchannels: bool) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        unsafe { acl_ref(acl)? }.inner.set_pubsub_default_allchannels(allchannels);
        Ok(())
    })
}

/// `CONFIG SET acllog-max-len`: the ACL LOG keeps at most `max_len` entries (trimmed at once).
///
/// # Safety
/// `acl` live.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_set_log_max_len(acl: *const ag_acl, max_len: usize) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contract.
        unsafe { acl_ref(acl)? }.inner.set_log_max_len(max_len);
        Ok(())
    })
}

/// Validates the aclfile at `path` without loading it (`authgate acl check`): AG_OK, or AG_ERR
/// with the message ACL LOAD would give.
///
/// # Safety
/// `acl` live; `path` readable for `path_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ag_acl_check_aclfile(
    acl: *const ag_acl,
    path: *const c_char,
    path_len: usize,
) -> ag_status {
    ffi_boundary!({
        // SAFETY: forwarded contracts.
        let (acl, path) = unsafe { (acl_ref(acl)?, borrow(path, path_len, "path")?) };
        acl.inner.check_aclfile(path_of(path))?;
        Ok(())
    })
}
