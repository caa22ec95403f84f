// The Node.js certificate example of README.md; test/install.test.js runs it against the
// package installed from `npm pack` into a fresh project, as `node cert.js client.pem`.
const fs = require('node:fs')
const { Acl, CertUserMap, ClientCert, SubjectPolicy } = require('authgate')

const cert = ClientCert.fromPem(fs.readFileSync(process.argv[2] ?? 'client.pem'))
console.log(cert.subject) // as openssl x509 -noout -subject -nameopt RFC2253 prints it
console.log(cert.commonName, cert.sanUris.join(' ')) // alice spiffe://example.org/ns/default/sa/alice

// Redis Software's subject validation: san_cn passes on the subject CN or a SAN DNS name.
new SubjectPolicy('san_cn', ['CN=alice']).check(cert) // throws code CERTIFICATE when refused

// The user it logs in as: a certificate user by subject line, then tls-auth-clients-user.
const acl = new Acl()
acl.setuser('alice', 'on')
acl.setuser('ops', 'on')
const users = new CertUserMap('CN')
const login = users.map(cert, acl)
console.log(login.outcome, login.user, login.logLine) // tls_auth_clients_user alice TLS: Auto-authenticated client as alice
users.setUser('ops', cert.subject)
console.log(users.map(cert, acl).user) // ops
