import sys

import authgate

with open(sys.argv[1] if len(sys.argv) > 1 else "client.pem", "rb") as f:
    cert = authgate.ClientCert.from_pem(f.read())
print(cert.subject)  # as openssl x509 -noout -subject -nameopt RFC2253 prints it (without subject=)
print(cert.common_name, cert.san_uris)  # alice ['spiffe://example.org/ns/default/sa/alice']

# Redis Software's subject validation: san_cn passes on the subject CN or a SAN DNS name.
authgate.SubjectPolicy("san_cn", ["CN=alice"]).check(cert)  # CertificateError when refused

# The user it logs in as: a certificate user by subject line, then tls-auth-clients-user.
engine = authgate.Acl()
engine.setuser("alice", "on")
engine.setuser("ops", "on")
users = authgate.CertUserMap("CN")
login = users.map(cert, engine)
print(login.outcome, login.user, login.log_line)  # tls_auth_clients_user alice TLS: Auto-authenticated client as alice
users.set_user("ops", cert.subject)
print(users.map(cert, engine).user)  # ops
