//! Against a real etcd (Debian's etcd-server, started on free loopback ports per test).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An etcd on loopback with its own data directory, stopped on drop.
struct Etcd {
    child: Option<Child>,
    dir: PathBuf,
    client_port: u16,
    peer_port: u16,
}

impl Etcd {
    fn start() -> Etcd {
        let dir = std::env::temp_dir().join(format!("authgate-acl-store-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut e = Etcd { child: None, dir, client_port: free_port(), peer_port: free_port() };
        e.run();
        e
    }

    fn run(&mut self) {
        let client = format!("http://127.0.0.1:{}", self.client_port);
        let peer = format!("http://127.0.0.1:{}", self.peer_port);
        let child = Command::new("etcd")
            .args(["--data-dir", &self.dir.join("data").to_string_lossy()])
            .args(["--listen-client-urls", &client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", &format!("default={peer}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("etcd (Debian's etcd-server) must be installed");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.client_port)).is_err() {
            assert!(Instant::now() < deadline, "etcd did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn url(&self, prefix: &str) -> String {
        format!("etcd://127.0.0.1:{}/{prefix}", self.client_port)
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn attach(url: &str, cache: Option<PathBuf>) -> Result<(Arc<Acl>, AclStore), StoreError> {
    let acl = Arc::new(Acl::new());
    let mut options = AclStoreOptions::new(url);
    options.cache_file = cache;
    options.timeout = Duration::from_secs(2);
    let store = AclStore::attach(acl.clone(), options)?;
    Ok((acl, store))
}

/// Waits until `cond` holds, failing after 10 s.
fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn two_engines_share_users_and_concurrent_writers_compose() {
    let etcd = Etcd::start();
    let (a, sa) = attach(&etcd.url("fleet"), None).unwrap();
    let (b, sb) = attach(&etcd.url("fleet"), None).unwrap();
    sa.setuser(b"alice", &[&b"on"[..], b">pw", b"+get", b"~a:*"]).unwrap();
    // The writer reads its own write; the other engine sees it through the watch.
    assert!(a.authenticate(b"alice", b"pw"));
    eventually("alice on b", || b.authenticate(b"alice", b"pw"));
    // Redis' own errors, and nothing written.
    let e = sb.setuser(b"alice", &[&b"+nosuch"[..]]).unwrap_err();
    assert_eq!(e.to_bytes(), a.setuser(b"x", &[&b"+nosuch"[..]]).unwrap_err().to_bytes());
    assert_eq!(sb.deluser(&[&b"default"[..]]).unwrap_err(), StoreError::Acl(AclError::DeleteDefault));
    // Concurrent SETUSERs of one user on two engines: every pattern survives.
    std::thread::scope(|s| {
        for (store, tag) in [(&sa, "a"), (&sb, "b")] {
            s.spawn(move || {
                for i in 0..15 {
                    store.setuser(b"alice", &[format!("~{tag}{i}")]).unwrap();
                }
            });
        }
    });
    eventually("both engines agree", || a.list() == b.list());
    let line = String::from_utf8(a.getuser(b"alice").unwrap().root.keys).unwrap();
    for tag in ["a", "b"] {
        for i in 0..15 {
            assert!(line.split(' ').any(|k| k == format!("~{tag}{i}")), "lost ~{tag}{i} in {line}");
        }
    }
    assert_eq!(sb.deluser(&[&b"alice"[..], b"nobody"]).unwrap(), 1);
    assert!(b.user(b"alice").is_none());
    eventually("alice gone on a", || a.user(b"alice").is_none());
    assert_eq!(sa.deluser(&[&b"alice"[..]]).unwrap(), 0);
    assert!(sa.status().connected && !sa.status().stale);
}

#[test]
fn load_replaces_everything_at_once_and_drops_non_default_users() {
    let etcd = Etcd::start();
    let (a, sa) = attach(&etcd.url("load"), None).unwrap();
    let (b, _sb) = attach(&etcd.url("load"), None).unwrap();
    sa.setuser(b"old", &[&b"on"[..], b"nopass"]).unwrap();
    eventually("old on b", || b.user(b"old").is_some());
    let old_ref = b.user(b"old").unwrap();
    let keep = b.user(b"default").unwrap();
    sa.load_text(b"user default on nopass ~* &* +@all\nuser new on >x +ping\n", "f.acl").unwrap();
    eventually("b loaded", || b.user(b"new").is_some() && b.user(b"old").is_none());
    assert!(old_ref.is_removed() && !keep.is_removed());
    assert_eq!(a.list(), b.list());
    // An invalid file: Redis' error, nothing changed.
    let e = sa.load_text(b"user bad +nosuch\n", "f.acl").unwrap_err();
    assert!(matches!(e, StoreError::Acl(AclError::Load(_))), "{e:?}");
    assert!(a.user(b"new").is_some());
}

#[test]
fn an_empty_store_is_seeded_with_the_first_nodes_users() {
    let etcd = Etcd::start();
    let acl = Arc::new(Acl::new());
    acl.setuser(b"boot", &[&b"on"[..], b">pw"]).unwrap();
    let _s = AclStore::attach(acl.clone(), AclStoreOptions::new(etcd.url("seed"))).unwrap();
    let (b, _sb) = attach(&etcd.url("seed"), None).unwrap();
    assert!(b.authenticate(b"boot", b"pw"));
    // A second node's own users do not overwrite a store that has users.
    let c = Arc::new(Acl::new());
    c.setuser(b"local", &[&b"on"[..]]).unwrap();
    let _sc = AclStore::attach(c.clone(), AclStoreOptions::new(etcd.url("seed"))).unwrap();
    assert!(c.user(b"local").is_none() && c.user(b"boot").is_some());
}

#[test]
fn etcd_lost_then_back_and_stale_start_from_the_cache() {
    let mut etcd = Etcd::start();
    let cache = etcd.dir.join("node.cache");
    let (a, sa) = attach(&etcd.url("faults"), Some(cache.clone())).unwrap();
    sa.setuser(b"u1", &[&b"on"[..], b">pw"]).unwrap();
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&cache).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    etcd.stop();
    // Writes fail, nothing is applied locally; checks go on.
    let e = sa.setuser(b"u2", &[&b"on"[..]]).unwrap_err();
    assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    assert!(e.to_bytes().starts_with(b"ERR ACL store unavailable"));
    assert!(a.user(b"u2").is_none() && a.authenticate(b"u1", b"pw"));
    eventually("a marked stale", || sa.status().stale && !sa.status().connected);
    // A node starting now serves the cache, stale; without a cache it refuses.
    let (c, sc) = attach(&etcd.url("faults"), Some(cache.clone())).unwrap();
    assert!(c.authenticate(b"u1", b"pw") && sc.status().stale);
    assert!(matches!(attach(&etcd.url("faults"), None), Err(StoreError::NoState(_))));
    etcd.run();
    eventually("a reconnected", || sa.status().connected && !sa.status().stale);
    eventually("c reconnected", || sc.status().connected && !sc.status().stale);
    sc.setuser(b"u2", &[&b"on"[..]]).unwrap();
    eventually("a caught up", || a.user(b"u2").is_some());
    assert_eq!(a.list(), c.list());
}

#[test]
fn a_load_larger_than_one_etcd_transaction_switches_generations_at_once() {
    let etcd = Etcd::start();
    let (a, sa) = attach(&etcd.url("big"), None).unwrap();
    let (b, sb) = attach(&etcd.url("big"), None).unwrap();
    sa.setuser(b"old", &[&b"on"[..], b"nopass"]).unwrap();
    eventually("old on b", || b.user(b"old").is_some());
    // 1,000 users: far past etcd's 128 operations per transaction.
    let mut text = b"user default on nopass ~* &* +@all\n".to_vec();
    for i in 0..1000 {
        text.extend_from_slice(format!("user u{i:04} on >pw{i} ~k{i}:* +get\n").as_bytes());
    }
    // b applies it as one ACL LOAD: every event it emits (the old user's removal, default's
    // replacement) is seen with all 1,000 new users in place, never with part of them.
    let counts = Arc::new(Counts { acl: Arc::downgrade(&b), seen: parking_lot::Mutex::new(Vec::new()) });
    b.subscribe(counts.clone());
    sa.load_text(&text, "big.acl").unwrap();
    assert_eq!(a.users().len(), 1001);
    eventually("b loaded", || b.users().len() == 1001);
    // The load's events reach listeners after its users are in place (on b's watch thread):
    // wait for them rather than read the list the instant the users show.
    eventually("b's load events", || !counts.seen.lock().is_empty());
    let seen = counts.seen.lock().clone();
    assert!(!seen.is_empty() && seen.iter().all(|&n| n == 1001), "{seen:?}");
    assert!(b.authenticate(b"u0999", b"pw999") && b.user(b"old").is_none());
    // Writes after the load go into the new generation, and a second load replaces it.
    sb.setuser(b"u0001", &[&b"+set"[..]]).unwrap();
    eventually("u0001 on a", || a.list().iter().any(|l| l.starts_with(b"user u0001 ") && l.ends_with(b"+get +set")));
    sb.load_text(b"user default on nopass ~* &* +@all\nuser last on nopass\n", "small.acl").unwrap();
    eventually("a reloaded", || a.users() == vec![b"default".to_vec(), b"last".to_vec()]);
    assert_eq!(a.list(), b.list());
    // Only the current generation is left in etcd: a third node reads exactly that.
    let (c, _sc) = attach(&etcd.url("big"), None).unwrap();
    assert_eq!(c.list(), a.list());
}

/// Records how many users an engine has each time it emits an event.
struct Counts {
    acl: std::sync::Weak<Acl>,
    seen: parking_lot::Mutex<Vec<usize>>,
}

impl crate::acl::AclListener for Counts {
    fn on_event(&self, _event: &crate::acl::AclEvent) {
        if let Some(acl) = self.acl.upgrade() {
            self.seen.lock().push(acl.users().len());
        }
    }
}
