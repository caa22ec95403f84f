//! `AclOptions` / `AclSettings`: the engine settings Redis keeps in its config
//! (`acl-pubsub-default`, `acllog-max-len`), read from JS over core's defaults and parsed by
//! core (`PubsubDefault`, case-insensitive as Redis' config parser).

use authgate::acl::{AclOptions as CoreOptions, PubsubDefault};
use napi::bindgen_prelude::Unknown;
use napi::{Env, Result};
use napi_derive::napi;

use crate::args::{options_object, Bytes, Num};
use crate::error::invalid_argument;

/// Engine settings, as Redis keeps them in its config. A field left out keeps its value: core's
/// default in the constructor (Redis 7.0's: `resetchannels`, 128), the current value in
/// `setOptions`.
#[napi(object, object_to_js = false)]
pub struct AclOptions {
    /// `acl-pubsub-default`: the channels a new (or `reset`) user starts with. Case does not
    /// matter, as in redis.conf.
    #[napi(ts_type = "PubsubDefault | Buffer")]
    pub pubsub_default: Option<Bytes>,
    /// `acllog-max-len`: how many ACL LOG entries are kept.
    #[napi(ts_type = "number")]
    pub log_max_len: Option<Num>,
}

/// The current engine settings (`acl.options()`).
#[napi(object, object_from_js = false)]
pub struct AclSettings {
    /// `acl-pubsub-default`.
    #[napi(ts_type = "PubsubDefault")]
    pub pubsub_default: String,
    /// `acllog-max-len`.
    pub log_max_len: f64,
}

impl From<CoreOptions> for AclSettings {
    fn from(o: CoreOptions) -> AclSettings {
        AclSettings {
            pubsub_default: o.pubsub_default.as_str().to_string(),
            log_max_len: o.log_max_len as f64,
        }
    }
}

/// Core's `PubsubDefault` for a JS value; its error is core's (Redis') text.
pub(crate) fn pubsub_default(env: &Env, v: &Bytes) -> Result<PubsubDefault> {
    PubsubDefault::from_bytes(v.as_slice()).map_err(|e| invalid_argument(env.raw(), e.to_string()))
}

/// A JS `acllog-max-len`.
pub(crate) fn log_max_len(env: &Env, v: &Num) -> Result<usize> {
    Ok(v.whole(env.raw(), "logMaxLen", usize::MAX as u64)? as usize)
}

/// `base` with the fields of the (optional) options object `o` replaced.
pub(crate) fn merge(env: &Env, base: CoreOptions, o: Option<&Unknown>) -> Result<CoreOptions> {
    apply(env, base, options_object(env.raw(), o, "options", true)?)
}

/// Same, for an options object that must be given.
pub(crate) fn merge_required(env: &Env, base: CoreOptions, o: &Unknown) -> Result<CoreOptions> {
    apply(
        env,
        base,
        options_object(env.raw(), Some(o), "options", false)?,
    )
}

fn apply(env: &Env, base: CoreOptions, o: Option<AclOptions>) -> Result<CoreOptions> {
    let mut out = base;
    if let Some(o) = o {
        if let Some(p) = &o.pubsub_default {
            out.pubsub_default = pubsub_default(env, p)?;
        }
        if let Some(n) = &o.log_max_len {
            out.log_max_len = log_max_len(env, n)?;
        }
    }
    Ok(out)
}
