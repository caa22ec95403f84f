//! [`ServerController`]: one server that can be started, stopped and started again, the shape
//! every language binding exposes (`Server` in Python, Node and Java, `ag_server_*` in C).

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Config, Server, ServerError, ServerHandle, ServerOptions};
use crate::redis::acl::Acl;
use crate::tls::CertificateUser;
use crate::Error;

/// A restartable server sharing an [`Acl`] with the program. The settings are fixed at
/// construction (a config file is read then); [`start`](Self::start) binds and serves on the
/// server's own threads, [`stop`](Self::stop) closes the listeners and every connection.
/// All methods take `&self` and may be called from any thread.
pub struct ServerController {
    acl: Arc<Acl>,
    /// The store `acl` is attached to, when it came from an engine attached to one.
    #[cfg(feature = "etcd")]
    store: Option<Arc<crate::acl_store::AclStore>>,
    config: Config,
    /// Registered at every start ([`ServerOptions::certificate_users`]).
    certificate_users: Vec<CertificateUser>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    handle: Option<ServerHandle>,
    /// The port of the latest start, kept after a stop.
    last_port: Option<u16>,
    /// The TLS port of the latest start (`None`: no TLS listener), kept after a stop.
    last_tls_port: Option<u16>,
}

impl std::fmt::Debug for ServerController {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerController")
            .field("host", &self.host())
            .field("port", &self.port())
            .field("running", &self.running())
            .finish()
    }
}

impl ServerController {
    /// A stopped server with these options (see [`ServerOptions`] for the defaults).
    pub fn new(acl: Arc<Acl>, options: &ServerOptions) -> Result<ServerController, Error> {
        let mut controller = ServerController::with_config(acl, options.to_config()?);
        controller.certificate_users = options.certificate_users.clone();
        Ok(controller)
    }

    /// A stopped server enforcing an embedded engine's users: with an engine attached to an
    /// ACL store, the server's ACL writes go through that store (see
    /// [`ServerBuilder::acl_store`](super::ServerBuilder::acl_store)), as every binding's
    /// `Server(acl)` needs.
    #[cfg(feature = "etcd")]
    pub fn for_engine(engine: &crate::acl_store::EmbeddedAcl, options: &ServerOptions) -> Result<ServerController, Error> {
        let mut controller = ServerController::new(engine.acl().clone(), options)?;
        controller.store = engine.store().cloned();
        Ok(controller)
    }

    /// A stopped server with these exact settings.
    pub fn with_config(acl: Arc<Acl>, config: Config) -> ServerController {
        ServerController {
            acl,
            #[cfg(feature = "etcd")]
            store: None,
            config,
            certificate_users: Vec::new(),
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is two Options that every path leaves consistent, so a panic elsewhere
        // while the lock was held does not make it unusable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies the startup ACL settings to the shared `Acl` (options, `requirepass`, `user`
    /// directives or the aclfile, as Redis does at startup), binds, and serves; returns the
    /// bound port. Fails with `INVALID_ARGUMENT` if it is running, `CONFIG` for a bad aclfile
    /// or setting, `IO` if an address cannot be bound.
    pub fn start(&self) -> Result<u16, Error> {
        let mut state = self.state();
        if state.handle.is_some() {
            return Err(ServerError::AlreadyRunning.into());
        }
        let builder = Server::builder(self.acl.clone()).config(self.config.clone());
        #[cfg(feature = "etcd")]
        let builder = builder.acl_store(self.store.clone());
        let server = builder.build()?;
        // After the aclfile and `user` directives, so a certificate user's `resetpass`
        // is not undone by them.
        let users = server.certificate_users();
        for u in &self.certificate_users {
            users.set(&u.name, &u.certificate_subject_line)?;
        }
        let handle = server.start()?;
        let port = handle.port();
        state.last_tls_port = handle.tls_port();
        state.handle = Some(handle);
        state.last_port = Some(port);
        Ok(port)
    }

    /// Stops the server and waits for its threads; returns false if it was not running.
    pub fn stop(&self) -> bool {
        // Taken out under the lock, stopped outside it, so `running()` and `port()` from
        // other threads are not blocked while connections close.
        let handle = self.state().handle.take();
        match handle {
            Some(h) => {
                h.stop();
                true
            }
            None => false,
        }
    }

    /// Stops the server if it runs, then starts it again (with the same settings, so port 0
    /// picks a new free port); returns the bound port.
    pub fn restart(&self) -> Result<u16, Error> {
        self.stop();
        self.start()
    }

    /// True while the server runs.
    pub fn running(&self) -> bool {
        self.state().handle.is_some()
    }

    /// The bound port while running, the last bound port after a stop, `None` before the
    /// first start.
    pub fn port(&self) -> Option<u16> {
        self.state().last_port
    }

    /// The TLS port while running (`None` without a TLS listener), the last one after a
    /// stop, `None` before the first start.
    pub fn tls_port(&self) -> Option<u16> {
        self.state().last_tls_port
    }

    /// The configured address(es), space-separated as in redis.conf's `bind`.
    pub fn host(&self) -> String {
        self.config.bind.join(" ")
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The engine the server enforces.
    pub fn acl(&self) -> &Arc<Acl> {
        &self.acl
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn ping(port: u16) -> Vec<u8> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"PING\r\n").unwrap();
        let mut buf = [0u8; 7];
        s.read_exact(&mut buf).unwrap();
        buf.to_vec()
    }

    #[test]
    fn start_stop_restart() {
        let server = ServerController::new(Arc::new(Acl::new()), &ServerOptions::default()).unwrap();
        assert_eq!((server.running(), server.port(), server.host()), (false, None, "127.0.0.1".to_string()));
        let port = server.start().unwrap();
        assert!(server.running());
        assert_eq!(server.port(), Some(port));
        assert_eq!(ping(port), b"+PONG\r\n");
        let again = server.start().unwrap_err();
        assert_eq!((again.code(), again.message()), ("INVALID_ARGUMENT", "the server is already running".into()));
        assert!(server.stop());
        assert!(!server.stop());
        assert!(!server.running());
        assert_eq!(server.port(), Some(port));
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
        let port2 = server.restart().unwrap();
        assert_eq!(ping(port2), b"+PONG\r\n");
        let port3 = server.restart().unwrap();
        assert_eq!(ping(port3), b"+PONG\r\n");
        server.stop();
    }

    /// `ACL WHOAMI` over TLS with the fixture's client certificate (CN=alice).
    fn whoami_over_tls(port: u16) -> Vec<u8> {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
        let certs = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/certs/");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_file(format!("{certs}ca.pem")).unwrap()).unwrap();
        let chain = vec![CertificateDer::from_pem_file(format!("{certs}multi_ou.pem")).unwrap()];
        let key = PrivateKeyDer::from_pem_file(format!("{certs}multi_ou.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)
            .unwrap();
        let conn = rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("localhost").unwrap()).unwrap();
        let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        tls.write_all(b"ACL WHOAMI\r\n").unwrap();
        let mut buf = [0u8; 11];
        tls.read_exact(&mut buf).unwrap();
        buf.to_vec()
    }

    fn tls_options() -> ServerOptions {
        let certs = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/certs/");
        let mut o = ServerOptions::default();
        o.tls.set("tls_cert_file", format!("{certs}server.pem").as_bytes()).unwrap();
        o.tls.set("tls_key_file", format!("{certs}server.key").as_bytes()).unwrap();
        o.tls.set("tls_ca_cert_file", format!("{certs}ca.pem").as_bytes()).unwrap();
        o
    }

    #[test]
    fn tls_options_and_certificate_users_log_a_certificate_in() {
        let acl = Arc::new(Acl::new());
        let mut opts = tls_options();
        let subject = "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US";
        opts.certificate_users =
            vec![crate::tls::CertificateUser { name: "carol".into(), certificate_subject_line: subject.into() }];
        let server = ServerController::new(acl.clone(), &opts).unwrap();
        assert_eq!(server.tls_port(), None);
        server.start().unwrap();
        let port = server.tls_port().expect("a certificate opens a TLS listener on a free port");
        // The certificate user is certificate-only (resetpass) and created off.
        acl.setuser(b"carol", &[&b"on"[..], b"+@all"]).unwrap();
        assert_eq!(whoami_over_tls(port), b"$5\r\ncarol\r\n");
        server.stop();
        assert_eq!(server.tls_port(), Some(port));

        // tls-auth-clients-user CN maps the same certificate to its CN, alice.
        let mut opts = tls_options();
        opts.tls.set("tls_auth_clients_user", b"CN").unwrap();
        acl.setuser(b"alice", &[&b"on"[..], b"nopass", b"+@all"]).unwrap();
        let server = ServerController::new(acl, &opts).unwrap();
        server.start().unwrap();
        assert_eq!(whoami_over_tls(server.tls_port().unwrap()), b"$5\r\nalice\r\n");
        server.stop();
    }

    #[test]
    fn bad_certificate_users_are_refused_at_construction() {
        let mut opts = tls_options();
        opts.certificate_users =
            vec![crate::tls::CertificateUser { name: "x".into(), certificate_subject_line: "CN=a, O=b".into() }];
        let e = ServerController::new(Arc::new(Acl::new()), &opts).unwrap_err();
        assert_eq!(e.code(), "CERTIFICATE");
    }

    #[test]
    fn a_busy_port_is_an_io_error_and_leaves_it_stopped() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let opts = ServerOptions { port: Some(port), ..Default::default() };
        let server = ServerController::new(Arc::new(Acl::new()), &opts).unwrap();
        let e = server.start().unwrap_err();
        assert_eq!(e.code(), "IO");
        assert!(e.os_error().is_some());
        assert!(!server.running());
    }
}
