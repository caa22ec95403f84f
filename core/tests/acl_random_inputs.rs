//! Random rules, command lines and aclfiles never panic, and a rejected SETUSER or ACL LOAD
//! changes nothing (the all-or-nothing rule), whatever the bytes. Aclfiles made of rule tokens
//! load exactly what ACL SETUSER makes of the same lines, or fail as a whole when SETUSER
//! rejects one of them (an oracle independent of the aclfile loader).

use authgate::acl::Acl;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

const PIECES: &[&[u8]] = &[
    b"on", b"off", b"nopass", b">", b"<", b"#", b"!", b"~", b"%R~", b"%W~", b"%RW~", b"%", b"&",
    b"+", b"-", b"@", b"+@all", b"-@all", b"allkeys", b"resetkeys", b"(", b")", b"|", b"*", b"?",
    b"[", b"]", b"^", b"\\", b"get", b"client", b"kill", b"config", b"select", b"0", b"read",
    b"reset", b"clearselectors", b" ", b"\0", b"\xff", b"\"", b"'", b"\t", b"\r\n", b"user",
    b"default", b"a", b"x",
];

fn random_bytes(rng: &mut Rng, max_pieces: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(max_pieces) + 1 {
        out.extend_from_slice(rng.pick(PIECES));
    }
    out
}

#[test]
fn random_setuser_is_all_or_nothing_and_never_panics() {
    let acl = Acl::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..3000 {
        let name = format!("u{}", round % 7);
        let rules: Vec<Vec<u8>> = (0..rng.below(6)).map(|_| random_bytes(&mut rng, 4)).collect();
        let before = acl.list();
        match acl.setuser(name.as_bytes(), &rules) {
            Ok(()) => {}
            Err(e) => {
                assert!(e.to_string().starts_with("ERR "), "{e}");
                assert_eq!(acl.list(), before, "a failed SETUSER changed something: {rules:?}");
            }
        }
        let argv: Vec<Vec<u8>> = (0..rng.below(5) + 1).map(|_| random_bytes(&mut rng, 3)).collect();
        let _ = acl.check(name.as_bytes(), &argv);
        let _ = acl.dryrun(name.as_bytes(), &argv);
        let _ = acl.getuser(name.as_bytes());
    }
}

#[test]
fn random_aclfiles_never_panic_and_a_failed_load_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.acl");
    let acl = Acl::new();
    acl.setuser(b"keep", &["on", ">pw", "+get"]).unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..500 {
        let mut text = Vec::new();
        for _ in 0..rng.below(4) + 1 {
            if rng.below(3) > 0 {
                text.extend_from_slice(b"user ");
            }
            text.extend_from_slice(&random_bytes(&mut rng, 6));
            text.push(b'\n');
        }
        std::fs::write(&path, &text).unwrap();
        let before = acl.list();
        let _ = acl.check_aclfile(&path);
        assert_eq!(acl.list(), before, "check_aclfile changed the users");
        match acl.load(&path) {
            // A good file replaces everything; put the reference user back.
            Ok(()) => acl.setuser(b"keep", &["on", ">pw", "+get"]).unwrap(),
            Err(e) => {
                assert!(e.to_string().starts_with("ERR "), "{e}");
                assert_eq!(acl.list(), before, "a failed ACL LOAD changed something");
            }
        }
    }
}

/// Rule tokens without whitespace, quotes or NUL, so that a line's tokens are plainly its
/// space-separated words: valid and invalid rules, selectors split across tokens, unmatched
/// parentheses.
const TOKENS: &[&str] = &[
    "on", "off", "nopass", "resetpass", ">p1", ">p2", "<p1", "<nosuch", "~k*", "~*", "%R~r*", "%W~w*", "%X~x",
    "allkeys", "resetkeys", "&ch", "&*", "allchannels", "resetchannels", "+get", "-get", "+@all", "-@all",
    "+@read", "-@dangerous", "+client|id", "-config|get", "+select|0", "+nosuch", "-@nosuch", "bogus", "(+set",
    "~x)", "(~a", "+get)", "(+ping)", "()", "reset", "clearselectors", "sanitize-payload", "~", "&", ">", "#abc",
    "allcommands", "nocommands",
];
const NAMES: &[&str] = &["alice", "bob", "carol", "default", "u1"];
/// The scratch name of the file's default user (sorts where `default` does among NAMES).
const STAND_IN: &str = "default-new";

/// What the scratch ACL predicts ACL LIST shows after the load.
fn expected_list(scratch: &Acl) -> Vec<Vec<u8>> {
    let lines = scratch.list();
    let stand_in = format!("user {STAND_IN} ").into_bytes();
    let Some(new_default) = lines.iter().find(|l| l.starts_with(&stand_in)) else { return lines };
    let mut renamed = b"user default ".to_vec();
    renamed.extend_from_slice(&new_default[stand_in.len()..]);
    let mut out: Vec<Vec<u8>> =
        lines.iter().filter(|l| !l.starts_with(b"user default ")).cloned().map(|l| if l.starts_with(&stand_in) { renamed.clone() } else { l }).collect();
    out.sort();
    out
}

#[test]
fn random_aclfiles_load_what_setuser_makes_of_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.acl");
    let acl = Acl::new();
    acl.setuser(b"keep", &["on", ">pw", "+get"]).unwrap();
    let mut rng = Rng(0x9e6c_63d0_676a_9a99);
    let (mut loaded, mut refused) = (0, 0);
    for round in 0..600 {
        // The file, and what ACL SETUSER makes of the same lines on a fresh ACL: every user is
        // new (default too: the file replaces it), a name may appear once.
        let scratch = Acl::new();
        let mut seen = std::collections::HashSet::new();
        let mut valid = true;
        let mut text = Vec::new();
        for _ in 0..rng.below(4) + 1 {
            if rng.below(5) == 0 {
                // Blank lines are skipped. Redis 7.0 has no comment lines: `#` does not start
                // with the user keyword, an error (the differential suite's aclfile scenarios).
                let extra = [&b"# a comment"[..], b"", b"  \t"][rng.below(3)];
                valid &= !extra.starts_with(b"#");
                text.extend_from_slice(extra);
                text.extend_from_slice(if rng.below(2) == 0 { b"\n" } else { b"\r\n" });
            }
            let name = NAMES[rng.below(NAMES.len())];
            let rules: Vec<&str> = (0..rng.below(6)).map(|_| TOKENS[rng.below(TOKENS.len())]).collect();
            let mut line = format!("{}user {name}", if rng.below(4) == 0 { "  " } else { "" });
            for r in &rules {
                line.push_str(if rng.below(4) == 0 { "  " } else { " " });
                line.push_str(r);
            }
            text.extend_from_slice(line.as_bytes());
            text.extend_from_slice(if rng.below(2) == 0 { b"\n" } else { b"\r\n" });
            if !seen.insert(name) {
                valid = false;
                continue;
            }
            // the file's default is a new user too: made under another name, renamed below
            let target = if name == "default" { STAND_IN } else { name };
            if scratch.setuser(target.as_bytes(), &rules).is_err() {
                valid = false;
            }
        }
        std::fs::write(&path, &text).unwrap();
        let file = String::from_utf8_lossy(&text);
        let before = acl.list();
        assert_eq!(acl.check_aclfile(&path).is_ok(), valid, "round {round}, check_aclfile of:\n{file}");
        assert_eq!(acl.list(), before, "check_aclfile changed the users");
        match acl.load(&path) {
            Ok(()) => {
                assert!(valid, "round {round}: ACL LOAD accepted a line SETUSER rejects:\n{file}");
                assert_eq!(acl.list(), expected_list(&scratch), "round {round}: ACL LOAD of:\n{file}");
                loaded += 1;
                acl.setuser(b"keep", &["on", ">pw", "+get"]).unwrap();
            }
            Err(e) => {
                assert!(!valid, "round {round}: ACL LOAD refused a file SETUSER accepts ({e}):\n{file}");
                assert_eq!(acl.list(), before, "a failed ACL LOAD changed something");
                refused += 1;
            }
        }
    }
    // both outcomes are exercised
    assert!(loaded > 50 && refused > 50, "loaded {loaded}, refused {refused}");
}
