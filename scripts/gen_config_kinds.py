#!/usr/bin/env python3
"""Regenerate core/data/config_kinds.json from redis-server 7.0.15 itself: which of its settings
are yes/no ones and which take exactly one argument (those whose default is one word), read off the fatal errors redis-server
gives for a config file line `<name> maybe` and `<name> a b` (one run of redis-server per line).

authgate accepts every redis-server setting in its config files, so that a redis.conf written
for Redis loads, and checks the arguments of those it has no use for as far as these kinds go.
"""
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULTS = os.path.join(HERE, "..", "core", "data", "config_defaults.json")
OUT = os.path.join(HERE, "..", "core", "data", "config_kinds.json")


def fatal(tmp, line):
    conf = os.path.join(tmp, "t.conf")
    with open(conf, "w") as f:
        f.write(f"port 0\n{line}\n")
    try:
        r = subprocess.run(["redis-server", conf], capture_output=True, timeout=3, cwd=tmp, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None  # accepted: the server started (a value that makes it listen or wait)
    return r.stderr.decode("utf-8", "replace").strip().split("\n")[-1] if b"FATAL CONFIG" in r.stderr else None


def main():
    with open(DEFAULTS) as f:
        defaults = json.load(f)
    names = sorted(defaults)
    yesno, single = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if fatal(tmp, f"{name} maybe") == "argument must be 'yes' or 'no'":
                yesno.append(name)
            # A setting whose default has several words (oom-score-adj-values "0 200 800")
            # takes several; the two-argument probe is about the one-word ones.
            if len(defaults[name].split()) <= 1 and fatal(tmp, f"{name} a b") == "wrong number of arguments":
                single.append(name)
    with open(OUT, "w") as f:
        json.dump({"yesno": yesno, "single_argument": single}, f, indent=0)
        f.write("\n")
    print(f"wrote {OUT}: {len(yesno)} yes/no settings, {len(single)} with one argument, of {len(names)}")


if __name__ == "__main__":
    main()
