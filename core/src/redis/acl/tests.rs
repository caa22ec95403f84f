//! API-level tests of the engine, with expectations taken from redis-server 7.0.15.

use super::*;

fn argv(s: &str) -> Vec<Vec<u8>> {
    s.split(' ').map(|a| a.as_bytes().to_vec()).collect()
}

fn setuser(acl: &Acl, name: &str, rules: &str) -> Result<(), String> {
    let rules: Vec<Vec<u8>> = if rules.is_empty() { vec![] } else { argv(rules) };
    acl.setuser(name.as_bytes(), &rules).map_err(|e| e.to_string())
}

#[test]
fn setuser_is_all_or_nothing() {
    let acl = Acl::new();
    assert_eq!(
        setuser(&acl, "u1", "on >p1 +get ~x badrule"),
        Err("ERR Error in ACL SETUSER modifier 'badrule': Syntax error".into())
    );
    assert!(acl.getuser(b"u1").is_none(), "a failed SETUSER must not create the user");
    setuser(&acl, "u1", "on +get").unwrap();
    assert!(setuser(&acl, "u1", "+set +nosuch").is_err());
    assert_eq!(acl.list()[1], b"user u1 on resetchannels -@all +get".to_vec());
}

#[test]
fn error_texts() {
    let acl = Acl::new();
    assert_eq!(
        setuser(&acl, "a b", "on"),
        Err("ERR Usernames can't contain spaces or null characters".into())
    );
    assert_eq!(
        setuser(&acl, "u", "(+get ~x"),
        Err("ERR Unmatched parenthesis in acl selector starting at '(+get'.".into())
    );
    assert_eq!(
        setuser(&acl, "u", "(&* &fail)"),
        Err("ERR Error in ACL SETUSER modifier '(&* &fail)': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels".into())
    );
    assert_eq!(
        setuser(&acl, "u", "<notthere"),
        Err("ERR Error in ACL SETUSER modifier '<notthere': The password you are trying to remove from the user does not exist".into())
    );
    assert_eq!(acl.deluser(&[b"u".as_slice(), b"default"]).unwrap_err().to_string(), "ERR The 'default' user cannot be removed");
    assert_eq!(acl.cat(Some(b"nosuch")).unwrap_err().to_string(), "ERR Unknown category 'nosuch'");
}

#[test]
fn nested_selector_restart_quirk() {
    let acl = Acl::new();
    setuser(&acl, "test1", "(+PING (+SELECT (+DEL )").unwrap();
    let info = acl.getuser(b"test1").unwrap();
    assert_eq!(info.selectors.len(), 1);
    assert_eq!(info.selectors[0].commands, b"-@all +del".to_vec());
}

#[test]
fn dryrun_texts() {
    let acl = Acl::new();
    setuser(&acl, "u", "on +@all %R~r* %W~w* &chan").unwrap();
    let d = |s: &str| {
        acl.dryrun(b"u", &argv(s)).map(|o| match o {
            DryRun::Allowed => None,
            DryRun::Denied { message, .. } => Some(String::from_utf8(message).unwrap()),
        })
    };
    assert_eq!(d("GET w1").unwrap().unwrap(), "This user has no permissions to access the 'w1' key");
    assert_eq!(d("SET w1 v").unwrap(), None);
    assert_eq!(d("publish other m").unwrap().unwrap(), "This user has no permissions to access the 'other' channel");
    assert_eq!(d("RENAME r1 w1").unwrap().unwrap(), "This user has no permissions to access the 'r1' key");
    setuser(&acl, "v", "on").unwrap();
    assert_eq!(
        acl.dryrun(b"v", &argv("client kill x")).unwrap().text(),
        b"This user has no permissions to run the 'client|kill' command"
    );
    assert_eq!(acl.dryrun(b"v", &argv("auth a b")).unwrap(), DryRun::Allowed);
    assert_eq!(acl.dryrun(b"nouser", &argv("get a")).unwrap_err().to_string(), "ERR User 'nouser' not found");
    assert_eq!(acl.dryrun(b"u", &argv("CONFIG nosuch")).unwrap_err().to_string(), "ERR Command 'CONFIG' not found");
    assert_eq!(acl.dryrun(b"u", &argv("CONFIG")).unwrap_err().to_string(), "ERR wrong number of arguments for 'config' command");
}

#[test]
fn selectors_are_not_additive() {
    let acl = Acl::new();
    setuser(&acl, "u", "on (%R~read* +@all) (%W~write* +@all)").unwrap();
    assert!(acl.check(b"u", &argv("COPY read write")).is_err());
    setuser(&acl, "m", "on +mget ~key (+mget ~key ~otherkey)").unwrap();
    match acl.check(b"m", &argv("MGET key otherkey someotherkey")) {
        Err(AclError::Denied { kind: DenialKind::Key, object, .. }) => assert_eq!(object, b"someotherkey"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn deluser_marks_handles_removed() {
    let acl = Acl::new();
    setuser(&acl, "u", "on nopass").unwrap();
    let h = acl.authenticate_user(b"u", b"anything").unwrap();
    assert_eq!(acl.deluser(&[b"u".as_slice(), b"nope"]).unwrap(), 1);
    assert!(h.is_removed());
    assert!(!acl.authenticate(b"u", b"anything"));
}

#[test]
fn aclfile_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.acl");
    let acl = Acl::new();
    setuser(&acl, "alice", "on >a ~cached:* &* +@all -flushall").unwrap();
    setuser(&acl, "bob", "on >b +get (~x +set)").unwrap();
    acl.save(&path).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.starts_with("user alice on #"), "{saved}");
    let other = Acl::new();
    other.load(&path).unwrap();
    assert_eq!(other.list(), acl.list());
    std::fs::write(&path, "user x on +nosuch\n").unwrap();
    let before = other.list();
    assert!(other.load(&path).is_err());
    assert_eq!(other.list(), before, "a bad aclfile loads nothing");
    let missing = dir.path().join("missing.acl");
    assert_eq!(
        other.load(&missing).unwrap_err().to_string(),
        format!("ERR Error loading ACLs, opening file '{}': No such file or directory", missing.display())
    );
}

#[test]
fn genpass() {
    assert_eq!(Acl::genpass(DEFAULT_GENPASS_BITS).unwrap().len(), 64);
    assert_eq!(Acl::genpass(5).unwrap().len(), 2);
    assert_eq!(Acl::genpass(4096).unwrap().len(), 1024);
    assert_eq!(Acl::genpass(0).unwrap_err(), AclError::GenpassRange);
    assert_eq!(Acl::genpass(4097).unwrap_err(), AclError::GenpassRange);
}

#[test]
fn cached_view_follows_user_changes() {
    let acl = Acl::new();
    setuser(&acl, "u", "on nopass +get ~k").unwrap();
    let user = acl.user(b"u").unwrap();
    let get = argv("GET k");
    let cmd = table().resolve(&get).unwrap();
    let mut view = UserView::default();
    assert!(user.check_cached(&mut view, cmd, &get).is_ok());
    setuser(&acl, "u", "-get").unwrap();
    assert!(user.check_cached(&mut view, cmd, &get).is_err(), "a change applies to the next check");
    let other = acl.default_user();
    assert!(other.check_cached(&mut view, cmd, &get).is_ok(), "a view never answers for another user");
}

#[test]
fn duplicate_patterns_are_dropped_as_redis_does() {
    // Expected lines printed by redis-server 7.0.15 for the same two SETUSERs.
    let acl = Acl::new();
    let rules = "on %R~k1 ~k2 %W~k1 &c1 &c2 &c1 +select|AbC +select|abc +select|x %RW~k2";
    let mut args = argv(rules);
    args.push(b"(~a ~a %R~b %W~b &z &z)".to_vec());
    acl.setuser(b"u", &args).unwrap();
    assert_eq!(
        String::from_utf8(acl.list()[1].clone()).unwrap(),
        "user u on ~k1 ~k2 resetchannels &c1 &c2 -@all +select|AbC +select|x (~a ~b resetchannels &z -@all)"
    );
    setuser(&acl, "u", "-select +select|Q +select|q").unwrap();
    assert_eq!(
        String::from_utf8(acl.list()[1].clone()).unwrap(),
        "user u on ~k1 ~k2 resetchannels &c1 &c2 -@all +select|Q (~a ~b resetchannels &z -@all)"
    );
    assert!(acl.check(b"u", &argv("SELECT q")).is_ok(), "first args match case-insensitively");
    assert!(acl.check(b"u", &argv("SELECT AbC")).is_err());
}

#[test]
fn huge_pattern_lists_cost_linear_work() {
    // Every duplicate check goes through the pattern sets' counted comparisons. Redis' (and
    // our former) scan of the list before each append makes n(n-1)/2 comparisons per list:
    // with n = 5,000 key patterns, channels and first args that is over 37 million for the
    // first SETUSER alone, while the budget below allows 40 per rule over the whole test
    // (SETUSER, a second SETUSER that thaws the user and computes the revoked channels, and an
    // ACL LOAD of the same line), which only hashed lookups can stay within.
    let n = 5_000;
    let mut rules: Vec<Vec<u8>> = vec![b"on".to_vec()];
    for i in 0..n {
        rules.push(format!("%R~key:{i}").into_bytes());
        rules.push(format!("&chan:{i}").into_bytes());
        rules.push(format!("+select|arg{i}").into_bytes());
        rules.push(format!(">pw{i}").into_bytes());
    }
    for i in 0..n {
        rules.push(format!("%W~key:{i}").into_bytes());
        rules.push(format!("&chan:{i}").into_bytes());
        rules.push(format!("+SELECT|ARG{i}").into_bytes());
        rules.push(format!(">pw{i}").into_bytes());
    }
    // Removing and re-adding half of them moves those to the end, as in Redis.
    for i in (0..n).step_by(2) {
        rules.push(format!("<pw{i}").into_bytes());
        rules.push(format!(">pw{i}").into_bytes());
    }
    let total_rules = 2 * rules.len() as u64;
    let before = super::pattern_set::comparisons();
    let acl = Acl::new();
    acl.setuser(b"big", &rules).unwrap();
    let line = acl.list()[0].clone();
    // Drop one channel: the revoked-channels computation compares the old and new lists.
    acl.setuser(b"big", &[&b"resetchannels"[..], b"&chan:1"]).unwrap();
    // Re-applied over the existing (thawed) user: every pattern is a duplicate now.
    let mut again = vec![b"resetchannels".to_vec()];
    again.extend_from_slice(&rules[1..]);
    acl.setuser(b"big", &again).unwrap();
    assert!(acl.list()[0] == line, "re-applying the rules must not change the user");
    let mut file = line.clone();
    file.push(b'\n');
    let loaded = Acl::new();
    loaded.load_text(&file, "big.acl").unwrap();
    assert!(loaded.list()[0] == line, "ACL LOAD of the ACL LIST line gives the same user");
    let work = super::pattern_set::comparisons() - before;
    assert!(work <= 40 * total_rules, "{work} comparisons for {total_rules} rules");

    let text = String::from_utf8(line).unwrap();
    assert!(text.starts_with("user big on #"), "{}", &text[..60]);
    assert!(text.contains(" ~key:0 ~key:1 ~key:2 "), "key patterns in the order given");
    assert_eq!(text.matches(" ~key:").count(), n);
    assert_eq!(text.matches(" &chan:").count(), n);
    assert_eq!(text.matches(" +select|arg").count(), n, "the first spelling is kept");
    assert_eq!(text.matches(" #").count(), n);
    let info = acl.getuser(b"big").unwrap();
    assert_eq!(info.passwords[0], super::password::PasswordHash::of(b"pw1").to_hex());
    assert_eq!(info.passwords[n - 1], super::password::PasswordHash::of(format!("pw{}", n - 2).as_bytes()).to_hex());
}
