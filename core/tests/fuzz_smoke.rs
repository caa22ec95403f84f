//! The fuzz smoke (`make test-fuzz-smoke`, part of `make test`): every fuzz target's body
//! (fuzz/src/, the same code libFuzzer runs in `make fuzz`) on a stable debug build, so that it
//! shares the workspace's compiled dependencies instead of building a nightly tree of its own
//! (issue 15 asks for the whole smoke within about 3 minutes on a clean machine; README.md
//! RELIABILITY has the times). Per target: every file of its corpus in fuzz/corpus/<target>,
//! then FUZZ_SMOKE_RUNS inputs (default 50,000) mutated from the corpus by a seeded generator
//! (FUZZ_SMOKE_SEED, default fixed), so a run is reproducible. Debug assertions are on, as in
//! the fuzz build, so arithmetic overflows panic too. A panicking input fails the test and is
//! written under the test's temp directory, ready for the libFuzzer binary or the corpus.

#[path = "../../fuzz/src/lib.rs"]
mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// libFuzzer's `-max_len` in `make fuzz`.
const MAX_LEN: usize = 8192;

/// Bytes that mean something to one of the parsers (RESP, redis.conf quoting, ACL rules,
/// globs, the NATS config syntax, DN escapes), tried more often than the rest.
const SPECIAL: &[u8] = b"\r\n \t*$:+-~&%@()[]^\\?\"'#{}=,;<>!0123456789\x00\xff";

/// Numbers at the edges the parsers check (lengths, counts, limits).
const NUMBERS: &[&[u8]] = &[
    b"0", b"-1", b"1", b"16", b"255", b"1024", b"65535", b"65536", b"2147483647", b"2147483648",
    b"4294967296", b"9223372036854775807", b"9223372036854775808", b"-9223372036854775808",
    b"18446744073709551616", b"1e3", b"0x10", b"1mb", b"512k",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v.parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        Err(_) => default,
    }
}

/// The files of `fuzz/corpus/<target>`, sorted by name so the run is the same everywhere.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = repo().join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// xorshift64*: small, seedable and the same on every platform; quality is not the point.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        if self.below(2) == 0 {
            SPECIAL[self.below(SPECIAL.len())]
        } else {
            self.next() as u8
        }
    }
}

/// One to four stacked edits of a corpus input, in the manner of libFuzzer's mutators: bit
/// flips, byte changes, inserts, deletions, copies within the input, splices from another
/// corpus file, edge numbers, truncation.
fn mutate(corpus: &[(String, Vec<u8>)], rng: &mut Rng) -> Vec<u8> {
    let mut data = corpus[rng.below(corpus.len())].1.clone();
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.byte();
            }
            2 => {
                let at = rng.below(len + 1);
                let bytes: Vec<u8> = (0..=rng.below(8)).map(|_| rng.byte()).collect();
                data.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let from = rng.below(len);
                let to = from + 1 + rng.below((len - from).min(64));
                data.drain(from..to);
            }
            4 if len > 0 => {
                let from = rng.below(len);
                let piece = data[from..from + 1 + rng.below((len - from).min(64))].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, piece);
            }
            5 => {
                let other = &corpus[rng.below(corpus.len())].1;
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let piece = &other[from..from + 1 + rng.below((other.len() - from).min(256))];
                    let at = rng.below(len + 1);
                    data.splice(at..at, piece.iter().copied());
                }
            }
            6 => {
                let at = rng.below(len + 1);
                data.splice(at..at, NUMBERS[rng.below(NUMBERS.len())].iter().copied());
            }
            _ if len > 0 => data.truncate(rng.below(len)),
            _ => data.push(rng.byte()),
        }
    }
    data.truncate(MAX_LEN);
    data
}

/// Runs one input; a panic fails the test with the input, also saved to a file.
fn check(target: &str, run: fn(&[u8]), what: &str, input: &[u8]) {
    if catch_unwind(AssertUnwindSafe(|| run(input))).is_ok() {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-smoke").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(what.replace('/', "_"));
    std::fs::write(&file, input).unwrap();
    panic!(
        "fuzz target {target} panicked on {what} (above); the input is in {}: {:?}",
        file.display(),
        String::from_utf8_lossy(input)
    );
}

/// The corpus, then the mutated inputs, through one target.
fn smoke(target: &str) {
    let run = targets::TARGETS.iter().find(|(name, _)| *name == target).unwrap().1;
    let corpus = corpus(target);
    assert!(!corpus.is_empty(), "fuzz/corpus/{target} is empty");
    for (name, input) in &corpus {
        check(target, run, &format!("corpus/{name}"), input);
    }
    let runs = env_number("FUZZ_SMOKE_RUNS", 50_000);
    let seed = env_number("FUZZ_SMOKE_SEED", 0x15_f022);
    // Each target its own stream, so adding a target does not change the others' inputs.
    let mut rng = Rng::new(seed ^ target.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b.into())));
    for i in 0..runs {
        let input = mutate(&corpus, &mut rng);
        check(target, run, &format!("seed-{seed}-input-{i}"), &input);
    }
    eprintln!("fuzz smoke {target}: {} corpus files, {runs} mutated inputs, seed {seed}", corpus.len());
}

/// The smoke must cover every target: the list in fuzz/src/lib.rs, the corpus directories
/// and the libFuzzer entries in fuzz/fuzz_targets/ name the same targets.
#[test]
fn every_target_has_a_corpus_and_a_libfuzzer_entry() {
    let names = |dir: &str, strip: &str| {
        let mut v: Vec<String> = std::fs::read_dir(repo().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(strip).to_owned())
            .collect();
        v.sort();
        v
    };
    let mut listed: Vec<String> = targets::TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(names("fuzz/corpus", ""), listed);
    assert_eq!(names("fuzz/fuzz_targets", ".rs"), listed);
}

macro_rules! smoke_tests {
    ($($target:ident),*) => {
        $(
            #[test]
            fn $target() {
                smoke(stringify!($target));
            }
        )*
    };
}

smoke_tests!(resp_request, setuser, aclfile, redis_conf, glob, nats_conf, dn_string, cert);
