//! `authgate nats check|auth|passwd`: the command line other checks drive (outputs, exit
//! statuses, nats-server's `file:line:col: message` lines).

use std::process::{Command, Output, Stdio};

fn authgate(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authgate")).args(args).current_dir(dir).output().expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn check_prints_ok_or_nats_server_errors() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.conf", "authorization { users = [ {user: a, password: b} ] }\n");
    let o = authgate(&["nats", "check", "good.conf"], d.path());
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "ok\n"));
    // Recorded from `nats-server -t -c bad.conf` (2.9.10): every error of the file, with
    // positions, in any order.
    write(d.path(), "bad.conf", "authorization { pasword: a, tiemout: 1 }\nx = 1\n");
    let o = authgate(&["nats", "check", "bad.conf"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "", "refusals go to standard error");
    let mut lines: Vec<String> = stderr(&o).lines().map(String::from).collect();
    lines.sort();
    assert_eq!(
        lines,
        ["bad.conf:1:16: unknown field \"pasword\"", "bad.conf:1:28: unknown field \"tiemout\"", "bad.conf:2:1: unknown field \"x\""]
    );
    // Errors nats-server prints without a position.
    write(d.path(), "perm.conf", "authorization { users = [ {user: a, password: b, permissions: {publish: \"foo..bar\"}} ] }\n");
    let o = authgate(&["nats", "check", "perm.conf"], d.path());
    assert_eq!(stderr(&o), "subject \"foo..bar\" is not a valid subject\n");
    // Accepted by -t, refused at start-up.
    write(d.path(), "noauth.conf", "no_auth_user: carol\nauthorization { users = [ {user: a, password: b} ] }\n");
    let o = authgate(&["nats", "check", "noauth.conf"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "no_auth_user: \"carol\" not present as user in authorization block or account configuration\n"
    );
    let o = authgate(&["nats", "check", "missing.conf"], d.path());
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(1), ""));
    assert_eq!(stderr(&o), "open missing.conf: no such file or directory\n");
}

#[test]
fn auth_prints_the_identity_then_each_check_in_order() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "a.conf",
        "accounts { A { users = [ {user: alice, password: pw, permissions: { publish: \"orders.>\", subscribe: { allow: [\"q.* workers\", \"events.*\"], deny: \"events.secret\" } } } ] } }\n",
    );
    let o = authgate(
        &[
            "nats", "auth", "a.conf", "--user", "alice", "--password", "pw", "--sub", "q.x workers", "--pub", "orders.new",
            "--sub", "q.x other", "--pub", "admin", "--sub", "events.secret", "--sub", "events.open",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout(&o),
        "ok user=alice account=A\nsub q.x workers allow\npub orders.new allow\nsub q.x other deny\npub admin deny\n\
         sub events.secret deny\nsub events.open allow\n"
    );
    let o = authgate(&["nats", "auth", "a.conf", "--user", "alice", "--password", "nope", "--pub", "x"], d.path());
    assert_eq!((o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()), (Some(1), "", "Authorization Violation\n"));
    write(d.path(), "t.conf", "authorization { token: \"s3cr3t\" }\n");
    let o = authgate(&["nats", "auth", "t.conf", "--token", "s3cr3t", "--pub", "x"], d.path());
    assert_eq!(stdout(&o), "ok user= account=$G\npub x allow\n");
    let o = authgate(&["nats", "auth", "t.conf", "--url", "nats://s3cr3t@127.0.0.1:4222"], d.path());
    assert_eq!(stdout(&o), "ok user= account=$G\n");
}

#[test]
fn auth_in_the_command_line_modes_of_the_seed() {
    let d = tempfile::tempdir().unwrap();
    let o = authgate(&["nats", "auth", "--server-user", "foo", "--server-pass", "bar", "--user", "foo", "--password", "bar"], d.path());
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "ok user=foo account=$G\n"));
    let o = authgate(&["nats", "auth", "--server-user", "foo", "--server-pass", "bar", "--user", "foo", "--password", "x"], d.path());
    assert_eq!((o.status.code(), stdout(&o).as_str(), stderr(&o).as_str()), (Some(1), "", "Authorization Violation\n"));
    let o = authgate(&["nats", "auth", "--server-auth", "S3Cr3T0k3n!", "--token", "S3Cr3T0k3n!"], d.path());
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "ok user= account=$G\n"));
    let o = authgate(&["nats", "auth", "--server-auth", "S3Cr3T0k3n!"], d.path());
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn passwd_hashes_stdin_for_the_config() {
    let d = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_authgate"))
        .args(["nats", "passwd", "--cost", "4"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"correct horse\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let hash = stdout(&o).trim().to_string();
    assert!(hash.starts_with("$2a$04$") && hash.len() == 60, "{hash}");
    write(d.path(), "h.conf", &format!("authorization {{ users = [ {{user: u, password: \"{hash}\"}} ] }}\n"));
    let o = authgate(&["nats", "auth", "h.conf", "--user", "u", "--password", "correct horse"], d.path());
    assert_eq!(stdout(&o), "ok user=u account=$G\n");
    let o = authgate(&["nats", "passwd", "--cost", "3"], d.path());
    assert_eq!(o.status.code(), Some(1), "cost below bcrypt's minimum");
}
