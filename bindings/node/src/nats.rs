//! `NatsAuth` / `NatsIdentity`: a nats-server 2.9.10 config's client logins and the logged-in
//! client's publish/subscribe permissions. Refusals and bad configs are core's `AUTH` and
//! `CONFIG` errors, mapped by `error.rs` like every other error.

use std::sync::Arc;

use authgate::nats::{Connect, ConnectionType, Identity, NatsAuth as CoreAuth, Permissions, SubjectList};
use napi::bindgen_prelude::{AsyncTask, Either, Null, Unknown};
use napi::{Env, Result};
use napi_derive::napi;

use crate::args::{options_object, Bytes};
use crate::error::{guard, invalid_argument, OrThrow};
use crate::records::lossy;
use crate::tasks::{blocking, Blocking};

/// What a client sends in its CONNECT (every field optional: left out is not sent). With
/// `url`, the credentials of a `nats://user:pass@host` or `nats://token@host` URL are taken
/// first, and the other fields given replace them.
#[napi(object, object_to_js = false)]
pub struct NatsCredentials {
    /// `user`.
    #[napi(ts_type = "string | Buffer")]
    pub user: Option<Bytes>,
    /// `pass`.
    #[napi(ts_type = "string | Buffer")]
    pub password: Option<Bytes>,
    /// `auth_token`.
    #[napi(ts_type = "string | Buffer")]
    pub token: Option<Bytes>,
    /// `nkey`: the public user nkey.
    #[napi(ts_type = "string | Buffer")]
    pub nkey: Option<Bytes>,
    /// `sig`: the nonce's signature (base64url or base64).
    #[napi(ts_type = "string | Buffer")]
    pub sig: Option<Bytes>,
    /// The nonce the server sent in INFO.
    #[napi(ts_type = "string | Buffer")]
    pub nonce: Option<Bytes>,
    /// How the client connects: `STANDARD` (the default), `WEBSOCKET`, `LEAFNODE`,
    /// `LEAFNODE_WS`, `MQTT`, `MQTT_WS` (case does not matter).
    #[napi(ts_type = "string | Buffer")]
    pub connection_type: Option<Bytes>,
    /// A client URL carrying credentials.
    #[napi(ts_type = "string | Buffer")]
    pub url: Option<Bytes>,
    /// The client's TLS certificate (PEM or DER), already verified by the listener, which
    /// `tls { verify_and_map: true }` maps to a user as nats-server does; malformed bytes
    /// throw `CERTIFICATE`.
    #[napi(ts_type = "string | Buffer")]
    pub certificate: Option<Bytes>,
}

/// `b` as UTF-8 text (core's config names and URLs are text), else `INVALID_ARGUMENT`.
fn utf8<'a>(env: &Env, name: &str, b: &'a Bytes) -> Result<&'a str> {
    std::str::from_utf8(b.as_slice())
        .map_err(|_| invalid_argument(env.raw(), format!("{name} must be valid UTF-8")))
}

/// Core's CONNECT for the JS credentials.
fn connect(env: &Env, credentials: Option<&Unknown>) -> Result<Connect> {
    let Some(c) = options_object::<NatsCredentials>(env.raw(), credentials, "credentials", true)?
    else {
        return Ok(Connect::default());
    };
    let mut out = match &c.url {
        Some(u) => Connect::from_url(utf8(env, "url", u)?),
        None => Connect::default(),
    };
    for (given, field) in [
        (c.user, &mut out.user),
        (c.password, &mut out.password),
        (c.token, &mut out.token),
        (c.nkey, &mut out.nkey),
        (c.sig, &mut out.sig),
        (c.nonce, &mut out.nonce),
    ] {
        if let Some(v) = given {
            *field = v.0;
        }
    }
    if let Some(cert) = &c.certificate {
        let cert = authgate::tls::ClientCert::parse(cert.as_slice()).or_throw(env)?;
        out.certificate = Some(Arc::new(cert));
    }
    if let Some(t) = &c.connection_type {
        let name = utf8(env, "connectionType", t)?;
        out.connection_type = ConnectionType::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = ConnectionType::ALL.iter().map(|t| t.as_str()).collect();
            invalid_argument(
                env.raw(),
                format!(
                    "connectionType must be one of {}, got {name:?}",
                    known.join(", ")
                ),
            )
        })?;
    }
    Ok(out)
}

/// A nats-server config's client authentication: decides logins as nats-server 2.9.10 does
/// (nkey users, users with passwords or bcrypt hashes, `no_auth_user`, tokens, accounts).
/// Operator (JWT) mode is refused with `CONFIG`.
#[napi]
pub struct NatsAuth {
    inner: Arc<CoreAuth>,
}

impl NatsAuth {
    fn wrap(a: CoreAuth) -> NatsAuth {
        NatsAuth { inner: Arc::new(a) }
    }
}

/// Core's login (the identity carries the config's `max_sub_tokens`).
fn login(auth: &CoreAuth, c: &Connect) -> std::result::Result<Identity, authgate::Error> {
    Ok(auth.authenticate(c)?)
}

#[napi]
impl NatsAuth {
    /// Reads a config file as `nats-server -c PATH` does; throws `CONFIG` with nats-server's
    /// text (one `file:line:col: message` line per error) for a config it refuses.
    #[napi(factory, catch_unwind)]
    pub fn from_file(
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] path: Bytes,
    ) -> Result<Self> {
        guard(&env, || {
            CoreAuth::from_file(utf8(&env, "path", &path)?)
                .map(NatsAuth::wrap)
                .or_throw(&env)
        })
    }

    /// Parses config text. `filename` is the name error positions carry (none: no name),
    /// `baseDir` the directory includes are relative to (that of `filename` when none).
    #[napi(factory, catch_unwind)]
    pub fn parse(
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] text: Bytes,
        #[napi(ts_arg_type = "string | Buffer | null")] filename: Option<Bytes>,
        #[napi(ts_arg_type = "string | Buffer | null")] base_dir: Option<Bytes>,
    ) -> Result<Self> {
        guard(&env, || {
            let filename = filename
                .as_ref()
                .map(|f| utf8(&env, "filename", f))
                .transpose()?;
            let base_dir = base_dir
                .as_ref()
                .map(|d| utf8(&env, "baseDir", d))
                .transpose()?;
            CoreAuth::parse(text.as_slice(), filename, base_dir)
                .map(NatsAuth::wrap)
                .or_throw(&env)
        })
    }

    /// nats-server's single-user command-line mode (`nats-server --user U --pass P`): one user
    /// in the global account, no permissions.
    #[napi(factory, catch_unwind)]
    pub fn single_user(
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] user: Bytes,
        #[napi(ts_arg_type = "string | Buffer")] password: Bytes,
    ) -> Result<Self> {
        guard(&env, || Ok(NatsAuth::wrap(CoreAuth::single_user(user.as_slice(), password.as_slice()))))
    }

    /// nats-server's token command-line mode (`nats-server --auth TOKEN`).
    #[napi(factory, catch_unwind)]
    pub fn token(env: Env, #[napi(ts_arg_type = "string | Buffer")] token: Bytes) -> Result<Self> {
        guard(&env, || Ok(NatsAuth::wrap(CoreAuth::token(token.as_slice()))))
    }

    /// The auth timeout in seconds (`authorization.timeout`, else nats-server's default).
    #[napi(getter, catch_unwind)]
    pub fn auth_timeout(&self, env: Env) -> Result<f64> {
        guard(&env, || Ok(self.inner.auth_timeout()))
    }

    /// Decides a CONNECT: the client's identity, or `AUTH` (`Authorization Violation`, the
    /// only answer nats-server gives). A bcrypt user blocks for the hash's cost: see
    /// `authenticateAsync`.
    #[napi(catch_unwind)]
    pub fn authenticate(
        &self,
        env: Env,
        #[napi(ts_arg_type = "NatsCredentials | null")] credentials: Option<Unknown>,
    ) -> Result<NatsIdentity> {
        guard(&env, || {
            let c = connect(&env, credentials.as_ref())?;
            login(&self.inner, &c)
                .map(NatsIdentity::wrap)
                .or_throw(&env)
        })
    }

    /// `authenticate` on libuv's thread pool, for bcrypt users.
    #[napi(catch_unwind, ts_return_type = "Promise<NatsIdentity>")]
    pub fn authenticate_async(
        &self,
        env: Env,
        #[napi(ts_arg_type = "NatsCredentials | null")] credentials: Option<Unknown>,
    ) -> Result<AsyncTask<Blocking<Identity, NatsIdentity>>> {
        guard(&env, || {
            let c = connect(&env, credentials.as_ref())?;
            let auth = Arc::clone(&self.inner);
            Ok(blocking(move || login(&auth, &c), NatsIdentity::wrap))
        })
    }
}

/// One direction's subject lists (`null`: that list does not restrict; an empty publish
/// `allow`, made by `allow_responses`, allows only responses). Subscribe entries may be
/// `"subject queue"`.
#[napi(object, object_from_js = false)]
pub struct NatsSubjects {
    /// Allowed subjects.
    pub allow: Either<Vec<String>, Null>,
    /// Denied subjects.
    pub deny: Either<Vec<String>, Null>,
}

/// `allow_responses`: `max` responses per request within `expires` seconds (negative:
/// unlimited, never expiring).
#[napi(object, object_from_js = false)]
pub struct NatsResponses {
    /// Responses per request.
    pub max: i64,
    /// Seconds the permission lasts.
    pub expires: f64,
}

/// A user's publish and subscribe permissions as configured (`NatsIdentity.permissions`).
#[napi(object, object_from_js = false)]
pub struct NatsPermissions {
    /// Publish lists.
    pub publish: NatsSubjects,
    /// Subscribe lists.
    pub subscribe: NatsSubjects,
    /// The reply permission, `null` without `allow_responses`.
    pub allow_responses: Either<NatsResponses, Null>,
}

/// Core's permissions as [`NatsPermissions`].
fn permissions_object(p: &Permissions) -> NatsPermissions {
    let list = |which: SubjectList| match p.list(which) {
        Some(entries) => Either::A(entries.iter().map(|e| lossy(e)).collect()),
        None => Either::B(Null),
    };
    NatsPermissions {
        publish: NatsSubjects { allow: list(SubjectList::PublishAllow), deny: list(SubjectList::PublishDeny) },
        subscribe: NatsSubjects { allow: list(SubjectList::SubscribeAllow), deny: list(SubjectList::SubscribeDeny) },
        allow_responses: match p.response {
            Some(rp) => Either::A(NatsResponses { max: rp.max(), expires: rp.expires_seconds() }),
            None => Either::B(Null),
        },
    }
}

/// A logged-in NATS client: its user and account, and what it may publish, subscribe to and
/// receive (NATS subject matching, deny over allow).
#[napi]
pub struct NatsIdentity {
    inner: Identity,
}

impl NatsIdentity {
    fn wrap(inner: Identity) -> NatsIdentity {
        NatsIdentity { inner }
    }
}

#[napi]
impl NatsIdentity {
    /// The user name: the nkey for an nkey user, empty for a token login or an open server.
    #[napi(getter, catch_unwind)]
    pub fn user(&self, env: Env) -> Result<String> {
        guard(&env, || Ok(lossy(self.inner.user())))
    }

    /// The account (`$G` when none is configured).
    #[napi(getter, catch_unwind)]
    pub fn account(&self, env: Env) -> Result<String> {
        guard(&env, || Ok(lossy(self.inner.account())))
    }

    /// Whether a publish to `subject` is allowed.
    #[napi(catch_unwind)]
    pub fn can_publish(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] subject: Bytes,
    ) -> Result<bool> {
        guard(&env, || Ok(self.inner.can_publish(subject.as_slice())))
    }

    /// Whether a subscription to `subject` (in queue group `queue`) is accepted; an invalid
    /// subject is refused as nats-server refuses it.
    #[napi(catch_unwind)]
    pub fn can_subscribe(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] subject: Bytes,
        #[napi(ts_arg_type = "string | Buffer | null")] queue: Option<Bytes>,
    ) -> Result<bool> {
        guard(&env, || {
            Ok(self
                .inner
                .can_subscribe(subject.as_slice(), queue.as_ref().map(Bytes::as_slice)))
        })
    }

    /// Whether a message on `subject` is delivered to a (wildcard) subscription of this client.
    #[napi(catch_unwind)]
    pub fn can_receive(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] subject: Bytes,
    ) -> Result<bool> {
        guard(&env, || Ok(self.inner.can_receive(subject.as_slice())))
    }
    /// The permissions as configured, `null` when the user has none (everything within the
    /// account).
    #[napi(getter, catch_unwind, ts_return_type = "NatsPermissions | null")]
    pub fn permissions(&self, env: Env) -> Result<Either<NatsPermissions, Null>> {
        guard(&env, || {
            Ok(match self.inner.permissions() {
                Some(p) => Either::A(permissions_object(p)),
                None => Either::B(Null),
            })
        })
    }

    /// A request carrying the reply subject `reply` was delivered to this client: with
    /// `allow_responses`, `canPublish(reply)` is then allowed (within max and expires).
    /// Without `allow_responses` it changes nothing.
    #[napi(catch_unwind)]
    pub fn received_request(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Buffer")] reply: Bytes,
    ) -> Result<()> {
        guard(&env, || {
            self.inner.received_request(reply.as_slice());
            Ok(())
        })
    }
}
