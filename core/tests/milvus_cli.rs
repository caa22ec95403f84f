//! `authgate milvus users ...` on a credential file: passwords from standard input, Milvus'
//! texts on standard error with exit 1, results on standard output.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn milvus(args: &[&str], file: &std::path::Path, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_authgate"))
        .args(["milvus", "users"])
        .args(args)
        .args(["--file", file.to_str().unwrap(), "--bcrypt-cost", "4"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap()
}

#[test]
fn manage_users_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.json");
    let out = milvus(&["create", "alice"], &file, "secret1\n");
    assert_eq!((out.status.code(), text(&out.stderr)), (Some(0), ""));
    let out = milvus(&["list"], &file, "");
    assert_eq!(text(&out.stdout), "alice\nroot\n");
    let out = milvus(&["verify", "alice"], &file, "secret1\n");
    assert_eq!((out.status.code(), text(&out.stdout)), (Some(0), "ok\n"));
    let out = milvus(&["verify", "alice"], &file, "secret2\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "auth check failure, please check username and password are correct\n");
    let out = milvus(&["passwd", "alice"], &file, "wrong-pw\nsecret2\n");
    assert_eq!((out.status.code(), text(&out.stderr)), (Some(1), "old password not correct for alice: not authenticated\n"));
    let out = milvus(&["passwd", "alice"], &file, "secret1\nsecret2\r\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(milvus(&["verify", "alice"], &file, "secret2").status.code(), Some(0));
    // A super user resets a password without the old one (a forgotten root password).
    let out = milvus(&["passwd", "root", "--caller", "admin", "--super-user", "admin"], &file, "new-root-pw\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(milvus(&["verify", "root"], &file, "new-root-pw\n").status.code(), Some(0));
    let out = milvus(&["delete", "root"], &file, "");
    assert_eq!((out.status.code(), text(&out.stderr)), (Some(1), "root user cannot be deleted: privilege not permitted\n"));
    assert_eq!(milvus(&["delete", "alice"], &file, "").status.code(), Some(0));
    assert_eq!(text(&milvus(&["list"], &file, "").stdout), "root\n");
}

#[test]
fn refusals_are_milvus_texts_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.json");
    let out = milvus(&["create", "1bad"], &file, "secret1\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "invalid user name 1bad, the first character must be a letter, but got %!s(uint8=49): invalid parameter\n"
    );
    let out = milvus(&["create", "bob", "--password", "12345"], &file, "");
    assert_eq!(text(&out.stderr), "invalid password length: invalid parameter[5 out of range 6 <= value <= 256]\n");
    std::fs::write(&file, "{broken").unwrap();
    let out = milvus(&["list"], &file, "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).starts_with("credential storage failed: cannot parse"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{broken");
}
