'use strict'
// Certificate -> user mapping through the Node API (CertUserMap, CertLogin): the shared
// fixture's user maps (tests/fixtures/cert_cases.json; user names and subject lines read from
// openssl's description of the certificates by cert_cases_gen.py), run as the C, Python and
// Java suites run them: each map's mode and certificate users, an engine with the case's users
// (or none), and per certificate the user, outcome and log line; refused modes and subject
// lines change nothing.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { Acl, CertLogin, CertUserMap, ClientCert } = require('..')

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures')
const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'cert_cases.json'), 'utf8'))
const tls = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'vocabulary.json'), 'utf8')).tls
const read = (rel) => fs.readFileSync(path.join(FIXTURES, rel))
const certs = new Map(cases.certificates.map((c) => [c.name, ClientCert.fromPem(read(c.pem))]))

const thrown = (f) => {
  try {
    f()
  } catch (e) {
    return e
  }
  assert.fail('expected a throw')
}

const engine = (users) => {
  if (users === null) return null
  const acl = new Acl()
  for (const [name, ...rules] of users) acl.setuser(name, ...rules)
  return acl
}

test('every user map logs each certificate in as the fixture says', () => {
  assert.ok(cases.user_maps.length >= 10)
  for (const m of cases.user_maps) {
    const map = new CertUserMap(m.mode)
    assert.equal(map.mode, m.mode_as_written ?? m.mode, m.name)
    for (const u of m.certificate_users) assert.equal(map.setUser(u.name, u.certificate_subject_line), undefined)
    assert.deepEqual(map.users, m.certificate_users.map((u) => u.name).sort(), m.name)
    for (const u of m.certificate_users) assert.equal(map.subjectLine(u.name), u.certificate_subject_line)
    const acl = engine(m.acl)
    for (const [name, want] of Object.entries(m.cases)) {
      const login = acl === null ? map.map(certs.get(name)) : map.map(certs.get(name), acl)
      assert.ok(login instanceof CertLogin)
      assert.deepEqual({ user: login.user, outcome: login.outcome, log_line: login.logLine }, want, `${m.name} / ${name}`)
    }
    for (const u of m.certificate_users) {
      assert.equal(map.removeUser(u.name), true)
      assert.equal(map.removeUser(u.name), false)
      assert.equal(map.subjectLine(u.name), null)
    }
    assert.deepEqual(map.users, [])
  }
})

test('refused modes and subject lines are CERTIFICATE errors that change nothing', () => {
  for (const c of cases.invalid_user_maps) {
    if (c.certificate_subject_line === undefined) {
      assert.deepEqual((({ code, message }) => [code, message])(thrown(() => new CertUserMap(c.mode))), ['CERTIFICATE', c.message])
      const map = new CertUserMap('URI')
      const e = thrown(() => { map.mode = c.mode })
      assert.deepEqual([e.code, e.message], ['CERTIFICATE', c.message])
      assert.equal(map.mode, 'URI')
      continue
    }
    const map = new CertUserMap(c.mode)
    const e = thrown(() => map.setUser('u', c.certificate_subject_line))
    assert.ok(e instanceof Error)
    assert.deepEqual([e.code, e.message], ['CERTIFICATE', c.message])
    assert.deepEqual(map.users, [])
    assert.equal(map.subjectLine('u'), null)
  }
})

test('defaults are core\'s; modes in any case; wrong argument types are TypeErrors', () => {
  assert.equal(new CertUserMap().mode, tls.defaults.mode)
  assert.equal(new CertUserMap(null).map(certs.get('multi_ou')).outcome, 'default')
  const map = new CertUserMap('uri')
  assert.equal(map.mode, 'URI')
  map.mode = 'cn'
  assert.equal(map.map(certs.get('multi_ou'), undefined).user, 'alice')
  assert.throws(() => new CertUserMap(5), TypeError)
  assert.throws(() => map.setUser('u', null), TypeError)
  assert.throws(() => { map.mode = 3 }, TypeError)
  const bad = thrown(() => map.setUser(Buffer.from([0xff]), 'CN=a'))
  assert.equal(bad.code, 'INVALID_ARGUMENT')
  assert.deepEqual(map.users, [])
  assert.throws(() => map.map({}))
  assert.throws(() => map.map(null))
  const e = thrown(() => map.map(certs.get('multi_ou'), {}))
  assert.ok(e instanceof TypeError)
  assert.equal(e.code, 'ERR_INVALID_ARG_TYPE')
})
