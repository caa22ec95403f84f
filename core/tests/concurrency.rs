//! Concurrency: one engine shared by threads, and by a server's connections, while a writer
//! flips one user between two whole rule sets, A and B, that differ in linked rules: A's
//! commands only touch A's keys and channels, B's only B's. Every observation a reader makes
//! must be exactly A or exactly B (no tear), and never older than what the writer had
//! acknowledged before the observation began (no stale read).
//!
//! How a tear shows:
//! - in one call: every probe below is one engine call (one server command), and each outcome
//!   that neither A nor B gives names the mix: if `setuser` applied its rules one by one, a
//!   reader would see `+get` with `~b:*` (GET a:1 denied for its key), `+publish` with `&cb`
//!   (PUBLISH ca denied for its channel), or the bare `reset` (PING denied); GETUSER, LIST and
//!   a MULTI/EXEC reply are one snapshot each and must equal A's or B's description whole;
//! - across calls: several calls may legitimately straddle a flip, so a reader brackets its
//!   calls with the writer's progress counter ([`Timeline`]) and checks that the sides it saw
//!   are states the writer published, in order, starting no earlier than the last step
//!   acknowledged before its first call. A writer that answered before its change was visible
//!   (a stale read) or a reader that went back to an older state fails that check.

mod server_util;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use authgate::acl::{table, Acl, AclError, DenialKind, UserInfo, UserRef, UserView};
use server_util::{Client, Reply};

const USER: &str = "flip";
/// `+ping` (and MULTI/EXEC, for the transactions through the server) are in both: only a user
/// emptied by `reset` and not yet given the rest lacks PING.
const A: &[&str] = &[
    "reset", "on", "nopass", "~a:*", "&ca", "+get", "+publish", "+ping", "+multi", "+exec",
];
const B: &[&str] = &[
    "reset",
    "on",
    "nopass",
    "~b:*",
    "&cb",
    "+set",
    "+spublish",
    "+ping",
    "+multi",
    "+exec",
];

/// One call each; A allows the first two and denies the next two as commands, B the reverse.
const PROBES: [&[&str]; 5] = [
    &["GET", "a:1"],
    &["PUBLISH", "ca", "m"],
    &["SET", "b:1", "v"],
    &["SPUBLISH", "cb", "m"],
    &["PING"],
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    A,
    B,
}

/// What one probe call answered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    Allowed,
    Denied(DenialKind),
}

/// The side a probe's outcome belongs to (None: PING, allowed by both). An outcome neither
/// side gives is a tear seen within one call.
fn side_of(probe: usize, outcome: Outcome) -> Result<Option<Side>, String> {
    use Outcome::*;
    match (probe, outcome) {
        (4, Allowed) => Ok(None),
        (0 | 1, Allowed) | (2 | 3, Denied(DenialKind::Command)) => Ok(Some(Side::A)),
        (0 | 1, Denied(DenialKind::Command)) | (2 | 3, Allowed) => Ok(Some(Side::B)),
        _ => Err(format!(
            "torn: {:?} gave {outcome:?}, which neither A nor B gives",
            PROBES[probe]
        )),
    }
}

fn rules(side: Side) -> &'static [&'static str] {
    match side {
        Side::A => A,
        Side::B => B,
    }
}

/// The writer's progress: `2k` once step k's change has been acknowledged, `2k-1` while it
/// is in flight. Step 0 (the initial state) is A, and step k sets A for even k, B for odd.
#[derive(Default)]
struct Timeline {
    seq: AtomicU64,
    done: AtomicBool,
}

impl Timeline {
    fn state(step: u64) -> Side {
        if step % 2 == 0 {
            Side::A
        } else {
            Side::B
        }
    }

    fn now(&self) -> u64 {
        self.seq.load(SeqCst)
    }

    /// `seen` (sides in call order, PING's None left out) was observed between reading
    /// `before` and `after`: each must be a state the writer published, in order, from the
    /// last step acknowledged at `before` to the newest step that may have applied by `after`.
    fn explain(before: u64, after: u64, seen: &[Side]) -> Result<(), String> {
        let mut step = before / 2;
        let newest = after.div_ceil(2);
        for (i, side) in seen.iter().enumerate() {
            while Timeline::state(step) != *side {
                step += 1;
                if step > newest {
                    return Err(format!(
                        "stale or torn: saw {seen:?} between progress {before} and {after}; call {i} \
                         cannot be a state the writer published in that window"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Runs `steps` flips with `flip` (which returns once the change is acknowledged), then
    /// `after_ack(side)` in the same thread: the writer's own next calls must see it whole.
    fn write(&self, steps: u64, mut flip: impl FnMut(Side), mut after_ack: impl FnMut(Side)) {
        // Readers stop when the writer ends, also when one of its assertions fails.
        struct Done<'a>(&'a AtomicBool);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                self.0.store(true, SeqCst);
            }
        }
        let _done = Done(&self.done);
        for k in 1..=steps {
            let side = Timeline::state(k);
            self.seq.store(2 * k - 1, SeqCst);
            flip(side);
            self.seq.store(2 * k, SeqCst);
            after_ack(side);
        }
    }

    /// Calls `observe` until the writer is done; each observation is checked with
    /// [`Timeline::explain`]. Returns (observations, those made while no flip was in flight).
    fn read(&self, mut observe: impl FnMut() -> Result<Vec<Side>, String>) -> (u64, u64) {
        let (mut total, mut quiet) = (0, 0);
        while !self.done.load(SeqCst) {
            let before = self.now();
            let seen = observe().unwrap_or_else(|e| panic!("{e}"));
            let after = self.now();
            Timeline::explain(before, after, &seen).unwrap_or_else(|e| panic!("{e}"));
            total += 1;
            quiet += u64::from(before == after && before % 2 == 0);
            // Let the writer run often: on 2 cores the readers would otherwise starve it.
            thread::yield_now();
        }
        (total, quiet)
    }
}

/// How a reader reaches the user: by name through [`Acl::check`] (under the engine's table
/// lock, which `setuser` holds while it works), or as a connection does, through a held
/// [`UserRef`], which reads the user's cell without that lock, so only the cell's
/// whole-value replacement stands between it and a half-applied change.
#[derive(Clone, Copy, Debug)]
enum Path {
    ByName,
    Held,
    Cached,
}

/// A reader's means of probing: the path, and the handle and view for the held paths.
struct Prober {
    path: Path,
    user: UserRef,
    view: UserView,
}

impl Prober {
    fn new(acl: &Acl, path: Path) -> Prober {
        Prober {
            path,
            user: acl.user(USER.as_bytes()).expect("the user exists"),
            view: UserView::default(),
        }
    }

    /// The probes as separate calls, in order.
    fn probe(&mut self, acl: &Acl) -> Result<Vec<Side>, String> {
        let mut seen = Vec::new();
        for (i, argv) in PROBES.iter().enumerate() {
            let cmd = table().resolve(argv).expect("a known command");
            let denial = match self.path {
                Path::ByName => match acl.check(USER.as_bytes(), argv) {
                    Ok(()) => None,
                    Err(AclError::Denied { kind, .. }) => Some(kind),
                    Err(e) => return Err(format!("{argv:?}: unexpected {e}")),
                },
                Path::Held => self.user.check(cmd, argv).err().map(|d| d.kind),
                Path::Cached => self
                    .user
                    .check_cached(&mut self.view, cmd, argv)
                    .err()
                    .map(|d| d.kind),
            };
            let outcome = denial.map_or(Outcome::Allowed, Outcome::Denied);
            seen.extend(side_of(i, outcome).map_err(|e| format!("{:?} path: {e}", self.path))?);
        }
        Ok(seen)
    }
}

/// What `getuser` and `list` say of A and B, from an engine no other thread touches.
struct Descriptions {
    info: [UserInfo; 2],
    line: [Vec<u8>; 2],
}

impl Descriptions {
    fn new() -> Descriptions {
        let describe = |side| {
            let acl = Acl::new();
            acl.setuser(USER.as_bytes(), rules(side)).unwrap();
            let line = acl
                .list()
                .into_iter()
                .find(|l| l.starts_with(b"user flip "))
                .unwrap();
            (acl.getuser(USER.as_bytes()).unwrap(), line)
        };
        let ((ia, la), (ib, lb)) = (describe(Side::A), describe(Side::B));
        assert_eq!(String::from_utf8_lossy(&la), "user flip on nopass sanitize-payload ~a:* resetchannels &ca -@all +exec +get +multi +ping +publish");
        assert_eq!(String::from_utf8_lossy(&lb), "user flip on nopass sanitize-payload ~b:* resetchannels &cb -@all +exec +multi +ping +set +spublish");
        Descriptions {
            info: [ia, ib],
            line: [la, lb],
        }
    }

    fn side<T: PartialEq + std::fmt::Debug>(
        what: &str,
        got: &T,
        [a, b]: [&T; 2],
    ) -> Result<Side, String> {
        if got == a {
            Ok(Side::A)
        } else if got == b {
            Ok(Side::B)
        } else {
            Err(format!(
                "torn {what}: {got:?} is neither A ({a:?}) nor B ({b:?})"
            ))
        }
    }

    /// One GETUSER and one LIST, each a single snapshot that must be A or B whole.
    fn observe(&self, acl: &Acl) -> Result<Vec<Side>, String> {
        let info = acl.getuser(USER.as_bytes()).ok_or("the user vanished")?;
        let by_info = Descriptions::side("getuser", &info, [&self.info[0], &self.info[1]])?;
        let line = acl
            .list()
            .into_iter()
            .find(|l| l.starts_with(b"user flip "))
            .ok_or("not listed")?;
        let by_list = Descriptions::side("ACL LIST line", &line, [&self.line[0], &self.line[1]])?;
        Ok(vec![by_info, by_list])
    }
}

const ENGINE_STEPS: u64 = 2_000;

#[test]
fn engine_readers_see_whole_rule_sets_and_never_a_stale_one() {
    let started = Instant::now();
    let acl = Arc::new(Acl::new());
    acl.setuser(USER.as_bytes(), A).unwrap();
    let descriptions = Arc::new(Descriptions::new());
    let timeline = Arc::new(Timeline::default());

    let mut readers = Vec::new();
    for path in [
        None,
        Some(Path::ByName),
        Some(Path::Held),
        Some(Path::Cached),
    ] {
        let (acl, timeline, descriptions) = (acl.clone(), timeline.clone(), descriptions.clone());
        readers.push(thread::spawn(move || match path {
            None => timeline.read(|| descriptions.observe(&acl)),
            Some(path) => {
                let mut prober = Prober::new(&acl, path);
                timeline.read(|| prober.probe(&acl))
            }
        }));
    }
    let mut own = [Path::ByName, Path::Held, Path::Cached].map(|p| Prober::new(&acl, p));
    timeline.write(
        ENGINE_STEPS,
        |side| acl.setuser(USER.as_bytes(), rules(side)).unwrap(),
        // No stale read: the thread that made the change sees all of it at once, on every path.
        |side| {
            for prober in &mut own {
                let seen = prober.probe(&acl).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(
                    seen, [side; 4],
                    "the writer's own next checks after setuser returned"
                );
            }
            let described = descriptions.observe(&acl).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                described, [side; 2],
                "the writer's own getuser/list after setuser returned"
            );
        },
    );
    let counts: Vec<(u64, u64)> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    // Every reader observed, and some observations fell wholly between two flips, where the
    // exact acknowledged state is required.
    assert!(counts.iter().all(|&(total, _)| total > 0), "{counts:?}");
    assert!(
        counts.iter().map(|&(_, quiet)| quiet).sum::<u64>() > 0,
        "{counts:?}"
    );
    eprintln!(
        "engine: {ENGINE_STEPS} flips, readers (observations, quiet) {counts:?}, {:?}",
        started.elapsed()
    );
}

const LOADS: u64 = 300;

/// ACL LOAD replaces the whole table at once: two users defined together in each file are
/// always seen together (a load that applied the file's users one by one would show `flip`
/// from one file with `peer` from the other in a single ACL LIST).
#[test]
fn load_swaps_every_user_at_once() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<_> = [(A, "pa"), (B, "pb")]
        .iter()
        .enumerate()
        .map(|(i, (rules, pw))| {
            let path = dir.path().join(format!("{i}.acl"));
            let flip = rules.join(" ");
            std::fs::write(&path, format!("user flip {flip}\nuser peer on >{pw} ~* +@all\nuser default on nopass ~* &* +@all\n"))
                .unwrap();
            path
        })
        .collect();
    let acl = Arc::new(Acl::new());
    acl.load(&files[0]).unwrap();
    let tables: Vec<Vec<Vec<u8>>> = files
        .iter()
        .map(|f| Acl::from_file(f, Default::default()).unwrap().list())
        .collect();
    let timeline = Arc::new(Timeline::default());
    let mut readers = Vec::new();
    for r in 0..3 {
        let (acl, timeline, tables) = (acl.clone(), timeline.clone(), tables.clone());
        readers.push(thread::spawn(move || {
            timeline.read(|| {
                let table = acl.list();
                let whole = Descriptions::side("ACL LIST", &table, [&tables[0], &tables[1]])?;
                // and a check and an authenticate by name, each against one table
                let mut seen = vec![whole];
                if r > 0 {
                    seen.extend(Prober::new(&acl, Path::ByName).probe(&acl)?);
                    // peer always exists, with one file's password: each call names a side.
                    let pa = acl.authenticate(b"peer", b"pa");
                    let pb = acl.authenticate(b"peer", b"pb");
                    seen.push(if pa { Side::A } else { Side::B });
                    seen.push(if pb { Side::B } else { Side::A });
                }
                Ok(seen)
            })
        }));
    }
    timeline.write(
        LOADS,
        |side| acl.load(&files[side as usize]).unwrap(),
        |side| {
            assert_eq!(
                acl.list(),
                tables[side as usize],
                "the loading thread's next ACL LIST"
            )
        },
    );
    let counts: Vec<(u64, u64)> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    assert!(counts.iter().all(|&(total, _)| total > 0), "{counts:?}");
    eprintln!(
        "load: {LOADS} loads, readers {counts:?}, {:?}",
        started.elapsed()
    );
}

// --- through the server ----------------------------------------------------------------------

const KEY_DENIED: &str =
    "NOPERM this user has no permissions to access one of the keys used as arguments";
const CHANNEL_DENIED: &str =
    "NOPERM this user has no permissions to access one of the channels used as arguments";
/// EXEC's re-check texts (Redis' execCommand), by reason.
const EXEC_CHANGED: &str = "NOPERM ACLs rules changed between the moment the transaction was accumulated and \
                            the EXEC call. This command is no longer allowed for the following reason: ";

/// The reply a probe gets when allowed (a fresh keyspace: GET finds nothing, nobody listens).
fn allowed_reply(probe: usize) -> Reply {
    [
        Reply::Null,
        Reply::Int(0),
        Reply::status("OK"),
        Reply::Int(0),
        Reply::status("PONG"),
    ][probe]
        .clone()
}

/// A probe's reply as an outcome; any other reply fails the test.
fn outcome_of(probe: usize, reply: &Reply) -> Result<Outcome, String> {
    let cmd = PROBES[probe][0].to_lowercase();
    let command_denied = format!("NOPERM this user has no permissions to run the '{cmd}' command");
    match reply {
        r if *r == allowed_reply(probe) => Ok(Outcome::Allowed),
        Reply::Error(e) if *e == command_denied => Ok(Outcome::Denied(DenialKind::Command)),
        Reply::Error(e) if e == KEY_DENIED => Ok(Outcome::Denied(DenialKind::Key)),
        Reply::Error(e) if e == CHANNEL_DENIED => Ok(Outcome::Denied(DenialKind::Channel)),
        Reply::Error(e) => match e.strip_prefix(EXEC_CHANGED) {
            Some("no permission to execute the command or subcommand") => {
                Ok(Outcome::Denied(DenialKind::Command))
            }
            Some("no permission to touch the specified keys") => {
                Ok(Outcome::Denied(DenialKind::Key))
            }
            Some("no permission to access one of the channels used as arguments") => {
                Ok(Outcome::Denied(DenialKind::Channel))
            }
            _ => Err(format!("{:?}: unexpected error {e:?}", PROBES[probe])),
        },
        other => Err(format!("{:?}: unexpected reply {other:?}", PROBES[probe])),
    }
}

/// A connection authenticated as the flipping user.
fn flip_client(port: u16) -> Client {
    let mut c = Client::connect(port);
    assert_eq!(c.cmd(&["AUTH", USER, "any"]), Reply::status("OK"));
    c
}

/// The five probes pipelined on `c` (five commands, each one server call).
fn probe_server(c: &mut Client) -> Result<Vec<Side>, String> {
    for argv in PROBES {
        c.send(argv);
    }
    let mut seen = Vec::new();
    for i in 0..PROBES.len() {
        let reply = c.read().map_err(|e| format!("reading probe {i}: {e}"))?;
        seen.extend(side_of(i, outcome_of(i, &reply)?)?);
    }
    Ok(seen)
}

/// One transaction holding `side`'s two allowed probes and PING: in Redis EXEC runs them all
/// at one moment, so its reply is one snapshot: all allowed (still `side`), or the two
/// re-check denials (the other side); a mix is a tear inside EXEC.
fn probe_exec(c: &mut Client, side: Side) -> Result<Vec<Side>, String> {
    let probes: [usize; 3] = match side {
        Side::A => [0, 1, 4],
        Side::B => [2, 3, 4],
    };
    c.send(&["MULTI"]);
    for &p in &probes {
        c.send(PROBES[p]);
    }
    c.send(&["EXEC"]);
    let read = |c: &mut Client| {
        c.read()
            .map_err(|e| format!("reading the transaction: {e}"))
    };
    if read(c)? != Reply::status("OK") {
        return Err("MULTI refused".into());
    }
    // A command denied when queued (the user flipped before it) dooms the transaction.
    let mut doomed = false;
    for &p in &probes {
        match read(c)? {
            Reply::Status(s) if s == "QUEUED" => {}
            reply => {
                side_of(p, outcome_of(p, &reply)?)?;
                doomed = true;
            }
        }
    }
    let exec = read(c)?;
    if doomed {
        return match exec {
            Reply::Error(e) if e.starts_with("EXECABORT") => Ok(Vec::new()),
            other => Err(format!("a doomed transaction answered {other:?}")),
        };
    }
    let items = match exec {
        Reply::Array(items) if items.len() == probes.len() => items,
        other => return Err(format!("EXEC answered {other:?}")),
    };
    let mut seen = Vec::new();
    for (&p, reply) in probes.iter().zip(&items) {
        seen.extend(side_of(p, outcome_of(p, reply)?)?);
    }
    if seen.windows(2).any(|w| w[0] != w[1]) {
        return Err(format!(
            "torn EXEC: {items:?} mixes A and B in one transaction"
        ));
    }
    Ok(seen)
}

const SERVER_STEPS: u64 = 1_000;

#[test]
fn server_connections_see_whole_rule_sets_and_never_a_stale_one() {
    let started = Instant::now();
    let acl = Arc::new(Acl::new());
    acl.setuser(USER.as_bytes(), A).unwrap();
    acl.setuser(b"admin", &["on", ">adminpw", "~*", "&*", "+@all"])
        .unwrap();
    let server = server_util::start(acl.clone());
    let port = server.port();
    let descriptions = Arc::new(Descriptions::new());
    let timeline = Arc::new(Timeline::default());

    let mut readers = Vec::new();
    for r in 0..8 {
        let (timeline, descriptions) = (timeline.clone(), descriptions.clone());
        readers.push(thread::spawn(move || {
            if r == 0 {
                // An admin connection's ACL LIST: one server call, one snapshot.
                let mut admin = Client::connect(port);
                assert_eq!(
                    admin.cmd(&["AUTH", "admin", "adminpw"]),
                    Reply::status("OK")
                );
                return timeline.read(|| {
                    let list = admin.cmd(&["ACL", "LIST"]).items();
                    let line = list
                        .iter()
                        .map(|l| l.text().into_bytes())
                        .find(|l| l.starts_with(b"user flip "));
                    let line = line.ok_or("flip not listed")?;
                    Ok(vec![Descriptions::side(
                        "ACL LIST line",
                        &line,
                        [&descriptions.line[0], &descriptions.line[1]],
                    )?])
                });
            }
            let mut c = flip_client(port);
            let mut last = Side::A;
            let mut n = 0u64;
            timeline.read(|| {
                n += 1;
                let seen = if r % 2 == 0 && n % 2 == 0 {
                    probe_exec(&mut c, last)?
                } else {
                    probe_server(&mut c)?
                };
                last = seen.last().copied().unwrap_or(last);
                Ok(seen)
            })
        }));
    }
    let mut admin = Client::connect(port);
    assert_eq!(
        admin.cmd(&["AUTH", "admin", "adminpw"]),
        Reply::status("OK")
    );
    let mut own = flip_client(port);
    timeline.write(
        SERVER_STEPS,
        |side| {
            let mut argv = vec!["ACL", "SETUSER", USER];
            argv.extend_from_slice(rules(side));
            assert_eq!(admin.cmd(&argv), Reply::status("OK"));
        },
        // No stale read: once ACL SETUSER has answered, the next command of any connection
        // (here one the writer's thread owns) is checked against the new rules.
        |side| {
            let seen = probe_server(&mut own).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                seen, [side; 4],
                "the first commands after ACL SETUSER answered"
            );
        },
    );
    let counts: Vec<(u64, u64)> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    assert!(counts.iter().all(|&(total, _)| total > 0), "{counts:?}");
    assert!(
        counts.iter().map(|&(_, quiet)| quiet).sum::<u64>() > 0,
        "{counts:?}"
    );
    server.stop();
    eprintln!(
        "server: {SERVER_STEPS} flips, readers {counts:?}, {:?}",
        started.elapsed()
    );
}

#[test]
fn explain_rejects_what_a_torn_or_stale_engine_would_show() {
    use Side::*;
    // Quiet window after step 1 (B): only B.
    assert!(Timeline::explain(2, 2, &[B, B]).is_ok());
    assert!(
        Timeline::explain(2, 2, &[A]).is_err(),
        "stale: A after B was acknowledged"
    );
    // One flip in flight (step 2, to A): B then A is fine, A then B is going back.
    assert!(Timeline::explain(3, 3, &[B, A, A]).is_ok());
    assert!(Timeline::explain(3, 4, &[A, B]).is_err());
    // Two flips may apply within 2..5: B A B.
    assert!(Timeline::explain(2, 5, &[B, A, B]).is_ok());
    assert!(Timeline::explain(2, 4, &[B, A, B]).is_err());
    // Single-call outcomes neither side gives.
    assert!(
        side_of(0, Outcome::Denied(DenialKind::Key)).is_err(),
        "+get with ~b:*"
    );
    assert!(
        side_of(1, Outcome::Denied(DenialKind::Channel)).is_err(),
        "+publish with &cb"
    );
    assert!(
        side_of(2, Outcome::Denied(DenialKind::Key)).is_err(),
        "+set with ~a:*"
    );
    assert!(
        side_of(3, Outcome::Denied(DenialKind::Channel)).is_err(),
        "+spublish with &ca"
    );
    assert!(
        side_of(4, Outcome::Denied(DenialKind::Command)).is_err(),
        "reset alone"
    );
}
