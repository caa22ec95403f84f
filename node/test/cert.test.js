'use strict'
// Certificate identity through the Node API: the shared fixture (tests/fixtures/cert_cases.json;
// certificates made with openssl by cert_cases_gen.py, every expected subject, common name, SAN
// and date read from openssl's output), run as the C, Python and Java suites run it: ClientCert
// from PEM and DER, malformed inputs refused with code CERTIFICATE and core's text, Redis
// Software subject policies passing or refusing each certificate, policies refused when built.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { ClientCert, SubjectPolicy } = require('..')

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures')
const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'cert_cases.json'), 'utf8'))
const tls = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'vocabulary.json'), 'utf8')).tls
const read = (rel) => fs.readFileSync(path.join(FIXTURES, rel))

const certs = new Map(cases.certificates.map((c) => [c.name, ClientCert.fromPem(read(c.pem))]))

const properties = (cert) => ({
  subject: cert.subject,
  common_name: cert.commonName,
  san_emails: cert.sanEmails,
  san_dns: cert.sanDns,
  san_uris: cert.sanUris,
  san_ips: cert.sanIps,
  not_before: cert.notBefore,
  not_after: cert.notAfter
})

const thrown = (f) => {
  try {
    f()
  } catch (e) {
    return e
  }
  assert.fail('expected a throw')
}

test('every certificate reads as openssl reads it, from PEM (Buffer and string) and DER', () => {
  assert.ok(cases.certificates.length >= 10)
  for (const c of cases.certificates) {
    const want = Object.fromEntries(Object.keys(properties(certs.get(c.name))).map((k) => [k, c[k]]))
    assert.deepEqual(properties(ClientCert.fromPem(read(c.pem))), want, c.name)
    assert.deepEqual(properties(ClientCert.fromPem(read(c.pem).toString('ascii'))), want, c.name)
    assert.deepEqual(properties(ClientCert.fromDer(read(c.der))), want, c.name)
  }
})

test('malformed input is a CERTIFICATE error with core\'s text', () => {
  for (const c of cases.malformed) {
    const input = c.repeat ? Buffer.alloc(c.times, c.repeat) : Buffer.from(c.base64, 'base64')
    const e = thrown(() => (c.via === 'from_pem' ? ClientCert.fromPem(input) : ClientCert.fromDer(input)))
    assert.ok(e instanceof Error, c.name)
    assert.equal(e.code, 'CERTIFICATE', c.name)
    if (c.message !== undefined) assert.equal(e.message, c.message, c.name)
    else assert.ok(e.message.startsWith(c.message_prefix), `${c.name}: ${e.message}`)
  }
})

test('subject policies pass or refuse each certificate as core decides', () => {
  for (const p of cases.policies) {
    const policy = new SubjectPolicy(p.validation, p.authorized_subjects)
    assert.equal(policy.validation, p.validation)
    for (const [name, refusal] of Object.entries(p.cases)) {
      const cert = certs.get(name)
      if (refusal === null) {
        assert.equal(policy.check(cert), undefined, name)
      } else {
        const e = thrown(() => policy.check(cert))
        assert.deepEqual([e.code, e.message], ['CERTIFICATE', refusal], name)
      }
    }
  }
})

test('policies core refuses are refused when built', () => {
  for (const p of cases.invalid_policies) {
    const e = thrown(() => new SubjectPolicy(p.validation, p.authorized_subjects))
    assert.deepEqual([e.code, e.message], ['CERTIFICATE', p.message])
  }
})

test('defaults are core\'s; wrong argument types are TypeErrors', () => {
  assert.equal(new SubjectPolicy().validation, tls.defaults.validation)
  assert.equal(new SubjectPolicy(null, ['CN=x']).validation, tls.defaults.validation)
  assert.equal(new SubjectPolicy().check(certs.get('nosubj')), undefined)
  assert.throws(() => ClientCert.fromPem(5), TypeError)
  assert.throws(() => new SubjectPolicy('san_cn', 'CN=alice'), TypeError)
  assert.throws(() => new SubjectPolicy('san_cn', ['CN=alice']).check({}))
  assert.throws(() => new SubjectPolicy('san_cn', ['CN=alice']).check(null))
})
