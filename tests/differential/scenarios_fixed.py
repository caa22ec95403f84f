"""Hand-written scenarios for the spec's verified examples. Steps with `expect` must also give the
spec's exact reply (after the same normalisation) on *both* servers.
"""
from normalize import normalise
from pools import CATEGORIES, sha
from scenarios_fixed_more import more_scenarios

OK = ("+", b"OK")


def err(t):
    return ("-", t if isinstance(t, bytes) else t.encode())


def bulk(b):
    return ("$", b if b is None or isinstance(b, bytes) else b.encode())


def arr(*items):
    return ("*", tuple(items))


def b(x):
    return x if isinstance(x, bytes) else x.encode()


def S(conn, *argv, expect=None, exec_=True):
    argv = [b(a) for a in argv]
    st = {"op": "call", "conn": conn, "argv": argv, "exec": exec_}
    if expect is not None:
        st["expect"] = normalise(argv, expect)
    return st


def A(*argv, expect=None):
    return S("admin", *argv, expect=expect)


def setuser(name, *rules, expect=OK):
    return A("ACL", "SETUSER", name, *rules, expect=expect)


def modifier_err(rule, msg):
    return err(b"ERR Error in ACL SETUSER modifier '" + b(rule) + b"': " + b(msg))


def dry(user, *argv, res="OK"):
    """res: "OK", or ("key"|"channel", name), or ("cmd", fullname)."""
    if res == "OK":
        exp = OK
    elif res[0] == "cmd":
        exp = bulk(f"This user has no permissions to run the '{res[1]}' command")
    else:
        exp = bulk(b"This user has no permissions to access the '" + b(res[1]) + b"' " + b(res[0]))
    return A("ACL", "DRYRUN", user, *argv, expect=exp)


def list_line(user, line):
    """Expect the ACL LIST reply to be [line, default]: both users, sorted by name."""
    lines = sorted([b("user " + user + " " + line if line else "user " + user), b"user default on nopass ~* &* +@all"])
    return A("ACL", "LIST", expect=arr(*(bulk(x) for x in lines)))


def scenario(name, steps, profile="plain", **kw):
    sc = {"name": "fixed-" + name, "seed": None, "profile": profile,
          "steps": [{"op": "open", "conn": "admin"}] + steps}
    sc.update(kw)
    return sc


E_ENOENT = "Unknown command or category name in ACL"
E_EINVAL = "Syntax error"
E_EEXIST = ("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any "
            "effect. Try 'resetkeys' to start with an empty list of patterns")
E_EISDIR = ("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any "
            "effect. Try 'resetchannels' to start with an empty list of channels")
E_ENODEV = "The password you are trying to remove from the user does not exist"
E_EBADMSG = "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
E_ECHILD = "Allowing first-arg of a subcommand is not supported"


def canonical_strings():
    """Spec §4 examples."""
    h1, h2 = sha(b"pass1").decode(), sha(b"pass2").decode()
    habc = sha(b"abc").decode()
    steps = [
        A("ACL", "LIST", expect=arr(bulk("user default on nopass ~* &* +@all"))),
        setuser("newuser"), list_line("newuser", "off resetchannels -@all"),
        A("ACL", "DELUSER", "newuser", expect=(":", 1)),
        setuser("n1", "on", ">pass1", ">pass2", ">pass1", "~foo:*", "~bar", "~foo:*", "%R~r*", "%W~w*", "%R~w*",
                "&ch1", "&ch2", "&ch1", "+get", "+set", "-@all", "+@string", "-incr", "+client|id", "+select|0",
                "+select|1", "+debug|object"),
        list_line("n1", f"on #{h1} #{h2} ~foo:* ~bar %R~r* ~w* resetchannels &ch1 &ch2 -@all +@string -incr "
                        "+select|0 +select|1 +client|id +debug|object"),
        A("ACL", "DELUSER", "n1"),
        setuser("n2", "reset", "+@all", "-@dangerous", "+flushdb", "-config|set", "+config|get", "allkeys",
                "allchannels", "nopass", "on"),
        list_line("n2", "on nopass sanitize-payload ~* &* +@all -@admin -migrate -sort -restore -sort_ro -flushall "
                        "-restore-asking -info +config|get -swapdb -keys"),
        A("ACL", "DELUSER", "n2"),
        setuser("n3", "(+get ~a)", "(+set ~b &c)", "allkeys"),
        list_line("n3", "off ~* resetchannels -@all (~a resetchannels -@all +get) (~b resetchannels &c -@all +set)"),
        A("ACL", "GETUSER", "n3"),
        A("ACL", "DELUSER", "n3"),
    ]
    for rules, line in [
            ("+@hash +@set +@list", "off resetchannels -@all +@list +@hash +@set"),
            ("+@read +@write -@all", "off resetchannels -@all"),
            ("allcommands nocommands +acl", "off resetchannels -@all +acl"),
            ("+client -client|kill", "off resetchannels -@all +client -client|kill"),
            ("-@all +client|kill +client|id +client", "off resetchannels -@all +client"),
            ("nopass >abc", f"off #{habc} resetchannels -@all"),
            (">abc nopass", "off nopass resetchannels -@all"),
            (">abc resetpass", "off resetchannels -@all"),
            ("+select|0 +select", "off resetchannels -@all +select"),
            ("+select|0 -select", "off resetchannels -@all"),
            ("%R~x %W~x", "off ~x resetchannels -@all"),
            ("%RW~x", "off ~x resetchannels -@all"),
            ("%RW~*", "off ~* resetchannels -@all"),
            ("%RW", "off ~ resetchannels -@all"),
            ("~", "off ~ resetchannels -@all"),
            ("&", "off resetchannels & -@all"),
            ("%R", "off %R~ resetchannels -@all"),
            ("(+PING (+SELECT (+DEL )", "off resetchannels -@all (resetchannels -@all +del)"),
            ("()", "off resetchannels -@all (resetchannels -@all)"),
            ("on skip-sanitize-payload sanitize-payload", "on sanitize-payload resetchannels -@all"),
            ("sanitize-payload skip-sanitize-payload off", "off skip-sanitize-payload resetchannels -@all"),
            ("+@all -@all +get|x +get|X +GET|y", "off resetchannels -@all +get|x +get|y"),
            ("clearselectors (+get) clearselectors", "off resetchannels -@all")]:
        steps += [setuser("c1", *rules.split(" ")), list_line("c1", line), A("ACL", "GETUSER", "c1"),
                  A("ACL", "DELUSER", "c1")]
    # "ACL GETUSER provides reasonable results": every category prints exactly.
    for cat in CATEGORIES:
        steps += [setuser("cu", "reset", "+@all", "-@" + cat),
                  A("ACL", "GETUSER", "cu"),
                  list_line("cu", f"off sanitize-payload resetchannels +@all -@{cat}"),
                  setuser("cu", "reset", "-@all", "+@" + cat),
                  list_line("cu", f"off sanitize-payload resetchannels -@all +@{cat}")]
    return scenario("canonical-strings", steps)


def setuser_errors():
    """Spec §2 error texts and atomicity."""
    steps = [
        setuser("u1", "on", ">p1", "+get", "~x"),
        setuser("u1", "on", ">p1", "+get", "~x", "badrule", expect=modifier_err("badrule", E_EINVAL)),
        A("ACL", "GETUSER", "u1"),
        setuser("u2", "on", "badrule", expect=modifier_err("badrule", E_EINVAL)),
        A("ACL", "GETUSER", "u2", expect=bulk(None)),
        setuser("u1", "(&* &fail)", expect=modifier_err("(&* &fail)", E_EISDIR)),
        setuser("u1", "allkeys", "~x", expect=modifier_err("~x", E_EEXIST)),
        setuser("u1", "~*", "%R~x", expect=modifier_err("%R~x", E_EEXIST)),
        setuser("u1", "allchannels", "&x", expect=modifier_err("&x", E_EISDIR)),
        setuser("u1", "<notthere", expect=modifier_err("<notthere", E_ENODEV)),
        setuser("u1", "!" + sha(b"nope").decode(), expect=modifier_err("!" + sha(b"nope").decode(), E_ENODEV)),
        setuser("u1", "#" + sha(b"x").decode().upper(), expect=modifier_err("#" + sha(b"x").decode().upper(), E_EBADMSG)),
        setuser("u1", "#abc", expect=modifier_err("#abc", E_EBADMSG)),
        setuser("u1", "!abc", expect=modifier_err("!abc", E_EBADMSG)),
        setuser("u1", "+nosuch", expect=modifier_err("+nosuch", E_ENOENT)),
        setuser("u1", "+@nosuch", expect=modifier_err("+@nosuch", E_ENOENT)),
        setuser("u1", "+", expect=modifier_err("+", E_ENOENT)),
        setuser("u1", "-", expect=modifier_err("-", E_ENOENT)),
        setuser("u1", "+@", expect=modifier_err("+@", E_ENOENT)),
        setuser("u1", "+get|x|y", expect=modifier_err("+get|x|y", E_ENOENT)),
        setuser("u1", "-select|0", expect=modifier_err("-select|0", E_ENOENT)),
        setuser("u1", "+get|", expect=modifier_err("+get|", E_EINVAL)),
        setuser("u1", "+config|get|x", expect=modifier_err("+config|get|x", E_ECHILD)),
        setuser("u1", "+config|nosuch", expect=modifier_err("+config|nosuch", E_ENOENT)),
        setuser("u1", "%~", expect=modifier_err("%~", E_EINVAL)),
        setuser("u1", "%", expect=modifier_err("%", E_EINVAL)),
        setuser("u1", "%~x", expect=modifier_err("%~x", E_EINVAL)),
        setuser("u1", "%X~x", expect=modifier_err("%X~x", E_EINVAL)),
        setuser("u1", "%RR~x", expect=modifier_err("%RR~x", E_EINVAL)),
        setuser("u1", "~a b", expect=modifier_err("~a b", E_EINVAL)),
        setuser("u1", "&a\x00b", expect=modifier_err("&a", E_EINVAL)),  # the quoted rule stops at the NUL
        setuser("u1", "(on)", expect=modifier_err("(on)", E_EINVAL)),
        setuser("u1", "(>pw)", expect=modifier_err("(>pw)", E_EINVAL)),
        setuser("u1", "(reset)", expect=modifier_err("(reset)", E_EINVAL)),
        setuser("u1", " () ", expect=modifier_err(" () ", E_EINVAL)),
        setuser("u1", ")", expect=modifier_err(")", E_EINVAL)),
        setuser("u1", "(+get", "(~x)", expect=modifier_err("(+get (~x)", E_EINVAL)),
        setuser("u1", "(+get", "~x", expect=err("ERR Unmatched parenthesis in acl selector starting at '(+get'.")),
        setuser("u1", "(+get", "~x)", "&y"),
        setuser("u1", "( +get", "~z )"),
        setuser("u1", ""),
        setuser("u1", "ON", "+@ALL", "AllKeys", "NoPass", "ReSeTcHaNnElS"),
        setuser("a b", "on", expect=err("ERR Usernames can't contain spaces or null characters")),
        setuser("a\x00b", "on", expect=err("ERR Usernames can't contain spaces or null characters")),
        setuser("a b", "badrule", expect=err("ERR Usernames can't contain spaces or null characters")),
        setuser("", "on", "+@all"),
        A("ACL", "GETUSER", "u1"), A("ACL", "LIST"), A("ACL", "USERS"),
        A("ACL", "DELUSER", "", "u1", "nosuch", expect=(":", 2)),
        A("ACL", "DELUSER", "u1", "default", expect=err("ERR The 'default' user cannot be removed")),
        A("ACL", "DELUSER", "Default", expect=(":", 0)),
    ]
    return scenario("setuser-errors", steps)


def dryrun_table():
    """Spec §7 key-permission table and §5 selector examples."""
    u = "kp"
    steps = [setuser(u, "on", "nopass", "+@all", "%R~r*", "%W~w*")]
    for argv, res in [
        (["GET", "w1"], ("key", "w1")), (["SET", "w1", "v"], "OK"), (["SET", "w1", "v", "GET"], ("key", "w1")),
        (["SET", "w1", "get"], "OK"), (["DEL", "r1"], ("key", "r1")), (["EXISTS", "r1", "w1"], "OK"),
        (["EXISTS", "x"], ("key", "x")), (["RENAME", "r1", "w1"], ("key", "r1")), (["INCR", "w1"], ("key", "w1")),
        (["COPY", "r1", "w1"], "OK"), (["MGET", "r1", "r2", "w1", "w2"], ("key", "w1")), (["EXPIRE", "w1", "10"], "OK"),
        (["TTL", "w1"], ("key", "w1")), (["RESTORE", "w1", "0", "x"], "OK"), (["ZUNIONSTORE", "w1", "2", "r1", "r2"], "OK"),
        (["LMOVE", "w1", "w2", "LEFT", "RIGHT"], ("key", "w1")), (["KEYS", "*"], "OK"), (["SCAN", "0"], "OK"),
        (["FLUSHALL"], "OK"), (["BITFIELD", "r1", "GET", "u4", "0"], "OK"), (["BITFIELD", "r1", "SET", "u4", "0", "1"], ("key", "r1")),
        (["SORT", "r1", "STORE", "w1"], "OK"), (["SORT", "r1", "STORE", "r2"], ("key", "r2")),
        (["MIGRATE", "h", "1", "", "0", "5", "KEYS", "r1"], ("key", "r1")), (["MIGRATE", "h", "1", "w1", "0", "5", "KEYS", "r1"], "OK"),
        (["EVAL", "x", "1", "r1"], ("key", "r1")), (["EVAL_RO", "x", "1", "r1"], "OK"), (["PFCOUNT", "r1"], "OK"),
        (["XREAD", "STREAMS", "r1", "w1", "0", "0"], ("key", "w1")), (["GEORADIUS", "r1", "0", "0", "1", "km", "STORE", "w1"], "OK"),
        (["GEORADIUS", "r1", "0", "0", "1", "km", "STORE", "r2"], ("key", "r2")), (["LMPOP", "1", "w1", "LEFT"], ("key", "w1")),
        (["STRLEN", "r1"], "OK"), (["STRLEN", "w1"], "OK"), (["STRLEN", "z"], ("key", "z")),
        (["PUBLISH", "ch", "m"], ("channel", "ch")), (["SUBSCRIBE", "ch"], ("channel", "ch")),
        (["AUTH", "a", "b"], "OK"), (["HELLO"], "OK"), (["QUIT"], "OK"), (["RESET"], "OK"),
    ]:
        steps.append(dry(u, *argv, res=res))
    steps += [
        setuser("sel", "on", "+mget", "~key", "(+mget ~key ~otherkey)"),
        dry("sel", "MGET", "key", "otherkey", "someotherkey", res=("key", "someotherkey")),
        dry("sel", "MGET", "key", "otherkey"),
        setuser("rw", "on", "(%R~read* +@all)", "(%W~write* +@all)"),
        dry("rw", "COPY", "read", "write", res=("key", "write")),  # equal kinds: the larger position
        dry("rw", "GET", "read"), dry("rw", "SET", "write", "v"),
        setuser("na", "on", "-@all"),
        dry("na", "GET", "x", res=("cmd", "get")), dry("na", "CLIENT", "KILL", "ID", "1", res=("cmd", "client|kill")),
        dry("na", "AUTH", "x", "y"), dry("na", "HELLO", "3"),
        A("ACL", "DRYRUN", "nosuch", "get", "x", expect=err("ERR User 'nosuch' not found")),
        A("ACL", "DRYRUN", "na", "CONFIG", "nosuch", expect=err("ERR Command 'CONFIG' not found")),
        A("ACL", "DRYRUN", "na", "nosuch", "a", expect=err("ERR Command 'nosuch' not found")),
        A("ACL", "DRYRUN", "na", "CONFIG", expect=err("ERR wrong number of arguments for 'config' command")),
        A("ACL", "DRYRUN", "na", "GET", expect=err("ERR wrong number of arguments for 'get' command")),
        A("ACL", "DRYRUN", "na", "config", "get", expect=err("ERR wrong number of arguments for 'config|get' command")),
        setuser("fa", "on", "-@all", "+select|0", "+select|1"),
        dry("fa", "SELECT", "0"), dry("fa", "select", "2", res=("cmd", "select")),
        setuser("sorter", "on", "+@all", "~v*"),
        dry("sorter", "SORT", "v1", "BY", "v*"),
        setuser("pat", "on", "+@all", "%RW~*"),
        dry("pat", "GET", "", res=("key", "")), dry("pat", "GET", "a"),
        setuser("all", "on", "+@all", "allkeys"), dry("all", "GET", ""),
        setuser("empty", "on", "+@all", "~"), dry("empty", "GET", ""), dry("empty", "GET", "a", res=("key", "a")),
        setuser("nokey", "on", "+@all", "%RW~"), dry("nokey", "SET", "x", "5", res=("key", "x")),
        setuser("nopat", "on", "+@all", "%RW"), dry("nopat", "SET", "x", "5", res=("key", "x")),
    ]
    return scenario("dryrun-table", steps)


def glob_examples():
    """Spec §10: glob semantics through DRYRUN."""
    steps = []
    cases = [("h?llo", ["hello"], ["hllo", "HELLO"]), ("h[ae]llo2", ["hallo2"], ["hillo2"]),
             ("h[^e]llo3", ["hallo3"], ["hello3"]), ("[z-x]q", ["yq"], ["aq"]), ("x\\*y", ["x*y"], ["xzy"]),
             ("lit\\?", ["lit?"], ["litx"]), ("u[", [], ["u", "u[", "ua"]), ("v[^]", ["v]", "vx"], ["v"]),
             ("esc\\", ["esc\\"], ["esc"]), ("br[ab", ["bra", "brb"], ["brc"]), ("[]", [], ["", "]", "[]"]),
             ("a*", ["a", "abc"], ["", "ba"]), ("**", ["a"], [""]), ("*", ["a", ""], []), ("[\\]]", ["]"], ["\\"]),
             ("[a-]z", [], []), ("*a*b*c", ["xaybzc"], ["xaybz"]), ("\xc3[\xa9]", ["\xc3\xa9"], ["\xc3a"]),
             ("[\x80-\xff]", [], []), ("[^a-z]", ["A", "-"], ["q"])]
    for i, (pat, yes, no) in enumerate(cases):
        u = f"g{i}"
        steps.append(setuser(u, "on", "+@all", b"~" + pat.encode("latin-1")))
        for key in yes:
            steps.append(dry(u, "GET", key.encode("latin-1")))
        for key in no:
            steps.append(dry(u, "GET", key.encode("latin-1"), res=("key", key.encode("latin-1"))))
        for key in ["", "a", "z", "az", "]z", "-", "\\", "\x80", "\xff", "A", "^", "[", "yz"]:
            steps.append(A("ACL", "DRYRUN", u, "GET", key.encode("latin-1")))
    steps += [
        setuser("deep", "on", "+@all", b"~" + b"*?" * 1000),
        dry("deep", "GET", b"a" * 1000),
        setuser("deeper", "on", "+@all", b"~" + b"*?" * 1001),
        dry("deeper", "GET", b"a" * 1001, res=("key", b"a" * 1001)),
        setuser("chans", "on", "+@all", "&chan:*", "&lit\\*", "&h?llo"),
        dry("chans", "PSUBSCRIBE", "chan:*"), dry("chans", "PSUBSCRIBE", "chan:1*", res=("channel", "chan:1*")),
        dry("chans", "SUBSCRIBE", "chan:1"), dry("chans", "PUBLISH", "chan:x", "m"),
        dry("chans", "PSUBSCRIBE", "h?llo"), dry("chans", "PSUBSCRIBE", "hello", res=("channel", "hello")),
        dry("chans", "SUBSCRIBE", "hello", "chan:1", "nope", res=("channel", "nope")),
        dry("chans", "SSUBSCRIBE", "hallo"), dry("chans", "SPUBLISH", "x", "m", res=("channel", "x")),
        dry("chans", "UNSUBSCRIBE", "nope"), dry("chans", "PUNSUBSCRIBE", "nope"), dry("chans", "PUBSUB", "CHANNELS", "nope"),
        dry("chans", "PSUBSCRIBE", "lit\\*"), dry("chans", "SUBSCRIBE", "lit*"), dry("chans", "SUBSCRIBE", "litx", res=("channel", "litx")),
    ]
    return scenario("glob-examples", steps)


def fixed_scenarios():
    from scenarios_introspection import introspection_scenarios
    return [canonical_strings(), setuser_errors(), dryrun_table(), glob_examples()] + more_scenarios() + \
        introspection_scenarios()
