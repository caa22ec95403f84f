"""Fixed cases: every example of the NATS seed (shared/seeds/004_1ace5ab9f6b9f48c.txt), as
written, plus the spec's observed 2.9.10 behaviours (spec §7) that the generator reaches only by
chance.

Each login may carry `want`: the verdict the seed or the spec states. It is checked against
nats-server (a failure there is the harness' or the spec's) and, like every recorded verdict,
against authgate. `url: True` also logs in through nats-py with the credentials in the server
URL, the seed's "connection string" form (127.0.0.1 instead of the seed's localhost: the servers
listen on 127.0.0.1 only).

The seed's mkpasswd example is the `passwd` case: `authgate nats passwd` makes the hash, a config
stores it, nats-server must accept the password (run only when authgate is under test).
"""

SEED_BCRYPT = "$2a$11$1oJy/wZYNTxr9jNwMNwS3eUGhBpHT3On8CL9o7ey89mpgo88VG6ba"  # of "password"
# made with Python's bcrypt: hashpw(b"pw", b"$2a$04$abcdefghijklmnopqrstuu") and
# hashpw(b"x" * 72, b"$2a$04$ABCDEFGHIJKLMNOPQRSTUu")
HASH_PW = "$2a$04$abcdefghijklmnopqrstuuyvPXIbu7xe6/CED2DzX8z6Si09MlzlW"
HASH_72X = "$2a$04$ABCDEFGHIJKLMNOPQRSTUuuPMGVdMuE6yqNwaDAANxW.7cK/ZbrX6"

OK_G = {"ok": True, "account": "$G"}
REFUSED = {"ok": False}


def login(user=None, password=None, token=None, want=None, checks=(), url=False, note=""):
    lg = {"user": user, "password": password, "token": token, "checks": [list(c) for c in checks],
          "note": note}
    if want is not None:
        lg["want"] = dict(want)
    if url:
        lg["url"] = True
    return lg


def ok(user):
    return dict(OK_G, user=user)


ANY_CHECKS = [("pub", "foo"), ("sub", "foo", None), ("sub", ">", "grp")]


def cases():
    out = []

    def add(name, logins, files=None, server_args=None, note=""):
        out.append({"name": name, "seed": None, "files": files or {},
                    "main": "main.conf" if files else None, "server_args": server_args or [],
                    "env": {}, "logins": logins, "note": note, "fixed": True})

    # "nats-server -DV --user foo --pass bar" allows foo/bar and no one else.
    add("seed-cli-user-pass", [
        login("foo", "bar", want=ok("foo"), checks=ANY_CHECKS, url=True, note="the seed's credentials"),
        login("foo", "baz", want=REFUSED), login("bar", "bar", want=REFUSED), login(want=REFUSED),
        login(token="bar", want=REFUSED), login("FOO", "bar", want=REFUSED),
    ], server_args=["-DV", "--user", "foo", "--pass", "bar"])
    # "nats-server -DV -auth 'S3Cr3T0k3n!'" allows clients with that token and no others.
    add("seed-cli-token", [
        login(token="S3Cr3T0k3n!", want=dict(OK_G, user=""), checks=ANY_CHECKS, url=True),
        login(token="S3Cr3T0k3n", want=REFUSED), login("S3Cr3T0k3n!", "x", want=REFUSED),
        login(want=REFUSED),
    ], server_args=["-DV", "-auth", "S3Cr3T0k3n!"])
    add("seed-single-user", [
        login("derek", "T0pS3cr3t", want=ok("derek"), checks=ANY_CHECKS, url=True),
        login("derek", "t0ps3cr3t", want=REFUSED), login("Derek", "T0pS3cr3t", want=REFUSED),
        login(want=REFUSED), login(token="T0pS3cr3t", want=REFUSED),
    ], files={"main.conf": "authorization {\n  user: derek\n  password: T0pS3cr3t\n  timeout: 1\n}\n"})
    # route authorization only: client connections need no credentials
    add("seed-cluster-authorization", [
        login(want=ok(""), checks=ANY_CHECKS), login("route_user", "T0pS3cr3tT00!", want=ok("")),
    ], files={"main.conf": "cluster {\n  authorization {\n    user: route_user\n"
                           "    password: T0pS3cr3tT00!\n    timeout: 0.5\n  }\n}\n"})
    add("seed-multi-user", [
        login("alice", "foo", want=ok("alice"), checks=ANY_CHECKS, url=True),
        login("bob", "bar", want=ok("bob"), url=True),
        login("alice", "bar", want=REFUSED), login("carol", "foo", want=REFUSED), login(want=REFUSED),
    ], files={"main.conf": "authorization {\n  users = [\n    {user: alice, password: foo}\n"
                           "    {user: bob, password: bar}\n  ]\n}\n"})
    # PASS is also the authorization block's `pass` key (keys are matched lower-cased, spec §1.1)
    add("seed-variables", [
        login("joe", "abcdefghijklmnopqrstuvwxyz0123456789", want=ok("joe"), checks=ANY_CHECKS, url=True),
        login("alice", "foo", want=ok("alice")), login("bob", "bar", want=ok("bob")),
        login("joe", "$PASS", want=REFUSED), login(want=REFUSED),
        login(password="abcdefghijklmnopqrstuvwxyz0123456789", note="the block's pass alone"),
    ], files={"main.conf": "authorization {\n  PASS: abcdefghijklmnopqrstuvwxyz0123456789\n"
                           "  users = [\n    {user: alice, password: foo}\n    {user: bob, password: bar}\n"
                           "    {user: joe, password: $PASS}\n  ]\n}\n"})
    # the mkpasswd output, pasted unquoted as the seed shows it ($2a$ stays literal, spec §1.8)
    add("seed-bcrypt-unquoted", [
        login("derek", "password", want=ok("derek"), url=True),
        login("derek", SEED_BCRYPT, want=REFUSED, note="the hash itself"),
        login("derek", "Password", want=REFUSED),
    ], files={"main.conf": "authorization {\n  users = [\n    {user: derek, password: " + SEED_BCRYPT + "}\n  ]\n}\n"})
    add("seed-bcrypt-quoted", [
        login("derek", "password", want=ok("derek")), login("derek", "passwor", want=REFUSED),
    ], files={"main.conf": 'authorization {\n  user: derek\n  password: "' + SEED_BCRYPT + '"\n}\n'})

    # spec §7 / §5: observed 2.9.10 behaviours
    add("spec-queue-permissions", [
        login("a", "a", want=ok("a"), checks=[("sub", "q.x", "grp3"), ("sub", "q.x", None), ("sub", "q.x", "workers"),
                                             ("sub", "other", "grp3")]),
        login("b", "b", want=ok("b"), checks=[("sub", "q.x", "grp2"), ("sub", "q.x", "grp3"), ("sub", "q.x", None)]),
    ], files={"main.conf": 'authorization { users = [\n'
                           '  {user: a, password: a, permissions: {subscribe: [">", "q.* workers"]}}\n'
                           '  {user: b, password: b, permissions: {subscribe: {deny: ["q.x grp2"]}}}\n] }\n'})
    add("spec-wildcard-quirks", [
        login("a", "a", want=ok("a"), checks=[("sub", "foo.*", None), ("sub", "foo.bar", None), ("sub", "foo.>", None),
                                             ("sub", "*", None), ("sub", "foo", None), ("sub", ">", None)]),
        login("d", "d", want=ok("d"), checks=[("sub", "w.a", None), ("sub", "w.*", None), ("sub", "w.>", None),
                                             ("sub", "*.a", None), ("sub", ">", None), ("pub", "w.a"), ("pub", "x")]),
        login("p", "p", want=ok("p"), checks=[("pub", "foo.a"), ("pub", "foo.secret"), ("pub", "foo"), ("pub", "foo.a.b")]),
    ], files={"main.conf": 'authorization { users = [\n'
                           '  {user: a, password: a, permissions: {subscribe: "foo.*"}}\n'
                           '  {user: d, password: d, permissions: {subscribe: {deny: "w.*"}, publish: {deny: ">"}}}\n'
                           '  {user: p, password: p, permissions: {publish: {allow: "foo.*", deny: "foo.secret"}}}\n] }\n'})
    add("spec-allow-responses", [
        login("r", "r", want=ok("r"), checks=[("pub", "foo"), ("pub", "_INBOX.x"), ("sub", "foo", None)]),
        login("s", "s", want=ok("s"), checks=[("pub", "foo"), ("pub", "bar"), ("sub", "x", None)]),
    ], files={"main.conf": 'authorization { users = [\n  {user: r, password: r, permissions: {allow_responses: true}}\n'
                           '  {user: s, password: s, permissions: {publish: {}, subscribe: [], '
                           'allow_responses: {max: 5, expires: "1m"}}}\n] }\n'})
    add("spec-no-auth-user", [
        login(want=ok("alice"), checks=[("pub", "alice.x"), ("pub", "other")]),
        login("bob", "b", want=dict(ok("bob"), account="B")),
        login("alice", "a", want=ok("alice")), login("alice", "", want=REFUSED),
    ], files={"main.conf": 'accounts {\n  B { users = [{user: bob, password: b}] }\n}\n'
                           'authorization { users = [{user: alice, password: a, permissions: {publish: "alice.>"}}] }\n'
                           'no_auth_user: alice\n'})
    add("spec-no-auth-user-bcrypt", [
        login(want=REFUSED, note="the stored hash is injected as the password (spec §4.4)"),
        login("h", "pw", want=ok("h")),
    ], files={"main.conf": 'authorization { users = [{user: h, password: "' + HASH_PW + '"}] }\nno_auth_user: h\n'})
    add("spec-auth-off", [
        login(want=ok(""), checks=ANY_CHECKS), login("anyone", "anything", want=ok("")),
        login(token="whatever", want=ok("")),
    ], files={"main.conf": "authorization { users = [] }\n"})
    add("spec-lookalike-and-truncation", [
        login("l", "$2a$notreallyahash", want=ok("l")), login("t", "x" * 80, want=ok("t")),
        login("t", "x" * 71, want=REFUSED),
    ], files={"main.conf": 'authorization { users = [\n  {user: l, password: "$2a$notreallyahash"}\n'
                           '  {user: t, password: "' + HASH_72X + '"}\n] }\n'})
    add("spec-block-string-token", [
        login(token="\nsecret\n", want=ok("")), login(token="secret", want=REFUSED),
    ], files={"main.conf": "authorization {\n  token: (\nsecret\n)\n}\n"})
    return out


def passwd_case(hash_line):
    """The mkpasswd example: the hash authgate printed for "password", stored in a config."""
    return {"name": "seed-mkpasswd", "seed": None, "main": "main.conf", "server_args": [], "env": {},
            "files": {"main.conf": 'authorization {\n  users = [\n    {user: derek, password: "' + hash_line + '"}\n  ]\n}\n'},
            "logins": [login("derek", "password", want=ok("derek")), login("derek", "passwor", want=REFUSED)],
            "note": "authgate nats passwd --cost 4 < 'password'", "fixed": True}
