"""The same logins and checks through nats-py, the client a Python service would use.

nats-py can express a login with a user and a password, with a token, or with nothing, given as
options or inside the server URL (`nats://user:pass@host:port`, `nats://token@host:port`: the
seed's connection strings). It is a second witness of nats-server's verdicts: where it and the raw
protocol disagree, the harness is wrong, and the runner reports it as a mismatch.

Permission errors reach nats-py's error_cb from its read loop, which handles the server's lines in
order; the second of two `flush()` calls returns once the PONG after the operation was read, so
the -ERR (if any) was handled before it returns (why two: see _run_one).
"""
import asyncio

import nats
from nats.errors import Error as NatsError

from protocol import AUTH_VIOLATION, PUB_DENIED, SUB_DENIED, go_quote

# Characters nats-py passes through its URL unchanged (it does not percent-decode, spec §7).
_URL_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=")


def expressible(login):
    """How nats-py can send this login: "options", "url" (also), or None (it cannot)."""
    user, pw, tok = login.get("user"), login.get("password"), login.get("token")
    if tok is not None and user is None and pw is None:
        return "url" if tok and set(tok) <= _URL_SAFE else "options"
    if tok is None and user is not None and pw is not None and user and pw:
        return "url" if set(user) <= _URL_SAFE and set(pw) <= _URL_SAFE else "options"
    if tok is None and user is None and pw is None:
        return "options"
    return None


def url_for(port, login):
    if login.get("token") is not None:
        return f"nats://{login['token']}@127.0.0.1:{port}"
    return f"nats://{login['user']}:{login['password']}@127.0.0.1:{port}"


async def _run_one(port, login, use_url):
    errors = []

    async def on_error(e):
        errors.append(str(e))

    kw = dict(allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=5, error_cb=on_error,
              name=login.get("name", "nats-py"))
    if use_url:
        servers = [url_for(port, login)]
    else:
        servers = [f"nats://127.0.0.1:{port}"]
        if login.get("token") is not None:
            kw["token"] = login["token"]
        elif login.get("user") is not None:
            kw["user"], kw["password"] = login["user"], login["password"]
    try:
        nc = await nats.connect(servers=servers, **kw)
    except NatsError as e:
        text = str(e)
        return {"login": AUTH_VIOLATION if AUTH_VIOLATION in text else "error: " + text}
    except Exception as e:  # noqa: BLE001 - any other client failure is a harness finding
        return {"login": f"error: {type(e).__name__}: {e}"}
    out = {"login": None, "checks": []}
    try:
        for check in login.get("checks", []):
            del errors[:]
            if check[0] == "pub":
                subj, want = check[1], PUB_DENIED + go_quote(check[1])
            else:
                subj, q = check[1], check[2]
                want = SUB_DENIED + go_quote(subj) + ("" if q is None else " using queue " + go_quote(q))
            try:
                if check[0] == "pub":
                    await nc.publish(subj, b"")
                else:
                    await nc.subscribe(subj, queue=q or "")
                # Twice: nats-py's _send_ping writes PING to the socket ahead of the commands
                # still pending (nats/aio/client.py), so the first PONG can come before the
                # server read the operation; that flush writes them, the second PING follows.
                await nc.flush(timeout=5)
                await nc.flush(timeout=5)
            except Exception as e:  # noqa: BLE001 - nats-py refused the subject itself
                out["checks"].append(("client-error", f"{type(e).__name__}: {e}"))
                continue
            out["checks"].append(_verdict(errors, want))
    finally:
        await nc.close()
    return out


def _verdict(errors, denial):
    if not errors:
        return "allow", None
    texts = [e[len("nats: "):] if e.startswith("nats: ") else e for e in errors]
    # nats-py lower-cases the server's -ERR text (nats/protocol/parser.py: `.decode().lower()`)
    if [t.lower() for t in texts] == [denial.lower()]:
        return "deny", denial
    return "error", " | ".join(texts)


def run_logins(port, logins):
    """[(index, how, result)] for each login nats-py can express (URL form when it can)."""
    async def main():
        res = []
        for i, login in enumerate(logins):
            how = expressible(login)
            if how is None:
                continue
            res.append((i, how, await _run_one(port, login, how == "url")))
        return res
    return asyncio.run(main())

