"""Hand-written scenarios for the introspection replies: COMMAND GETKEYS over every command with
key specs, COMMAND (COUNT, INFO, DOCS, LIST, HELP), CLIENT INFO / LIST of connections in every
state, INFO sections, PUBSUB CHANNELS and the client-info of ACL LOG entries.
"""
import random

from cmdgen import KEYED, CommandGen

# Argument lists per keyed command in the getkeys scenario (seeded, so the same ones every run).
GETKEYS_PER_COMMAND = 8


def _h():
    import scenarios_fixed as f
    return f


def getkeys_every_command():
    """COMMAND GETKEYS and GETKEYSANDFLAGS for argument lists of every command that has key
    specs: the full key list in order (with each key's flags), or the error (no key arguments,
    wrong number of arguments, invalid)."""
    f = _h()
    rng = random.Random(20240607)
    gen = CommandGen(rng)
    steps = []
    for full in KEYED:
        for i in range(GETKEYS_PER_COMMAND):
            steps.append(f.A("COMMAND", "GETKEYS" if i % 2 else "GETKEYSANDFLAGS", *gen.keyed(full)))
    steps += [
        f.A("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2", expect=f.arr(f.bulk("a"), f.bulk("b"))),
        f.A("COMMAND", "GETKEYS", "set", "k", "v", "get", expect=f.arr(f.bulk("k"))),
        f.A("COMMAND", "GETKEYS", "zunionstore", "d", "2", "a", "b",
            expect=f.arr(f.bulk("d"), f.bulk("a"), f.bulk("b"))),
        f.A("COMMAND", "GETKEYS", "eval", "s", "2x", "a", "b"),
        f.A("COMMAND", "GETKEYS", "ping", "x", expect=f.err("ERR The command has no key arguments")),
        f.A("COMMAND", "GETKEYS", "nosuch", "a", expect=f.err("ERR Invalid command specified")),
        f.A("COMMAND", "GETKEYS", "config", "nosuch", expect=f.err("ERR Invalid command specified")),
        f.A("COMMAND", "GETKEYS", "get", "a", "b",
            expect=f.err("ERR Invalid number of arguments specified for command")),
        f.A("COMMAND", "GETKEYS", "get", expect=f.err("ERR wrong number of arguments for 'command|getkeys' command")),
        f.A("COMMAND", "GETKEYS", "zunion", "0", "a", expect=f.err("ERR Invalid arguments specified for command")),
        f.A("COMMAND", "GETKEYS", "eval", "s", "0", expect=f.arr()),
        f.A("COMMAND", "GETKEYS", "spublish", "ch", "m"),
        f.A("COMMAND", "GETKEYS"), f.A("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"),
        f.A("COMMAND", "GETKEYSANDFLAGS", "sort", "k", "store", "d"),
        f.A("COMMAND", "GETKEYSANDFLAGS", "lmove", "a", "b", "left", "right"),
    ]
    return f.scenario("getkeys-every-command", steps)


def command_introspection():
    f = _h()
    A = f.A
    steps = [
        A("COMMAND", "COUNT"), A("COMMAND"), A("COMMAND", "INFO"), A("COMMAND", "INFO", "get", "config", "nosuch", "acl|setuser"),
        A("COMMAND", "INFO", "CLIENT|kill", "get|x"), A("COMMAND", "DOCS", "get", "client", "nosuch"), A("COMMAND", "DOCS"),
        A("COMMAND", "LIST"), A("COMMAND", "LIST", "FILTERBY", "ACLCAT", "read"),
        A("COMMAND", "LIST", "FILTERBY", "pattern", "x*"), A("COMMAND", "LIST", "FILTERBY", "module", "m"),
        A("COMMAND", "LIST", "FILTERBY", "bogus", "x"), A("COMMAND", "LIST", "x"), A("COMMAND", "HELP"),
        A("COMMAND", "COUNT", "x"), A("COMMAND", "NOSUCH"),
        A("HELLO", "3"), A("COMMAND", "INFO", "get", "xadd"), A("COMMAND", "DOCS", "acl"), A("COMMAND", "COUNT"),
        A("HELLO", "2"),
        # both servers listen on 127.0.0.1 only (servers.py): bind is compared
        A("CONFIG", "GET", "bind"), A("CONFIG", "GET", "*"), A("CONFIG", "GET", "b*", "port", "maxclients"),
    ]
    return f.scenario("command-introspection", steps)


def client_replies():
    """CLIENT INFO / LIST for connections in several states, CLIENT HELP, and ACL LOG entries
    (their client-info) made from different connections."""
    f = _h()
    A, S, OK = f.A, f.S, f.OK
    steps = [
        f.setuser("cl", "on", ">p", "+@all", "~*", "&*", "-flushall"),
        S("named", "CLIENT", "SETNAME", "worker-1", expect=OK), S("named", "SELECT", "3", expect=OK),
        S("r3", "HELLO", "3", "AUTH", "cl", "p"), S("r3", "CLIENT", "INFO"),
        S("sub", "AUTH", "cl", "p", expect=OK),
        {"op": "frames", "conn": "sub", "argv": [b"SUBSCRIBE", b"a", b"b"], "n": 2},
        {"op": "frames", "conn": "sub", "argv": [b"PSUBSCRIBE", b"p*"], "n": 1},
        S("mx", "MULTI", expect=OK), S("mx", "SET", "k", "v"), S("mx", "GET", "k"), S("mx", "INCR", "n"),
        A("CLIENT", "LIST"), A("CLIENT", "INFO"), A("CLIENT", "LIST", "TYPE", "pubsub"),
        A("CLIENT", "LIST", "TYPE", "normal"), A("CLIENT", "LIST", "TYPE", "bogus"),
        A("CLIENT", "LIST", "ID", "1", "2", "3", "4", "5", "6", "7"), A("CLIENT", "LIST", "ID", "x"),
        S("mx", "NOSUCH"), S("mx", "SET", "k2", "v"), A("CLIENT", "LIST"), S("mx", "EXEC"),
        S("mx", "AUTH", "cl", "p"), S("mx", "FLUSHALL"), S("mx", "GET", "k"), A("CLIENT", "LIST"),
        A("CLIENT", "HELP"), A("CLIENT", "GETNAME"), A("CLIENT", "ID"), S("named", "CLIENT", "ID"),
        S("r3", "GET", "nokey"), S("r3", "CLIENT", "LIST"), A("ACL", "LOG"),
        {"op": "frames", "conn": "sub", "argv": [b"UNSUBSCRIBE", b"b", b"a"], "n": 2},
        A("PUBSUB", "CHANNELS"), A("PUBSUB", "CHANNELS", "*"), A("PUBSUB", "NUMPAT"), A("PUBSUB", "CHANNELS", "a", "b"),
        A("PUBSUB", "shardchannels", "x", "y"), A("PUBSUB", "SHARDCHANNELS"),
        S("named", "HELLO", "2", "SETNAME", "renamed"), A("CLIENT", "LIST"),
        # an unknown command or subcommand leaves no last command (cmd=NULL)
        S("named", "NOSUCH", "x"), A("CLIENT", "LIST"), S("named", "PING"), S("named", "CONFIG", "NOSUCH"),
        A("CLIENT", "LIST"), S("named", "GET"), A("CLIENT", "LIST"),
    ]
    return f.scenario("client-replies", steps)


def client_kill():
    """CLIENT KILL's filters and errors, and the connections each form closes."""
    f = _h()
    A, S, OK, err = f.A, f.S, f.OK, f.err
    steps = [
        f.setuser("k", "on", ">p", "+@all", "~*", "&*"),
        S("a", "AUTH", "k", "p", expect=OK), S("b", "AUTH", "k", "p", expect=OK), S("n", "PING"),
        {"op": "frames", "conn": "s", "argv": [b"SUBSCRIBE", b"x"], "n": 1},
        A("CLIENT", "KILL", "ID", "99999", expect=(":", 0)), A("CLIENT", "KILL", "ID", "0"), A("CLIENT", "KILL", "ID", "x"),
        A("CLIENT", "KILL", "TYPE", "master", expect=(":", 0)), A("CLIENT", "KILL", "TYPE", "bogus"),
        A("CLIENT", "KILL", "1.2.3.4:5"), A("CLIENT", "KILL", "ADDR", "1.2.3.4:5", expect=(":", 0)),
        A("CLIENT", "KILL", "LADDR", "x", expect=(":", 0)), A("CLIENT", "KILL", "USER", "nosuch"),
        A("CLIENT", "KILL", "ID", "1", "TYPE", "normal"), A("CLIENT", "KILL", "a", "b", "c"),
        A("CLIENT", "KILL", "SKIPME", "maybe"), A("CLIENT", "KILL", "TYPE", "pubsub", expect=(":", 1)),
        {"op": "closed", "conn": "s"},
        A("CLIENT", "KILL", "USER", "k", "SKIPME", "no", expect=(":", 2)),
        {"op": "closed", "conn": "a"}, {"op": "closed", "conn": "b"},
        S("a", "ACL", "WHOAMI", expect=f.bulk("k")),  # reopened and re-authenticated
        # every other normal connection, the harness' own control connections included
        A("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"),
        {"op": "closed", "conn": "a"}, {"op": "closed", "conn": "n"},
        S("n", "PING", expect=("+", b"PONG")), A("CLIENT", "LIST"),
        S("a", "CLIENT", "KILL", "USER", "k", "SKIPME", "no", expect=(":", 1)), {"op": "closed", "conn": "a"},
        A("CLIENT", "KILL", "TYPE", "replica", expect=(":", 0)),
        A("CLIENT", "KILL", "ID", "1", "ID", "2", expect=(":", 0)),
    ]
    return f.scenario("client-kill", steps)


def info_sections():
    f = _h()
    A, S = f.A, f.S
    steps = [
        S("c", "SET", "a", "1"), S("c", "SET", "b", "2", "EX", "100"), S("c", "SELECT", "2"), S("c", "SET", "z", "3"),
        A("INFO"), A("INFO", "server"), A("INFO", "CLIENTS"), A("INFO", "memory"), A("INFO", "persistence"),
        A("INFO", "stats"), A("INFO", "replication"), A("INFO", "cpu"), A("INFO", "modules"), A("INFO", "errorstats"),
        A("INFO", "cluster"), A("INFO", "keyspace"), A("INFO", "commandstats"), A("INFO", "latencystats"),
        A("INFO", "all"), A("INFO", "default"), A("INFO", "everything"), A("INFO", "server", "keyspace"),
        A("INFO", "nosuch"), A("INFO", "Server", "nosuch", "clients"), A("HELLO", "3"), A("INFO", "keyspace"),
    ]
    return f.scenario("info-sections", steps)


def introspection_scenarios():
    return [getkeys_every_command(), command_introspection(), client_replies(), client_kill(), info_sections()]
