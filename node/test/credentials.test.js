'use strict'
// CredentialStore against Milvus 2.3.5: every step of tests/fixtures/milvus_cases.json (recorded
// from the real server) replayed in memory and in a file, through the sync and the Promise
// forms; the error contract (code CREDENTIAL, milvusCode, Milvus' text); milvusAuthorization.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { CredentialStore, milvusAuthorization } = require('..')

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures')
const cases = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'milvus_cases.json'), 'utf8'))

async function outcome (store, step, caller, useAsync) {
  const call = (name, ...args) => useAsync ? store[name + 'Async'](...args) : store[name](...args)
  try {
    switch (step.op) {
      case 'create': await call('createUser', step.user, step.password); break
      case 'update': await call('updatePassword', step.user, step.old, step.new, caller); break
      case 'delete': await call('deleteUser', step.user); break
      case 'list': return { ok: true, result: await call('listUsers') }
      case 'login': return { ok: true, result: await call('verify', step.user, step.password) }
      default: throw new Error(`unknown op ${step.op}`)
    }
    return { ok: true }
  } catch (e) {
    assert.equal(e.code, 'CREDENTIAL', String(e))
    return { ok: false, code: e.milvusCode, message: e.message }
  }
}

async function replay (make, useAsync) {
  let steps = 0
  for (const scenario of cases.scenarios) {
    const store = await make(scenario.options.super_users || [])
    for (const [i, step] of scenario.steps.entries()) {
      const want = { ...step.expect }
      delete want.refusal
      assert.deepEqual(await outcome(store, step, scenario.caller || 'root', useAsync), want, `${scenario.name} step ${i}`)
      steps++
    }
  }
  return steps
}

test('memory store matches Milvus (sync)', async () => {
  const steps = await replay((superUsers) => new CredentialStore({ bcryptCost: 4, superUsers }), false)
  assert.ok(steps >= 250)
})

test('file store matches Milvus (Promises)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-creds-'))
  let n = 0
  await replay((superUsers) => CredentialStore.open({ path: path.join(dir, `u${n++}.json`), bcryptCost: 4, superUsers }), true)
  assert.equal(fs.statSync(path.join(dir, 'u0.json')).mode & 0o777, 0o600)
})

test('the error contract', () => {
  const store = new CredentialStore({ bcryptCost: 4 })
  assert.throws(() => store.deleteUser('root'), (e) => e instanceof Error && e.code === 'CREDENTIAL' &&
    e.milvusCode === 1401 && e.message === 'root user cannot be deleted: privilege not permitted')
  assert.throws(() => new CredentialStore({ bcryptCost: 3 }), (e) => e.code === 'CREDENTIAL' && e.milvusCode === 1100)
  assert.throws(() => new CredentialStore({ path: 'x.json', etcd: '127.0.0.1:1' }), (e) => e.code === 'INVALID_ARGUMENT')
  assert.throws(() => new CredentialStore({ verifiedCacheTtl: -1 }), (e) => e.code === 'INVALID_ARGUMENT')
  assert.throws(() => store.createUser(42, 'secret1'), (e) => e instanceof TypeError)
})

test('the verified cache forgets changed passwords', async () => {
  const store = new CredentialStore({ bcryptCost: 4, verifiedCacheTtl: 60 })
  store.createUser('alice', 'secret1')
  assert.ok(await store.verifyAsync('alice', 'secret1'))
  assert.ok(store.verify('alice', 'secret1'))
  await store.updatePasswordAsync('alice', 'secret1', 'secret2')
  assert.ok(!store.verify('alice', 'secret1') && store.verify('alice', 'secret2'))
})

test('milvusAuthorization', () => {
  assert.deepEqual(milvusAuthorization(Buffer.from('alice:pa:ss').toString('base64')), ['alice', 'pa:ss'])
  assert.throws(() => milvusAuthorization('!!'), (e) => e.code === 'CREDENTIAL' && e.milvusCode === 1400 &&
    e.message === 'auth check failure, please check username and password are correct')
})

test('vocabulary parity', () => {
  const v = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'vocabulary.json'), 'utf8')).credentials
  const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
  for (const m of v.methods) {
    assert.equal(typeof CredentialStore.prototype[camel(m)], 'function', m)
    assert.equal(typeof CredentialStore.prototype[camel(m) + 'Async'], 'function', m + 'Async')
  }
  assert.equal(typeof milvusAuthorization, 'function')
  const store = new CredentialStore({ bcryptCost: 4 })
  assert.ok(store.verify('root', v.defaults.default_root_password))
})

test('etcd options reach core (pairs, PEM files, etcd-only options)', () => {
  const refused = (options, code, message) => assert.throws(() => new CredentialStore(options), (e) =>
    e.code === 'CREDENTIAL' && e.milvusCode === code && (message instanceof RegExp ? message.test(e.message) : e.message === message))
  refused({ etcd: '127.0.0.1:1', etcdCert: '/nonexistent/cert.pem' }, 1100, 'etcd_cert and etcd_key go together: invalid parameter')
  refused({ etcd: '127.0.0.1:1', etcdUser: 'u' }, 1100, 'etcd_user and etcd_password go together: invalid parameter')
  refused({ etcd: '127.0.0.1:1', etcdCa: '/nonexistent/ca.pem' }, 65535, /^credential storage failed: cannot read etcd_ca \/nonexistent\/ca.pem: /)
  refused({ rootPath: 'x', bcryptCost: 4 }, 1100, 'root_path applies to an etcd store only: invalid parameter')
})

test('every vocabulary option is a CredentialStoreOptions field (index.d.ts)', () => {
  const v = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'vocabulary.json'), 'utf8')).credentials
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const body = dts.slice(dts.indexOf('export interface CredentialStoreOptions {'))
  const fields = body.slice(0, body.indexOf('\n}')).match(/^ {2}(\w+)\?:/gm).map((f) => f.trim().replace('?:', ''))
  const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
  for (const name of [...v.options, ...v.etcd_options]) assert.ok(fields.includes(camel(name)), camel(name))
})
