"""Passwords, tokens and their stored forms (plain, bcrypt at cost 4, look-alikes), seeded.

A bcrypt hash is made with Python's bcrypt package from a salt drawn from the rng, so the same
seed writes the same config bytes. `$2y$` and `$2x$` hashes are the `$2b$` hash with the prefix
replaced: Go's bcrypt (nats-server) reads the version letter and runs the same algorithm for
all four (spec §4.4). Python's bcrypt refuses passwords over 72 bytes, so a long password is
hashed by its first 72 bytes, which is what nats-server compares (spec §4.4).
"""
import base64

import bcrypt

from render import Bare, Quoted

BCRYPT_COST = 4
_B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SYMBOLS = "!@%^&*-_+=.~?/|"
AWKWARD = " '\"\\#${}[]:,;"
UNICODE = "éüñßøπЖ日本✓"


def salt(rng, prefix="2b"):
    # 21 free characters, then one whose low bits bcrypt ignores (the canonical last letters)
    body = "".join(rng.choice(_B64) for _ in range(21)) + rng.choice(".Oeu")
    return f"${prefix}${BCRYPT_COST:02d}${body}".encode()


def bcrypt_hash(rng, password, variant="2b"):
    raw = password.encode("utf-8")[:72]
    base = "2a" if variant == "2a" else "2b"
    h = bcrypt.hashpw(raw, salt(rng, base)).decode()
    if variant in ("2y", "2x"):
        h = "$" + variant + h[3:]
    return h


def password(rng, kind=None):
    """A plaintext password of a random alphabet (the rng decides unless kind is given)."""
    kind = kind or rng.choice(["alnum", "alnum", "alnum", "symbols", "awkward", "unicode", "long"])
    n = rng.randint(1, 16)
    if kind == "alnum":
        return rng.choice("abcdefghijklmnopqrstuvwxyz") + "".join(rng.choice(ALNUM) for _ in range(n))
    if kind == "symbols":
        return rng.choice(ALNUM[:26]) + "".join(rng.choice(ALNUM + SYMBOLS) for _ in range(n))
    if kind == "awkward":
        return "".join(rng.choice(ALNUM + AWKWARD) for _ in range(n + 1))
    if kind == "unicode":
        return "".join(rng.choice(ALNUM + UNICODE) for _ in range(n + 1))
    if kind == "long":
        return "".join(rng.choice(ALNUM) for _ in range(rng.randint(73, 90)))
    raise ValueError(kind)


class Secret:
    """A credential: what the client sends (plain), what the config stores (stored: a string or
    a render node), and what kind it is."""

    def __init__(self, plain, stored, kind):
        self.plain, self.stored, self.kind = plain, stored, kind

    def is_bcrypt(self):
        return self.kind.startswith("bcrypt")


def secret(rng, allow_block=True):
    """A stored credential of a random kind, with the plaintext that logs in."""
    r = rng.random()
    if r < 0.55:
        pw = password(rng)
        if "\n" not in pw and allow_block and rng.random() < 0.04:
            # block string: the value keeps the newline after `(` and before `)` (spec §1.5)
            return Secret("\n" + pw + "\n", Quoted(pw, "("), "plain-block")
        return Secret(pw, pw, "plain")
    if r < 0.85:
        pw = password(rng, rng.choice(["alnum", "symbols", "unicode", "alnum"]))
        variant = rng.choice(["2a", "2b", "2b", "2y", "2x"])
        h = bcrypt_hash(rng, pw, variant)
        if variant == "2a" and rng.random() < 0.4:
            return Secret(pw, Bare(h), "bcrypt-2a-unquoted")  # spec §1.8: only $2a$ stays literal
        return Secret(pw, h, "bcrypt-" + variant)
    if r < 0.90:
        pw = password(rng, "long")
        return Secret(pw, bcrypt_hash(rng, pw, "2a"), "bcrypt-long")
    if r < 0.94:
        # looks like bcrypt but does not match ^\$2[abxy]\$\d{2}\$: a plain password (spec §4.4)
        pw = rng.choice(["$2a$notreallyahash", "$2b$1$short", "$2z$04$abc", "$3a$04$x"])
        return Secret(pw, pw, "plain-bcrypt-lookalike")
    if r < 0.97:
        return Secret("", "", "empty")
    return Secret(None, None, "none")


def public_nkey(rng, prefix_byte):
    """An nkey public key (prefix byte, 32 key bytes, CRC-16/XMODEM little-endian, base32)."""
    raw = bytes([prefix_byte]) + bytes(rng.randrange(256) for _ in range(32))
    crc = 0
    for b in raw:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return base64.b32encode(raw + crc.to_bytes(2, "little")).decode().rstrip("=")


USER_NKEY_PREFIX = 20 << 3  # 'U'
