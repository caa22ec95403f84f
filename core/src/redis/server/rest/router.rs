//! Which handler a request goes to, and what role it needs. Every request is authenticated
//! first, so an unknown path tells an anonymous caller nothing.

use serde_json::Value;

use super::auth::{authenticate, Caller};
use super::error::ApiError;
use super::state::RestApi;
use super::{cluster, redis_acls, roles, users};

/// A request, read off the connection.
pub(crate) struct Request {
    pub method: hyper::Method,
    pub path: String,
    pub query: String,
    pub authorization: Option<Vec<u8>>,
    /// The client certificate (DER) the handshake verified, if any.
    pub peer: Option<Vec<u8>>,
    pub body: Vec<u8>,
}

/// A successful reply: 200 with a JSON body, or 200 with none.
#[derive(Debug)]
pub(crate) enum Reply {
    Json(Value),
    Empty,
}

/// Authenticates and runs a request (on a blocking thread).
pub(crate) fn route(api: &RestApi, req: &Request) -> Result<Reply, ApiError> {
    let caller = authenticate(api, req.peer.as_deref(), req.authorization.as_deref())?;
    let path = req.path.trim_end_matches('/');
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    let uid = |s: &str| s.parse::<u64>().ok();
    use hyper::Method as M;
    let m = &req.method;
    let json = |v: Value| Ok(Reply::Json(v));
    let empty = |r: Result<(), ApiError>| r.map(|()| Reply::Empty);
    match parts.as_slice() {
        ["v1", "users"] => match *m {
            M::GET => admin(&caller).and_then(|()| json(users::list(api))),
            M::POST => admin(&caller).and_then(|()| users::create(api, &req.body).map(Reply::Json)),
            _ => Err(not_allowed()),
        },
        ["v1", "users", id] if uid(id).is_some() => {
            let id = uid(id).unwrap_or_default();
            match *m {
                M::GET => users::get(api, &caller, id).map(Reply::Json),
                M::PUT => users::update(api, &caller, id, &req.body).map(Reply::Json),
                M::DELETE => admin(&caller).and_then(|()| empty(users::delete(api, id))),
                _ => Err(not_allowed()),
            }
        }
        ["v1", "roles"] => match *m {
            M::GET => caller.require_viewer().and_then(|()| json(roles::list(api))),
            M::POST => admin(&caller).and_then(|()| roles::create(api, &req.body).map(Reply::Json)),
            _ => Err(not_allowed()),
        },
        ["v1", "roles", id] if uid(id).is_some() => {
            let id = uid(id).unwrap_or_default();
            match *m {
                M::GET => caller.require_viewer().and_then(|()| roles::get(api, id).map(Reply::Json)),
                M::PUT => admin(&caller).and_then(|()| roles::update(api, id, &req.body).map(Reply::Json)),
                M::DELETE => admin(&caller).and_then(|()| empty(roles::delete(api, id))),
                _ => Err(not_allowed()),
            }
        }
        ["v1", "redis_acls"] => match *m {
            M::GET => caller.require_viewer().and_then(|()| json(redis_acls::list(api))),
            M::POST => admin(&caller).and_then(|()| redis_acls::create(api, &req.body).map(Reply::Json)),
            _ => Err(not_allowed()),
        },
        ["v1", "redis_acls", id] if uid(id).is_some() => {
            let id = uid(id).unwrap_or_default();
            match *m {
                M::GET => caller.require_viewer().and_then(|()| redis_acls::get(api, id).map(Reply::Json)),
                M::PUT => admin(&caller).and_then(|()| redis_acls::update(api, id, &req.body).map(Reply::Json)),
                M::DELETE => admin(&caller).and_then(|()| empty(redis_acls::delete(api, id))),
                _ => Err(not_allowed()),
            }
        }
        ["v1", "bdbs"] => match *m {
            M::GET => caller.require_viewer().and_then(|()| json(roles::list_bdbs(api))),
            _ => Err(not_allowed()),
        },
        ["v1", "bdbs", id] if uid(id).is_some() => {
            let id = uid(id).unwrap_or_default();
            match *m {
                M::GET => caller.require_viewer().and_then(|()| roles::get_bdb(api, id).map(Reply::Json)),
                M::PUT => admin(&caller).and_then(|()| roles::update_bdb(api, id, &req.body).map(Reply::Json)),
                _ => Err(not_allowed()),
            }
        }
        ["v1", "cluster"] => match *m {
            M::GET => caller.require_viewer().and_then(|()| json(cluster::get(api))),
            M::PUT => admin(&caller).and_then(|()| cluster::put(api, &req.body, dry_run(&req.query)).map(Reply::Json)),
            _ => Err(not_allowed()),
        },
        ["v1", "cluster", "certificates"] => match *m {
            M::GET => caller.require_viewer().and_then(|()| json(cluster::get_certificates(api))),
            M::PUT => admin(&caller).and_then(|()| empty(cluster::put_certificates(api, &req.body))),
            _ => Err(not_allowed()),
        },
        ["v1", "cluster", "certificates", name] => match *m {
            M::DELETE => admin(&caller).and_then(|()| empty(cluster::delete_certificate(api, name))),
            _ => Err(not_allowed()),
        },
        ["v1", "cluster", "update_cert"] => match *m {
            M::PUT => admin(&caller).and_then(|()| empty(cluster::put_update_cert(api, &req.body))),
            _ => Err(not_allowed()),
        },
        _ => Err(ApiError::new(404, "not_found", format!("No such endpoint: {} {}", req.method, req.path))),
    }
}

fn admin(caller: &Caller) -> Result<(), ApiError> {
    caller.require_admin()
}

fn not_allowed() -> ApiError {
    ApiError::new(405, "method_not_allowed", "The endpoint does not take this method")
}

/// `?dry_run` (any value) on `PUT /v1/cluster`.
fn dry_run(query: &str) -> bool {
    query.split('&').any(|p| p == "dry_run" || p.starts_with("dry_run="))
}
