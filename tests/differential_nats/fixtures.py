"""Recorded cases as data: tests/fixtures/nats_cases.json, the file the bindings' tests read.

One record per case:
  name, seed, note, files {path: text}, main (or null: command-line mode), server_args, env
  check      {"ok", "stage": "valid" | "check" | "startup", "variants": [[...], ...]}:
             each variant is one error set (sorted lines) that nats-server printed for the
             config: its `-t` errors, or its start-up refusal of a config `-t` accepts (empty
             for a valid config; no check in command-line mode). Any one variant is its answer:
             the order of the lines, which of two conflicting settings is reported and even the
             column of some errors follow Go's random map order (observations/nats-2.9.10.txt),
             so `-t` ran 30 times per refused config; a re-recording may still add or drop a
             rare variant
  auth_required, auth_enabled   INFO's auth_required; whether credentials are checked at all
  logins     [{user, password, token (null = not sent), note, ok, error (the -ERR text of a
             refused login), user_name, account (accepted logins), checks}]
  checks     [{op: "pub" | "sub", subject, queue, allow, error}]: allow as nats-server decided;
             error is its -ERR text when it refused (a Permissions Violation, or e.g.
             `Invalid Publish Subject`)
Go pointer values in error texts (`map[user:0xc000...]`) are written as `0xPTR` (compare.py).
"""
import json

from compare import mask_pointers


def to_record(case):
    rec = {"name": case["name"], "seed": case.get("seed"), "note": case.get("note", ""),
           "files": case.get("files", {}), "main": case.get("main"),
           "server_args": case.get("server_args", []), "env": case.get("env", {})}
    if "check" in case:
        chk = case["check"]
        rec["check"] = {"ok": chk["ok"], "stage": chk["stage"],
                        "variants": sorted(chk.get("variants") or [sorted(mask_pointers(ln) for ln in chk["lines"])])}
    if not case.get("check", {"ok": True})["ok"]:
        return rec
    rec["auth_required"] = case["auth_required"]
    rec["auth_enabled"] = case["auth_enabled"]
    rec["logins"] = []
    for lg in case["logins"]:
        exp = lg["expect"]
        out = {"user": lg.get("user"), "password": lg.get("password"), "token": lg.get("token"),
               "note": lg.get("note", ""), "ok": exp["ok"]}
        if exp["ok"]:
            out["user_name"], out["account"] = exp["user"], exp["account"]
            out["checks"] = [_check(c) for c in exp["checks"]]
        else:
            out["error"] = exp["error"]
            out["checks"] = []
        rec["logins"].append(out)
    return rec


def _check(c):
    if c[0] == "pub":
        op, subject, queue, verdict, text = "pub", c[1], None, c[2], c[3]
    else:
        op, subject, queue, verdict, text = "sub", c[1], c[2], c[3], c[4]
    return {"op": op, "subject": subject, "queue": queue, "allow": verdict == "allow", "error": text}


def write(path, records, meta):
    """One case per line: a re-recording shows as a diff of the cases that changed."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n")
        for k, v in meta.items():
            f.write(f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n")
        f.write(' "cases": [\n')
        for i, rec in enumerate(records):
            f.write("  " + json.dumps(rec, ensure_ascii=False) + (",\n" if i + 1 < len(records) else "\n"))
        f.write(" ]\n}\n")
