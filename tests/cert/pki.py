"""A throwaway test PKI made with the openssl command line (EC P-256 keys: fast to generate).

Leaves carry basicConstraints CA:FALSE, keyUsage digitalSignature and the extended key usage
asked for (clientAuth by default), as in spec mtls.md §A5. Everything lives in one temporary
directory; nothing here is secret.
"""

import os
import subprocess

# An OID OpenSSL has no name for, registered only while the request is made, so the
# certificate carries it but `openssl x509` (and authgate) print it as a dotted OID.
REQ_CONFIG = """oid_section = new_oids
[new_oids]
myAttr = 1.3.6.1.4.1.55555.1.1
[req]
distinguished_name = dn
string_mask = {mask}
[dn]
"""

CA_CONFIG = """[ca]
default_ca = test_ca
[test_ca]
database = {dir}/index.txt
new_certs_dir = {dir}/newcerts
serial = {dir}/serial
default_md = sha256
policy = any_fields
unique_subject = no
preserve = yes
[any_fields]
commonName = optional
"""


class Pki:
    def __init__(self, directory):
        self.dir = directory

    def path(self, name):
        return os.path.join(self.dir, name + ".pem")

    def _key(self, cert_path):
        return cert_path[: -len(".pem")] + ".key"

    def _run(self, *args, stdin=None):
        p = subprocess.run(["openssl", *args], cwd=self.dir, capture_output=True, input=stdin, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"openssl {' '.join(args)}: {p.stderr.decode(errors='replace')}")
        return p.stdout

    def _write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def root(self, name, subj, ca_ext=True):
        """A self-signed certificate: a CA, or (ca_ext False) a self-signed client leaf."""
        exts = (["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"] if ca_ext else
                ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=clientAuth"])
        args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "3650", "-subj", subj]
        for e in exts:
            args += ["-addext", e]
        self._run(*args)
        return self.path(name)

    def _csr(self, name, subj, req_flags=(), string_mask="utf8only"):
        config = self._write(name + ".req.cnf", REQ_CONFIG.format(mask=string_mask))
        self._run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-config", config,
                  "-keyout", name + ".key", "-out", name + ".csr", "-subj", subj, *req_flags)
        return name + ".csr"

    def leaf(self, name, subj, san, issuer, req_flags=(), string_mask="utf8only", eku="clientAuth", dates=None):
        """A client certificate signed by `issuer`; `dates` (start, end) as YYYYMMDDHHMMSSZ."""
        lines = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
                 f"extendedKeyUsage={eku}"]
        if san:
            lines.append(f"subjectAltName={san}")
        return self._sign(name, self._csr(name, subj, req_flags, string_mask), issuer, lines, dates)

    def intermediate(self, name, subj, issuer):
        lines = ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"]
        return self._sign(name, self._csr(name, subj), issuer, lines, None)

    def _sign(self, name, csr, issuer, ext_lines, dates):
        ext = self._write(name + ".ext", "\n".join(ext_lines) + "\n")
        if dates is None:
            self._run("x509", "-req", "-in", csr, "-CA", issuer, "-CAkey", self._key(issuer), "-CAcreateserial",
                      "-out", name + ".pem", "-days", "3650", "-sha256", "-extfile", ext)
        else:
            db = os.path.join(self.dir, name + ".db")
            os.makedirs(os.path.join(db, "newcerts"), exist_ok=True)
            open(os.path.join(db, "index.txt"), "w").close()
            with open(os.path.join(db, "serial"), "w") as f:
                f.write("1000\n")
            config = self._write(name + ".ca.cnf", CA_CONFIG.format(dir=db))
            self._run("ca", "-batch", "-config", config, "-cert", issuer, "-keyfile", self._key(issuer),
                      "-in", csr, "-out", name + ".pem", "-startdate", dates[0], "-enddate", dates[1],
                      "-extfile", ext, "-notext")
        return self.path(name)

    def chain_file(self, leaf, *intermediates):
        out = leaf[: -len(".pem")] + ".chain.pem"
        with open(out, "wb") as f:
            for p in (leaf, *intermediates):
                with open(p, "rb") as src:
                    f.write(src.read())
        return out

    def to_der(self, path):
        out = path[: -len(".pem")] + ".der"
        self._run("x509", "-in", path, "-outform", "DER", "-out", out)
        return out

    def openssl_subject(self, path):
        out = self._run("x509", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253").decode("utf-8")
        out = out.rstrip("\n")
        assert out.startswith("subject="), out
        return out[len("subject="):]

    def openssl_verifies(self, path, ca):
        p = subprocess.run(["openssl", "verify", "-purpose", "sslclient", "-CAfile", ca, "-untrusted", path, path],
                           cwd=self.dir, capture_output=True, timeout=60)
        return p.returncode == 0
