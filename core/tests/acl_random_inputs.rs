//! Random rules, command lines and aclfiles never panic, and a rejected SETUSER or ACL LOAD
//! changes nothing (the all-or-nothing rule), whatever the bytes.

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
fn random_aclfiles_load_all_or_nothing() {
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
        let valid = acl.check_aclfile(&path).is_ok();
        match acl.load(&path) {
            Ok(()) => {
                assert!(valid, "ACL LOAD accepted a file the validator rejects");
                // A good file replaces everything; put the reference user back.
                acl.setuser(b"keep", &["on", ">pw", "+get"]).unwrap();
            }
            Err(e) => {
                assert!(!valid, "the validator accepted a file ACL LOAD rejects");
                assert!(e.to_string().starts_with("ERR "), "{e}");
                assert_eq!(acl.list(), before, "a failed ACL LOAD changed something");
            }
        }
    }
}
