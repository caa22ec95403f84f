"""The credential cases every implementation is compared on: fixed edge cases (the rules'
boundaries, Milvus' order of checks) and names and passwords generated from a seed.

A scenario is a server configuration and a sequence of steps run in order on one fresh store,
each step one of: create(user, password), update(user, old, new), delete(user), list(),
login(user, password).
"""

import random

A32 = "a" * 32


def create(user, password):
    return {"op": "create", "user": user, "password": password}


def update(user, old, new):
    return {"op": "update", "user": user, "old": old, "new": new}


def delete(user):
    return {"op": "delete", "user": user}


def login(user, password):
    return {"op": "login", "user": user, "password": password}


def listing():
    return {"op": "list"}


def fixed_steps():
    s = [login("root", "Milvus"), login("root", "milvus"), listing()]
    # usernames: each rule, its boundary, and which rule wins when several fail
    for name in ["", " ", "\t", A32, "a" * 33, "-" * 33, " " + A32 + " ", "1bad", "_x", "bad-name",
                 "h\u00e9llo", "\u00e9t\u00e9", "  trimmed  ", " 1bad ", "a b", "a.b", "a:b", "\u00a0nbsp\u00a0",
                 "Alice", "alice", "ROOT", "x1_Y2", "\u3000ideo", "a\u00a0b"]:
        s.append(create(name, "secret1"))
    s.append(create("alice", "secret1"))
    s.append(listing())
    # passwords: byte lengths 5, 6, 72, 73, 256, 257; non-ASCII; spaces; a colon
    for i, pw in enumerate(["p" * 5, "p" * 6, "p" * 72, "p" * 73, "p" * 256, "p" * 257,
                            "\u00e9" * 2, "\u00e9" * 3, "\u00e9" * 36, "\u00e9" * 37, "  abc  ", "pa:ss:word", ""]):
        s.append(create(f"pw{i}", pw))
        s.append(login(f"pw{i}", pw))
    # a bad name and a bad password at once: the name is checked first
    s.append(create("1bad", "p"))
    s.append(login("pw1", "p" * 6 + " "))
    s.append(login("  trimmed  ", "secret1"))
    s.append(login("trimmed", "secret1"))
    s.append(login("pw10", "abc"))
    # update
    s += [create("carol", "carol-pw1"),
          update("carol", "wrong-pw", "carol-pw2"),
          update("ghost", "carol-pw1", "carol-pw2"),
          update("carol", "carol-pw1", "abc"),
          update("carol", "wrong-pw", "abc"),
          update("carol", "carol-pw1", "n" * 73),
          update("carol", "wrong-pw", "n" * 73),
          update("carol", "carol-pw1", "n" * 257),
          update("1bad", "carol-pw1", "carol-pw2"),
          update("", "carol-pw1", "carol-pw2"),
          update(" carol ", "carol-pw1", "carol-pw2"),
          login("carol", "carol-pw1"),
          update("carol", "carol-pw1", "carol-pw2"),
          login("carol", "carol-pw1"),
          login("carol", "carol-pw2"),
          update("carol", "carol-pw2", "carol-pw2"),
          update("root", "wrong-pw", "Milvus2"),
          ]
    # how the name is written back in the 1400 text (not validated, not trimmed by the rules)
    for name in ["carol ", "carol\t", " ", "  ", "a  b  ", "x \t y\t ", "\u00e9 ", "\u00a0z\u00a0", "q\n", "q\r", "q\x0b", "q\x0c", "q \n \n", "q\u3000", "q\u0085"]:
        s.append(update(name, "carol-pw2", "carol-pw3"))
    s += [create("  trimmed  ", "secret1"), create("trimmed", "secret1"), create(" alice", "secret1"),
          create("trimmed ", "secret1"), delete("trimmed "), delete("trimmed")]
    # delete
    s += [delete("root"), delete(" root"), delete("ghost"), delete("1bad"), delete(""), delete(" "),
          delete("a/b"), delete("\t"),
          delete("carol"), login("carol", "carol-pw2"), delete("carol"),
          create("carol", "carol-pw3"), login("carol", "carol-pw3"), listing()]
    return s


def limit_steps(existing: int, max_users: int = 100):
    """Fills the store to the limit (root counts), then one more, then an existing name."""
    s = [create(f"fill{i:03d}", "fillpass") for i in range(max_users - existing)]
    s += [create("overflow", "fillpass"), create("fill000", "fillpass"), create("1bad", "fillpass"),
          delete("fill000"), create("overflow", "fillpass"), create("another", "fillpass"), listing()]
    return s


NAME_ALPHABET = "abcXYZ019_-. :\u00e9\t"
PASSWORD_ALPHABET = "abcXYZ019_-. :\u00e9\u20ac\t"


def generated_steps(seed: int, count: int):
    """`count` creates of generated names and passwords, each followed by a login."""
    rng = random.Random(seed)
    steps = []
    for _ in range(count):
        name = "".join(rng.choice(NAME_ALPHABET) for _ in range(rng.choice([0, 1, 2, 5, 12, 31, 32, 33, 34])))
        if rng.random() < 0.5 and name:
            name = rng.choice("abcXYZ") + name[1:]
        plen = rng.choice([4, 5, 6, 7, 20, 70, 71, 72, 73, 74, 255, 256, 257])
        password = "".join(rng.choice(PASSWORD_ALPHABET) for _ in range(plen))
        steps += [create(name, password), login(name, password)]
    return steps


def used_names(steps):
    return {s["user"] for s in steps if "user" in s}


def scenarios(seed: int = 1, generated: int = 40):
    """The scenarios in the order the recorder runs them. The first runs on a fresh store; the
    user count before the limit steps is worked out from the list step before them."""
    return [
        {"name": "rules", "options": {}, "steps": fixed_steps() + generated_steps(seed, generated)},
        {"name": "limit", "options": {}, "steps": None},  # filled in from the live user count
        {"name": "super_users", "options": {"super_users": ["root"]},
         "steps": [create("carol", "carol-pw1"),
                   update("carol", "wrong-pw", "carol-pw2"),
                   login("carol", "carol-pw2"),
                   update("ghost", "whatever", "ghost-pw1"),
                   login("ghost", "ghost-pw1"),
                   listing(),
                   update("carol", "wrong-pw", "abc"),
                   update("carol", "wrong-pw", "n" * 73)]},
    ]
