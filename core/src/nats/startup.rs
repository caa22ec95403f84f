//! The start-up refusals of nats-server 2.9.10 that `nats-server -t` does not report
//! (`validateOptions`): `no_auth_user` naming no user, and the websocket and MQTT listener
//! requirements.

use super::options::Options;

/// validateNoAuthUser.
fn no_auth_user(o: &Options, name: &[u8]) -> Result<(), String> {
    if name.is_empty() {
        return Ok(());
    }
    let n = String::from_utf8_lossy(name);
    let Some(users) = &o.users else {
        return Err(format!("no_auth_user: \"{n}\" present, but users are not defined"));
    };
    if users.iter().any(|u| u.username == name) {
        return Ok(());
    }
    Err(format!("no_auth_user: \"{n}\" not present as user in authorization block or account configuration"))
}

/// The checks, in nats-server's order.
pub(crate) fn validate(o: &Options) -> Result<(), String> {
    no_auth_user(o, &o.no_auth_user)?;
    let has_users = o.users.as_ref().is_some_and(|u| !u.is_empty()) || o.nkeys.as_ref().is_some_and(|n| !n.is_empty());
    let ws = &o.websocket;
    if ws.configured && ws.port != 0 {
        if !ws.tls && !ws.no_tls {
            return Err("websocket requires TLS configuration".into());
        }
        no_auth_user(o, &ws.no_auth_user)?;
        if has_users {
            if !ws.username.is_empty() {
                return Err("websocket authentication username not compatible with presence of users/nkeys".into());
            }
            if !ws.token.is_empty() {
                return Err("websocket authentication token not compatible with presence of users/nkeys".into());
            }
        }
    }
    let mq = &o.mqtt;
    if mq.configured && mq.port != 0 {
        if o.server_name.is_empty() {
            return Err("mqtt requires server name to be explicitly set".into());
        }
        no_auth_user(o, &mq.no_auth_user)?;
        if has_users {
            if !mq.username.is_empty() {
                return Err("mqtt authentication username not compatible with presence of users/nkeys".into());
            }
            if !mq.token.is_empty() {
                return Err("mqtt authentication token not compatible with presence of users/nkeys".into());
            }
        }
    }
    Ok(())
}
