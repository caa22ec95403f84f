#!/usr/bin/env python3
"""`make test-cert`: certificates generated now with openssl, checked through `authgate cert`.

openssl is the oracle: every generated certificate's `authgate cert subject` (from PEM and
from DER) must equal `openssl x509 -noout -subject -nameopt RFC2253`; `authgate cert verify`
must accept exactly what `openssl verify -purpose sslclient` accepts, and name the reason
when it refuses; `authgate cert match` gives the Redis Software verdicts listed below.

Usage: AUTHGATE_BIN=target/.../authgate python3 tests/cert/run_cert_tests.py
Time budget: under 2 minutes on 2 busy cores (about 60 openssl runs and 150 authgate runs).
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pki import Pki  # noqa: E402

BUDGET_SECONDS = 120

AUTHGATE = os.environ.get("AUTHGATE_BIN", "authgate")

# (name, -subj, SAN or "", extra req flags, EKU, string_mask). The spec's §A5 set first,
# then more: every escaped character, one-character values, other string types, repeated
# and unusual attribute types, an OID OpenSSL has no name for.
SUBJECTS = [
    ("multi_ou", "/C=US/ST=California/L=San Francisco/O=Acme Corp/OU=Engineering/OU=Platform/CN=alice",
     "email:alice@example.com,DNS:alice.example.com,DNS:*.apps.example.com,URI:spiffe://example.org/ns/default/sa/alice",
     [], "utf8only"),
    ("special", '/C=US/O=Acme "Quoted"; Inc <x>/CN=Doe, John\\+Admin', "DNS:special.example.com", [], "utf8only"),
    ("multival", "/DC=org/DC=example/OU=People/UID=jdoe+CN=John Doe", "", ["-multivalue-rdn"], "utf8only"),
    ("cnfirst", "/CN=abc/O=Acme Corp/C=US", "", [], "utf8only"),
    ("cnlast", "/C=US/O=Acme Corp/CN=abc", "", [], "utf8only"),
    ("edge", "/C=DE/O=#hash org/OU= padded /CN=a=b Zoë Müller/emailAddress=zoe@example.de",
     "email:zoe@example.de", ["-utf8"], "utf8only"),
    ("nosubj", "/", "critical,URI:spiffe://example.org/workload/api", [], "utf8only"),
    ("all_specials", '/CN=a"b\\\\c<d>e;f\\+g,h=i#j k', "", [], "utf8only"),
    ("lone_hash", "/CN=#/O=# /OU=x#", "", [], "utf8only"),
    ("lone_space", "/CN= /O=a  b", "", [], "utf8only"),
    ("printable", "/C=US/O=Plain Printable/CN=printable", "", [], "default"),
    ("latin1_t61", "/CN=Zoë Müller/O=Ärger", "", ["-utf8"], "nombstr"),
    ("bmp", "/CN=Zoë 漢字/O=plain", "", ["-utf8"], "default"),
    ("cjk_utf8", "/CN=漢字かな/OU=😀 emoji", "", ["-utf8"], "utf8only"),
    ("multi_cn", "/CN=first/CN=second/OU=B/OU=A/OU=B", "", [], "utf8only"),
    ("three_valued", "/DC=com/DC=acme/O=users+DC=DEV+OU=ops/CN=John Doe", "", ["-multivalue-rdn"], "utf8only"),
    ("many_types", "/serialNumber=123/title=Dr/GN=Zoe/SN=Muller/street=1 Main St/postalCode=12345"
     "/businessCategory=Private Organization/jurisdictionC=US/pseudonym=zm/CN=many", "", [], "utf8only"),
    ("unknown_oid", "/CN=custom/myAttr=hello", "", [], "utf8only"),
    ("nats_rdn", "/C=US/ST=CA/L=Los Angeles/OU=NATS/O=NATS/CN=*.example.com/DC=example/DC=com", "", [], "utf8only"),
    ("san_ip", "/CN=ip", "IP:127.0.0.1,IP:::1,URI:urn:a,URI:urn:b", [], "utf8only"),
]

# (certificate, --subject, --mode or None, expect_match, text the output must contain)
MATCHES = [
    ("multi_ou", "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US", None, True, "match"),
    ("multi_ou", "CN=alice,OU=Engineering,OU=Platform,O=Acme Corp,L=San Francisco,ST=California,C=US", None, False,
     "is not"),
    ("multi_ou", "CN=alice, OU=Platform, OU=Engineering, O=Acme Corp, L=San Francisco, ST=California, C=US", None,
     False, "no spaces after the commas"),
    ("multi_ou", "CN=Alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US", None, False,
     "is not"),
    ("special", "CN=Doe\\, John\\+Admin,O=Acme \\\"Quoted\\\"\\; Inc \\<x\\>,C=US", None, True, "match"),
    ("special", "CN=Doe\\2C John\\+Admin,O=Acme \\\"Quoted\\\"\\; Inc \\<x\\>,C=US", None, False,
     "write it as 'CN=Doe\\, John"),
    ("multival", "UID=jdoe+CN=John Doe,OU=People,DC=example,DC=org", None, True, "match"),
    ("multival", "CN=John Doe+UID=jdoe,OU=People,DC=example,DC=org", None, False, "is not"),
    ("cnlast", "CN=abc,O=Acme Corp,C=US", None, True, "match"),
    ("cnfirst", "CN=abc,O=Acme Corp,C=US", None, False, "is not"),
    ("cnfirst", "C=US,O=Acme Corp,CN=abc", None, True, "match"),
    ("edge", "emailAddress=zoe@example.de,CN=a=b Zo\\C3\\AB M\\C3\\BCller,OU=\\ padded\\ ,O=\\#hash org,C=DE", None,
     True, "match"),
    ("edge", "E=zoe@example.de,CN=a=b Zoë Müller,OU=\\ padded\\ ,O=\\#hash org,C=DE", None, False,
     "write it as 'emailAddress=zoe@example.de,CN=a=b Zo\\C3\\AB"),
    ("multi_ou", "CN=alice,OU=Platform", None, False, "is not"),
    ("multi_ou", "CN=alice,XX=1", None, False, "unknown attribute type 'XX'"),
    ("multi_ou", "CN=alice\\", None, False, "dangling"),
    ("multi_ou", "", None, False, "empty"),
    # full_subject: OUs as a set, omitted attributes are wildcards, values case-sensitive.
    ("multi_ou", "CN=alice,OU=Engineering,OU=Platform,O=Acme Corp,L=San Francisco,ST=California,C=US", "full_subject",
     True, "match"),
    ("multi_ou", "CN=alice,OU=Platform,OU=Engineering", "full_subject", True, "match"),
    ("multi_ou", "CN=alice", "full_subject", True, "match"),
    ("multi_ou", "CN=alice,OU=Platform", "full_subject", False, "OU: the certificate has"),
    ("multi_ou", "CN=alice,OU=Platform,OU=Engineering,OU=Sales", "full_subject", False, "OU:"),
    ("multi_ou", "CN=alice,O=acme corp", "full_subject", False, "O: the certificate has {'Acme Corp'}"),
    ("multi_ou", "CN=bob,O=Acme Corp", "full_subject", False, "CN:"),
    ("multi_ou", "O=Acme Corp", "full_subject", False, "CN is required"),
    ("multi_ou", "CN=alice,DC=x", "full_subject", False, "DC is not one of CN, O, OU, L, ST, C"),
    ("multi_ou", "CN=alice,C=US,C=DE", "full_subject", False, "C given twice"),
    ("nosubj", "CN=x", "full_subject", False, "CN: the certificate has none"),
    ("special", "CN=Doe\\, John\\+Admin,O=Acme \\\"Quoted\\\"\\; Inc \\<x\\>", "full_subject", True, "match"),
    # san_cn: the subject CN or any SAN DNS name, literally.
    ("multi_ou", "alice", "san_cn", True, "match"),
    ("multi_ou", "alice.example.com", "san_cn", True, "match"),
    ("multi_ou", "*.apps.example.com", "san_cn", True, "match"),
    ("multi_ou", "x.apps.example.com", "san_cn", False, "neither a subject CN nor a SAN DNS name"),
    ("multi_ou", "ALICE", "san_cn", False, "neither"),
    ("multi_cn", "second", "san_cn", True, "match"),
    ("nosubj", "spiffe://example.org/workload/api", "san_cn", False, "neither"),
]


class Suite:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}" + (f"\n     {detail}" if detail else ""))


def authgate(*args):
    p = subprocess.run([AUTHGATE, *args], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout.rstrip("\n"), p.stderr.rstrip("\n")


def main():
    start = time.monotonic()
    suite = Suite()
    with tempfile.TemporaryDirectory(prefix="authgate-cert-") as tmp:
        pki = Pki(tmp)
        ca = pki.root("ca", "/C=US/O=Test CA Org/CN=Test Root CA")
        certs = {"ca": ca}
        for name, subj, san, flags, mask in SUBJECTS:
            certs[name] = pki.leaf(name, subj, san, ca, req_flags=flags, string_mask=mask)

        # Subjects: openssl's string, from PEM and from DER.
        for name, path in certs.items():
            want = pki.openssl_subject(path)
            for form, f in (("PEM", path), ("DER", pki.to_der(path))):
                rc, out, err = authgate("cert", "subject", f)
                suite.check(rc == 0 and out == want, f"subject {name} ({form})", f"authgate [{out}] {err!r}, openssl [{want}]")
        # The spec's reference strings (mtls.md §A5), so a change in openssl shows too.
        for name, want in [
            ("multi_ou", "CN=alice,OU=Platform,OU=Engineering,O=Acme Corp,L=San Francisco,ST=California,C=US"),
            ("special", 'CN=Doe\\, John\\+Admin,O=Acme \\"Quoted\\"\\; Inc \\<x\\>,C=US'),
            ("multival", "UID=jdoe+CN=John Doe,OU=People,DC=example,DC=org"),
            ("cnfirst", "C=US,O=Acme Corp,CN=abc"),
            ("edge", "emailAddress=zoe@example.de,CN=a=b Zo\\C3\\AB M\\C3\\BCller,OU=\\ padded\\ ,O=\\#hash org,C=DE"),
            ("nosubj", ""),
        ]:
            rc, out, _ = authgate("cert", "subject", certs[name])
            suite.check(out == want, f"spec reference subject {name}", f"[{out}] != [{want}]")

        for cert, line, mode, expect, text in MATCHES:
            args = ["cert", "match", certs[cert], "--subject", line] + (["--mode", mode] if mode else [])
            rc, out, err = authgate(*args)
            ok = (rc == 0) == expect and (out == "match" if expect else out.startswith("no match: ")) and text in out
            suite.check(ok, f"match {cert} {mode or 'subject line'} {line!r}", f"rc={rc} out={out!r} err={err!r}")

        verify_cases(pki, ca, certs, suite)
        malformed_cases(tmp, certs, suite)

    elapsed = time.monotonic() - start
    suite.check(elapsed < BUDGET_SECONDS, f"time budget {BUDGET_SECONDS}s", f"took {elapsed:.1f}s")
    print(f"{suite.passed} passed, {suite.failed} failed")
    return 0 if suite.failed == 0 else 1


def verify_cases(pki, ca, certs, suite):
    other_ca = pki.root("other_ca", "/CN=Other CA")
    inter = pki.intermediate("inter", "/O=Test CA Org/CN=Test Intermediate", ca)
    cases = [
        ("valid", certs["multi_ou"], None, "ok"),
        ("no subject, SAN URI", certs["nosubj"], None, "ok"),
        ("expired", pki.leaf("expired", "/CN=expired", "", ca, dates=("20000101000000Z", "20010101000000Z")), None,
         "certificate has expired (notAfter Mon, 01 Jan 2001 00:00:00 +0000"),
        ("not yet valid", pki.leaf("future", "/CN=future", "", ca, dates=("20990101000000Z", "21000101000000Z")), None,
         "certificate is not yet valid (notBefore Thu, 01 Jan 2099 00:00:00 +0000"),
        ("wrong CA", pki.leaf("wrong_ca", "/CN=wrong", "", other_ca), None, "not signed by a trusted CA"),
        ("self-signed leaf", pki.root("selfsigned", "/CN=self", ca_ext=False), None, "not signed by a trusted CA"),
        ("serverAuth only", pki.leaf("server_only", "/CN=server", "", ca, eku="serverAuth"), None, "lacks clientAuth"),
        ("CA as client", ca, None, "a CA certificate cannot be a client certificate"),
        ("via intermediate, chain sent", pki.leaf("via_inter", "/CN=via", "", inter), "chain", "ok"),
        ("via intermediate, leaf alone", pki.path("via_inter"), None, "not signed by a trusted CA"),
    ]
    for what, path, chain, want in cases:
        f = pki.chain_file(path, inter) if chain else path
        rc, out, err = authgate("cert", "verify", f, "--ca", ca)
        ok = (rc == 0 and out == "ok") if want == "ok" else (rc == 1 and want in out)
        suite.check(ok, f"verify {what}", f"rc={rc} out={out!r} err={err!r}")
        # openssl, the oracle, agrees on accept/refuse.
        suite.check(pki.openssl_verifies(f, ca) == (want == "ok"), f"openssl agrees: verify {what}")


def malformed_cases(tmp, certs, suite):
    pem = open(certs["multi_ou"], "rb").read()
    cases = {
        "empty": b"",
        "garbage": b"\x00\x01garbage",
        "pem without certificate": b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "bad base64": b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        "truncated pem": pem[: len(pem) // 2],
        "huge": b"0" * (5 * 1024 * 1024),
    }
    for what, data in cases.items():
        f = os.path.join(tmp, "bad.pem")
        with open(f, "wb") as out:
            out.write(data)
        rc, out, err = authgate("cert", "subject", f)
        suite.check(rc == 1 and out == "" and err.startswith(f) and "panick" not in err, f"malformed {what}: refused",
                    f"rc={rc} out={out!r} err={err!r}")
        rc, out, err = authgate("cert", "verify", f, "--ca", certs["ca"])
        suite.check(rc == 1 and out and "panick" not in err, f"malformed {what}: verify refuses", f"rc={rc} {out!r}")


if __name__ == "__main__":
    sys.exit(main())
