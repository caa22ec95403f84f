#!/usr/bin/env python3
"""Regenerate core/data/config_defaults.json: every CONFIG GET parameter of a default
redis-server 7.0.15 and its value, so `CONFIG GET` on authgate answers like Redis for the
settings it does not manage itself (those it manages are answered from its live config).

Instance-specific values (dir, pidfile, port, ...) are overridden by the server at run time.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resp_client import RespConnection  # noqa: E402


def main():
    port = 6412
    tmp = tempfile.mkdtemp()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--dir", tmp], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                c = RespConnection(port=port)
                break
            except OSError:
                time.sleep(0.05)
        flat = c.call("CONFIG", "GET", "*")
        c.close()
    finally:
        proc.terminate()
        proc.wait()
    values = {flat[i].decode(): flat[i + 1].decode() for i in range(0, len(flat), 2)}
    out = os.path.join(os.path.dirname(__file__), "..", "core", "data", "config_defaults.json")
    with open(out, "w") as f:
        json.dump(dict(sorted(values.items())), f, indent=0)
        f.write("\n")
    print(f"wrote {out}: {len(values)} parameters")


if __name__ == "__main__":
    main()
