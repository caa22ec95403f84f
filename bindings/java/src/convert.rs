//! Conversions between Java values and core's types: paths, the engine options, and integers
//! that must fit a narrower or unsigned Rust type. Out-of-range values are `INVALID_ARGUMENT`
//! errors; parsing (of `acl-pubsub-default`) is core's.

use std::path::PathBuf;

use authgate::acl::{AclOptions, PubsubDefault};
use jni::objects::JByteArray;
use jni::sys::jint;
use jni::Env;

use crate::error::{invalid, Result};
use crate::wire::{self, Packer};

/// A path from the bytes of Java's `Path.toString()` (or a caller's `byte[]`). On Unix a path
/// is any bytes, as the OS sees it; elsewhere it must be UTF-8.
pub fn path_from(raw: Vec<u8>) -> Result<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Ok(PathBuf::from(std::ffi::OsString::from_vec(raw)))
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(raw)
            .map(PathBuf::from)
            .map_err(|_| invalid("path is not valid UTF-8"))
    }
}

/// A path argument (null is an argument error).
pub fn path(env: &Env<'_>, array: &JByteArray<'_>) -> Result<PathBuf> {
    path_from(wire::bytes(env, array)?)
}

/// A path option (null: unset).
pub fn optional_path(env: &Env<'_>, array: &JByteArray<'_>) -> Result<Option<PathBuf>> {
    wire::optional_bytes(env, array)?.map(path_from).transpose()
}

/// `acl-pubsub-default` parsed by core (ASCII case ignored, as Redis' config parser does).
pub fn pubsub_default(value: &[u8]) -> Result<PubsubDefault> {
    PubsubDefault::from_bytes(value).map_err(|e| invalid(e.to_string()))
}

/// A count or length that must not be negative.
pub fn unsigned(what: &str, n: jint) -> Result<usize> {
    usize::try_from(n).map_err(|_| invalid(format!("{what} must not be negative: {n}")))
}

/// A `usize` from core shown to Java as an `int`. Values set from Java always fit; anything
/// larger (only reachable from a config file) reads as `Integer.MAX_VALUE`.
pub fn to_jint(n: usize) -> jint {
    jint::try_from(n).unwrap_or(jint::MAX)
}

/// The options from Java's `AclOptions(pubsubDefault, logMaxLen)` fields.
pub fn acl_options(
    env: &Env<'_>,
    pubsub: &JByteArray<'_>,
    log_max_len: jint,
) -> Result<AclOptions> {
    Ok(AclOptions {
        pubsub_default: pubsub_default(&wire::bytes(env, pubsub)?)?,
        log_max_len: unsigned("logMaxLen", log_max_len)?,
    })
}

/// [`acl_options`], or core's defaults when Java passed no options (`pubsub` null).
pub fn acl_options_or_default(
    env: &Env<'_>,
    pubsub: &JByteArray<'_>,
    log_max_len: jint,
) -> Result<AclOptions> {
    if pubsub.is_null() {
        Ok(AclOptions::default())
    } else {
        acl_options(env, pubsub, log_max_len)
    }
}

/// `AclOptions` as Java reads them back: the `acl-pubsub-default` value, then `acllog-max-len`.
pub fn pack_options(options: &AclOptions) -> Packer {
    let mut p = Packer::new();
    p.push(options.pubsub_default.as_str())
        .push_num(to_jint(options.log_max_len));
    p
}
