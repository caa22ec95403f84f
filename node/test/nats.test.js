'use strict'
// NATS logins and permissions through the Node API, against the shared cases recorded from
// nats-server 2.9.10 (tests/fixtures/nats_cases.json, format: tests/differential_nats/fixtures.py).
// Every config case is written to a temp dir and read with NatsAuth.fromFile from inside that
// dir (nats-server ran as `nats-server -c main.conf` there, so its error texts carry relative
// paths); every login and every check is compared with nats-server's verdict. The two
// command-line-mode cases (`--user/--pass`, `--auth`) run through NatsAuth.singleUser and
// NatsAuth.token. Then permissions as data and the allow_responses tracker (the same tests in
// every language).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { NatsAuth, NatsIdentity, ErrorCode } = require('..')

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'nats_cases.json')
const cases = JSON.parse(fs.readFileSync(FIXTURES, 'utf8')).cases

// The counts of the recorded file: a re-recording that drops cases must update them here.
const CASES = 316
const COMMAND_LINE_CASES = 2
const REFUSED_CONFIGS = 85
const LOGINS = 1832

/** Go pointers in nats-server's texts, masked as the recorder masked them (compare.py). */
const maskPointers = (s) => s.replace(/0xc[0-9a-f]{6,}/g, '0xPTR')

/** The CONNECT fields of a recorded login (null: not sent). */
function credentials(login) {
  const c = {}
  for (const k of ['user', 'password', 'token']) if (login[k] !== null) c[k] = login[k]
  return c
}

/** Runs `fn` inside a temp dir holding the case's files, with the case's environment. */
function inCase(kase, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-nats-'))
  const cwd = process.cwd()
  const saved = {}
  try {
    for (const [name, body] of Object.entries(kase.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
      fs.writeFileSync(path.join(dir, name), body)
    }
    for (const [k, v] of Object.entries(kase.env)) {
      saved[k] = process.env[k]
      process.env[k] = v
    }
    process.chdir(dir)
    return fn(dir)
  } finally {
    process.chdir(cwd)
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs `fn`, which must throw; returns the error. */
function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected an exception')
}

/** The identity's answers to the recorded checks, as [op, subject, queue, allow]. */
function answers(id, checks) {
  return checks.map((c) => [c.op, c.subject, c.queue,
    c.op === 'pub' ? id.canPublish(c.subject) : id.canSubscribe(c.subject, c.queue)])
}

/** nats-server's `--user U --pass P` or `--auth`/`-auth TOKEN`. */
function commandLineAuth(args) {
  const auth = Math.max(args.indexOf('--auth'), args.indexOf('-auth'))
  if (auth >= 0) return NatsAuth.token(args[auth + 1])
  return NatsAuth.singleUser(args[args.indexOf('--user') + 1], args[args.indexOf('--pass') + 1])
}

const expected = (checks) => checks.map((c) => [c.op, c.subject, c.queue, c.allow])

test('the fixture file has the recorded number of cases', () => {
  assert.equal(cases.length, CASES)
  assert.equal(cases.filter((c) => c.main === null).length, COMMAND_LINE_CASES)
  assert.equal(cases.filter((c) => c.check && !c.check.ok).length, REFUSED_CONFIGS)
  assert.equal(cases.reduce((n, c) => n + (c.logins || []).length, 0), LOGINS)
})

test('every recorded config, login and check matches nats-server 2.9.10', () => {
  let configs = 0
  let refused = 0
  let logins = 0
  let checks = 0
  for (const kase of cases) {
    configs++
    inCase(kase, () => {
      if (kase.check && !kase.check.ok) {
        const e = thrown(() => NatsAuth.fromFile(kase.main))
        assert.equal(e.code, ErrorCode.CONFIG, kase.name)
        const lines = maskPointers(e.message).split('\n').sort()
        assert.ok(kase.check.variants.some((v) => JSON.stringify(v) === JSON.stringify(lines)),
          `${kase.name}: ${JSON.stringify(lines)} is none of ${JSON.stringify(kase.check.variants)}`)
        refused++
        return
      }
      const auth = kase.main === null ? commandLineAuth(kase.server_args) : NatsAuth.fromFile(kase.main)
      for (const login of kase.logins) {
        const what = `${kase.name}: ${JSON.stringify(credentials(login))}`
        logins++
        if (!login.ok) {
          const e = thrown(() => auth.authenticate(credentials(login)))
          assert.equal(e.code, ErrorCode.AUTH, what)
          assert.equal(e.message, login.error, what)
          continue
        }
        const id = auth.authenticate(credentials(login))
        assert.ok(id instanceof NatsIdentity, what)
        assert.equal(id.user, login.user_name, what)
        assert.equal(id.account, login.account, what)
        assert.deepEqual(answers(id, login.checks), expected(login.checks), what)
        checks += login.checks.length
      }
    })
  }
  assert.equal(configs, CASES)
  assert.equal(refused, REFUSED_CONFIGS)
  assert.ok(logins > 0 && checks > 0)
})

test('authenticateAsync gives the same verdicts as authenticate', async () => {
  let compared = 0
  for (const kase of cases) {
    if (kase.main === null || !kase.check.ok) continue
    const auth = inCase(kase, () => NatsAuth.fromFile(kase.main))
    const outcomes = await Promise.all(kase.logins.map((login) =>
      auth.authenticateAsync(credentials(login)).then((id) => ({ id }), (error) => ({ error }))))
    kase.logins.forEach((login, i) => {
      const what = `${kase.name}: ${JSON.stringify(credentials(login))}`
      const { id, error } = outcomes[i]
      if (!login.ok) {
        assert.equal(error && error.code, ErrorCode.AUTH, what)
        assert.equal(error.message, login.error, what)
        return
      }
      assert.equal(error, undefined, what)
      assert.equal(id.user, login.user_name, what)
      assert.equal(id.account, login.account, what)
      assert.deepEqual(answers(id, login.checks), expected(login.checks), what)
      compared++
    })
  }
  assert.ok(compared > 0)
})

const CONF = `authorization {
  timeout: 3.5
  users = [
    { user: alice, password: secret, permissions: {
        publish: { allow: ["orders.>"], deny: ["orders.secret"] }
        subscribe: { allow: ["events.>", "jobs QWORKERS"], deny: ["events.private.*"] } } }
    { user: bob, password: hunter2 }
  ]
}
`

test('parse: permissions, deny over allow, queues and delivery to wildcard subscriptions', () => {
  const auth = NatsAuth.parse(CONF)
  assert.equal(auth.authTimeout, 3.5)
  const alice = auth.authenticate({ user: 'alice', password: 'secret' })
  assert.equal(alice.user, 'alice')
  assert.equal(alice.account, '$G')
  assert.equal(alice.canPublish('orders.new'), true)
  assert.equal(alice.canPublish('orders.secret'), false)
  assert.equal(alice.canPublish(Buffer.from('billing')), false)
  assert.equal(alice.canSubscribe('events.>'), true)
  assert.equal(alice.canSubscribe('jobs', 'QWORKERS'), true)
  assert.equal(alice.canSubscribe('jobs', 'OTHER'), false)
  assert.equal(alice.canSubscribe('jobs'), false)
  // A wildcard subscription is accepted, but the deny filter applies at delivery.
  assert.equal(alice.canReceive('events.public.x'), true)
  assert.equal(alice.canReceive('events.private.x'), false)
  const bob = auth.authenticate({ user: Buffer.from('bob'), password: Buffer.from('hunter2') })
  assert.equal(bob.canPublish('anything'), true)
  assert.equal(bob.canReceive('events.private.x'), true)
})

test('credentials from a URL, replaced by the fields given', () => {
  const auth = NatsAuth.parse(CONF)
  assert.equal(auth.authenticate({ url: 'nats://alice:secret@127.0.0.1:4222' }).user, 'alice')
  assert.equal(auth.authenticate({ url: 'nats://alice:wrong@127.0.0.1:4222', password: 'secret' }).user, 'alice')
  const e = thrown(() => auth.authenticate({ url: 'nats://alice:wrong@127.0.0.1:4222' }))
  assert.equal(e.code, ErrorCode.AUTH)
  assert.equal(e.message, 'Authorization Violation')
  assert.equal(thrown(() => auth.authenticate()).code, ErrorCode.AUTH)
})

test('connection types: a user limited to websocket is refused on the client port', () => {
  const auth = NatsAuth.parse(`authorization { users = [
    { user: ws, password: pw, allowed_connection_types: ["WEBSOCKET"] } ] }
websocket { port: 8080, no_tls: true }
`)
  assert.equal(thrown(() => auth.authenticate({ user: 'ws', password: 'pw' })).code, ErrorCode.AUTH)
  assert.equal(auth.authenticate({ user: 'ws', password: 'pw', connectionType: 'websocket' }).user, 'ws')
  const e = thrown(() => auth.authenticate({ user: 'ws', password: 'pw', connectionType: 'carrier-pigeon' }))
  assert.equal(e.code, ErrorCode.INVALID_ARGUMENT)
  assert.match(e.message, /WEBSOCKET/)
})

test('parse: error positions carry the given filename; includes resolve against baseDir', () => {
  const e = thrown(() => NatsAuth.parse('authorization { token: t, users: [{user: a, password: b}] }\n', 'inline.conf'))
  assert.equal(e.code, ErrorCode.CONFIG)
  assert.match(e.message, /^inline\.conf:1:\d+: /)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-nats-'))
  try {
    fs.writeFileSync(path.join(dir, 'users.conf'), 'users = [ { user: inc, password: pw } ]\n')
    const auth = NatsAuth.parse('authorization { include users.conf }\n', 'main.conf', dir)
    assert.equal(auth.authenticate({ user: 'inc', password: 'pw' }).user, 'inc')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('bad arguments are type errors, and operator mode is a CONFIG error', () => {
  assert.equal(thrown(() => NatsAuth.parse(42)).code, 'ERR_INVALID_ARG_TYPE')
  assert.equal(thrown(() => NatsAuth.parse(CONF).authenticate('alice')).code, 'ERR_INVALID_ARG_TYPE')
  assert.equal(thrown(() => NatsAuth.parse(CONF).authenticate({ user: 7 })).code, 'ERR_INVALID_ARG_TYPE')
  const e = thrown(() => NatsAuth.parse('operator: "op.jwt"\n'))
  assert.equal(e.code, ErrorCode.CONFIG)
  assert.match(e.message, /operator/)
  assert.equal(thrown(() => NatsAuth.fromFile(path.join(os.tmpdir(), 'authgate-no-such-nats.conf'))).code, ErrorCode.CONFIG)
})

const PERMISSIONS = `
authorization {
  users: [
    {user: svc, password: p, permissions: {
      publish: {allow: ["orders.>", "audit"], deny: "orders.secret"},
      subscribe: {allow: ["replies.*", "jobs.* workers"]},
      allow_responses: {max: 2, expires: "1m30s"}}},
    {user: reply, password: p, permissions: {subscribe: "req.>", allow_responses: true}},
    {user: open, password: p}
  ]
}
`

test('permissions as data', () => {
  const nats = NatsAuth.parse(PERMISSIONS)
  assert.deepEqual(nats.authenticate({ user: 'svc', password: 'p' }).permissions, {
    publish: { allow: ['orders.>', 'audit'], deny: ['orders.secret'] },
    subscribe: { allow: ['replies.*', 'jobs.* workers'], deny: null },
    allowResponses: { max: 2, expires: 90 }
  })
  // allow_responses alone: publish allows nothing but responses (an empty allow list), with
  // nats-server's defaults of one response within two minutes.
  assert.deepEqual(nats.authenticate({ user: 'reply', password: 'p' }).permissions, {
    publish: { allow: [], deny: null },
    subscribe: { allow: ['req.>'], deny: null },
    allowResponses: { max: 1, expires: 120 }
  })
  assert.equal(nats.authenticate({ user: 'open', password: 'p' }).permissions, null)
  assert.equal(NatsAuth.token('t').authenticate({ token: 't' }).permissions, null)
})

test('receivedRequest makes the reply subject publishable', () => {
  const nats = NatsAuth.parse(PERMISSIONS)
  const reply = nats.authenticate({ user: 'reply', password: 'p' })
  assert.equal(reply.canPublish('_INBOX.abc'), false)
  reply.receivedRequest('_INBOX.abc')
  assert.equal(reply.canPublish('_INBOX.abc'), true)
  // max 1: the second response is refused, and other subjects never were allowed
  assert.equal(reply.canPublish('_INBOX.abc'), false)
  assert.equal(reply.canPublish('_INBOX.other'), false)
  const svc = nats.authenticate({ user: 'svc', password: 'p' })
  svc.receivedRequest(Buffer.from('_INBOX.x'))
  assert.deepEqual([svc.canPublish('_INBOX.x'), svc.canPublish('_INBOX.x'), svc.canPublish('_INBOX.x')], [true, true, false])
  // identities do not share replies; without allow_responses nothing changes
  assert.equal(nats.authenticate({ user: 'reply', password: 'p' }).canPublish('_INBOX.abc'), false)
  const other = nats.authenticate({ user: 'open', password: 'p' })
  other.receivedRequest('x')
  assert.equal(other.canPublish('anything'), true)
})

test('the command-line modes', () => {
  const single = NatsAuth.singleUser('foo', 'bar')
  assert.deepEqual([single.authenticate({ user: 'foo', password: 'bar' }).user, single.authTimeout], ['foo', 2])
  assert.equal(thrown(() => single.authenticate({ user: 'foo', password: 'baz' })).code, ErrorCode.AUTH)
  const token = NatsAuth.token(Buffer.from('S3Cr3T0k3n!'))
  assert.equal(token.authenticate({ token: 'S3Cr3T0k3n!' }).account, '$G')
  assert.equal(thrown(() => token.authenticate({ user: 'S3Cr3T0k3n!', password: 'x' })).code, ErrorCode.AUTH)
  assert.equal(thrown(() => NatsAuth.token(null)).code, 'ERR_INVALID_ARG_TYPE')
})

test('verify_and_map maps the client certificate (PEM or DER) to a user', () => {
  const certs = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'certs')
  const auth = NatsAuth.parse(
    `tls { cert_file: "${certs}/server.pem", key_file: "${certs}/server.key", ca_file: "${certs}/ca.pem", verify_and_map: true }\n` +
      'authorization { users: [ {user: "alice@example.com"} ] }\n'
  )
  assert.throws(() => auth.authenticate({}), { code: 'AUTH' })
  assert.equal(auth.authenticate({ certificate: fs.readFileSync(path.join(certs, 'multi_ou.pem')) }).user, 'alice@example.com')
  assert.equal(auth.authenticate({ certificate: fs.readFileSync(path.join(certs, 'multi_ou.der')) }).user, 'alice@example.com')
  assert.equal(auth.authenticate({ certificate: fs.readFileSync(path.join(certs, 'multi_ou.pem'), 'ascii') }).user, 'alice@example.com')
  assert.throws(() => auth.authenticate({ certificate: fs.readFileSync(path.join(certs, 'special.pem')) }), { code: 'AUTH' })
  assert.throws(() => auth.authenticate({ certificate: 'not a certificate' }), { code: 'CERTIFICATE' })
})
