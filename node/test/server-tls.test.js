'use strict'
// The embedded server's TLS options (tlsPort, tlsCertFile, ..., certificateUsers): a server
// started from Node with TLS accepts a client certificate (the fixture's CN=alice, made by
// cert_cases_gen.py with openssl) and logs the connection in as the mapped user, which
// ACL WHOAMI shows; bad values are refused with core's texts before anything starts.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const tls = require('node:tls')

const { Acl, Server } = require('..')

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures')
const CERTS = path.join(FIXTURES, 'certs')
const vocabulary = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'vocabulary.json'), 'utf8'))
const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'cert_cases.json'), 'utf8'))
const SUBJECT = cases.certificates.find((c) => c.name === 'multi_ou').subject
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

const tlsOptions = (acl, extra = {}) => ({
  acl,
  tlsCertFile: path.join(CERTS, 'server.pem'),
  tlsKeyFile: path.join(CERTS, 'server.key'),
  tlsCaCertFile: path.join(CERTS, 'ca.pem'),
  ...extra,
})

/** ACL WHOAMI over TLS, with the fixture's client certificate (CN=alice) unless `withCert` is false. */
function whoami(port, withCert = true) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: fs.readFileSync(path.join(CERTS, 'ca.pem')),
      ...(withCert
        ? { cert: fs.readFileSync(path.join(CERTS, 'multi_ou.pem')), key: fs.readFileSync(path.join(CERTS, 'multi_ou.key')) }
        : {}),
    })
    let data = ''
    socket.setTimeout(10000, () => socket.destroy(new Error('timeout')))
    socket.on('secureConnect', () => socket.write('ACL WHOAMI\r\n'))
    socket.on('data', (chunk) => {
      data += chunk.toString()
      if (/^\$\d+\r\n.*\r\n$/s.test(data) || /^[-+].*\r\n$/.test(data)) {
        socket.end()
        resolve(data)
      }
    })
    socket.on('error', reject)
  })
}

test('every TLS option of the vocabulary is a ServerOptions field', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const block = dts.slice(dts.indexOf('export interface ServerOptions'))
  const body = block.slice(0, block.indexOf('\n}'))
  for (const name of vocabulary.server.tls_options) assert.match(body, new RegExp(`\\n  ${camel(name)}\\?: `), name)
  for (const name of vocabulary.server.tls_properties) {
    const prop = Object.getOwnPropertyDescriptor(Server.prototype, camel(name))
    assert.ok(prop && prop.get && !prop.set, `Server.prototype.${camel(name)} is a read-only property`)
  }
})

test('tlsAuthClientsUser CN logs the certificate in as its CN', async () => {
  const acl = new Acl()
  acl.setuser('alice', 'on', 'nopass', '+@all')
  const server = new Server(tlsOptions(acl, {
    tlsAuthClientsUser: 'CN', tlsAuthClients: 'optional', tlsProtocols: 'TLSv1.2 TLSv1.3', tlsCiphersuites: '',
    tlsCiphers: '', tlsPreferServerCiphers: true, tlsKeyFilePass: '',
  }))
  assert.equal(server.tlsPort, null)
  const port = await server.start()
  try {
    const tlsPort = server.tlsPort
    assert.ok(Number.isInteger(tlsPort) && tlsPort !== 0 && tlsPort !== port)
    assert.equal(await whoami(tlsPort), '$5\r\nalice\r\n')
    assert.equal(await whoami(tlsPort, false), '$7\r\ndefault\r\n', 'optional: no certificate stays default')
  } finally {
    await server.stop()
  }
})

test('certificateUsers log in by subject line', async () => {
  const acl = new Acl()
  acl.setuser('carol', 'on', '>pw', '+@all')
  const server = new Server(tlsOptions(acl, { tlsPort: 0, certificateUsers: { carol: SUBJECT } }))
  await server.start()
  try {
    assert.equal(await whoami(server.tlsPort), '$5\r\ncarol\r\n')
    assert.deepEqual(acl.getuser('carol').passwords, [], 'certificate-only: resetpass at start')
  } finally {
    await server.stop()
  }
})

test('bad TLS values are refused with core texts', () => {
  const acl = new Acl()
  const refused = [
    [{ tlsAuthClients: 'maybe' }, 'INVALID_ARGUMENT', 'tls_auth_clients: argument(s) must be one of the following: no, yes, optional'],
    [{ tlsAuthClientsUser: 'DN' }, 'INVALID_ARGUMENT', 'tls_auth_clients_user: argument(s) must be one of the following: off, CN, URI'],
    [{ tlsCaCertDir: '' }, 'INVALID_ARGUMENT', 'tls_ca_cert_dir must not be empty'],
    [{ certificateUsers: { x: 'CN=a, O=b' } }, 'CERTIFICATE', null],
  ]
  for (const [extra, code, message] of refused) {
    assert.throws(() => new Server(tlsOptions(acl, extra)), (e) => e.code === code && (!message || e.message === message), JSON.stringify(extra))
  }
  assert.throws(() => new Server(tlsOptions(acl, { tlsPort: 70000 })), (e) => e.code === 'INVALID_ARGUMENT')
})
