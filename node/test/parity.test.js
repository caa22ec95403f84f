'use strict'
// API parity: tests/fixtures/vocabulary.json lists every operation each authgate language
// exports and core's defaults. This test calls every entry under its camelCase name, checks
// the records' fields and the error codes, and checks the defaults against what the package
// does when nothing is given. A name added to the vocabulary fails here until Node has it.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const authgate = require('..')
const { Acl, Server, ErrorCode, NatsAuth, NatsIdentity } = authgate

const vocabulary = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'fixtures', 'vocabulary.json'), 'utf8'))
const defaults = vocabulary.defaults

/** `log_reset` -> `logReset`. */
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-parity-'))
}

/** Sends RESP inline commands to a server and resolves with the raw reply once `until` matches. */
function exchange(port, lines, until) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let out = ''
    socket.on('error', reject)
    socket.on('data', (d) => {
      out += d
      if (until.test(out)) {
        socket.end()
        resolve(out)
      }
    })
    socket.write(lines.map((l) => `${l}\r\n`).join(''))
  })
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

/** Every Acl method of the vocabulary, called with valid arguments and its result checked
 * (in the vocabulary's order, each independent of the ones after it). */
function aclCalls(dir) {
  const file = path.join(dir, 'users.acl')
  return {
    setuser: (acl) => assert.equal(acl.setuser('alice', 'on', '>pw', '~k:*', '+get'), undefined),
    deluser: (acl) => {
      acl.setuser('gone')
      assert.equal(acl.deluser('gone', 'never'), 1)
    },
    getuser: (acl) => assert.deepEqual(Object.keys(acl.getuser('alice')).sort(), vocabulary.user_info.map(camel).sort()),
    users: (acl) => assert.deepEqual(acl.users(), ['alice', 'default']),
    list: (acl) => assert.equal(acl.list().length, 2),
    cat: (acl) => assert.ok(acl.cat().includes('keyspace') && acl.cat('keyspace').includes('del')),
    check: (acl) => {
      assert.equal(acl.check('alice', 'GET', 'k:1'), undefined)
      assert.equal(thrown(() => acl.check('alice', 'GET', 'other')).code, 'NOPERM')
    },
    allowed: (acl) => {
      assert.equal(acl.allowed('alice', 'GET', 'k:1'), true)
      assert.equal(acl.allowed('alice', 'GET', 'other'), false)
      assert.equal(thrown(() => acl.allowed('nobody', 'GET', 'k:1')).code, 'NOT_FOUND')
    },
    denial: (acl) => {
      assert.equal(acl.denial('alice', 'GET', 'k:1'), null)
      const d = acl.denial('alice', 'GET', 'other')
      const e = thrown(() => acl.check('alice', 'GET', 'other'))
      assert.deepEqual(Object.keys(d), vocabulary.denial.map(camel))
      assert.deepEqual(d, { reason: e.reason, command: e.command, object: e.object, message: e.message })
    },
    dryrun: (acl) => {
      assert.equal(acl.dryrun('alice', 'GET', 'k:1'), 'OK')
      assert.equal(acl.dryrun('alice', 'SET', 'k:1', 'v'), "This user has no permissions to run the 'set' command")
    },
    authenticate: (acl) => assert.equal(acl.authenticate('alice', 'pw'), true),
    log: (acl) => assert.deepEqual(acl.log(), []),
    log_reset: (acl) => assert.equal(acl.logReset(), undefined),
    genpass: (acl) => assert.match(acl.genpass(), /^[0-9a-f]+$/),
    save: (acl) => {
      assert.equal(acl.save(file), undefined)
      assert.match(fs.readFileSync(file, 'utf8'), /^user alice on /m)
    },
    load: (acl) => {
      acl.save(file)
      acl.setuser('temp')
      assert.equal(acl.load(file), undefined)
      assert.deepEqual(acl.users(), ['alice', 'default'])
    },
    check_aclfile: (acl) => {
      acl.save(file)
      assert.equal(acl.checkAclfile(file), undefined)
    },
    set_requirepass: (acl) => {
      acl.setRequirepass('rootpw')
      assert.equal(acl.authenticate('default', 'rootpw'), true)
    },
    options: (acl) => assert.deepEqual(Object.keys(acl.options()).sort(), vocabulary.acl.settings.map(camel).sort()),
    set_options: (acl) => {
      acl.setOptions({ logMaxLen: 7 })
      assert.equal(acl.options().logMaxLen, 7)
    },
  }
}

test('Acl: every constructor, method and setting of the vocabulary', async () => {
  const dir = tmpdir()
  const calls = aclCalls(dir)
  assert.deepEqual(Object.keys(calls).sort(), [...vocabulary.acl.methods].sort(), 'this test covers the vocabulary exactly')
  const acl = new Acl()
  for (const name of vocabulary.acl.methods) {
    assert.equal(typeof Acl.prototype[camel(name)], 'function', `Acl.prototype.${camel(name)}`)
    calls[name](acl)
  }

  const ctors = { new: () => new Acl(), from_file: () => Acl.fromFile(path.join(dir, 'users.acl')) }
  // from_store is exercised against a real etcd in acl-store.test.js: here an address nothing
  // listens on shows the constructor exists and refuses to start without a cache.
  assert.equal(typeof Acl.fromStore, 'function')
  assert.throws(() => Acl.fromStore('etcd://127.0.0.1:1/parity'), (e) => e.code === 'IO')
  assert.deepEqual([...Object.keys(ctors), 'from_store'].sort(), [...vocabulary.acl.constructors].sort())
  for (const name of Object.keys(ctors)) assert.ok(ctors[name]() instanceof Acl, name)
  // Each store option is a camelCased field core takes: half of a client certificate pair is
  // refused by core (an unknown field would be ignored and fail with IO instead).
  assert.deepEqual(vocabulary.acl.store_options, ['cache_file', 'ca_file', 'cert_file', 'key_file'])
  for (const name of ['cert_file', 'key_file']) {
    assert.throws(() => Acl.fromStore('etcd://127.0.0.1:1/parity', { [camel(name)]: '/x.pem' }),
      (e) => e.code === 'INVALID_ARGUMENT' && e.message === 'cert_file and key_file go together', name)
  }
  assert.throws(() => Acl.fromStore('etcd://127.0.0.1:1/parity', { [camel('ca_file')]: '/nonexistent/x.pem' }),
    (e) => e.code === 'IO' && e.message.startsWith('cannot read ca_file '))
  assert.throws(() => Acl.fromStore('etcd://127.0.0.1:1/parity', { [camel('cache_file')]: '/nonexistent/x.cache' }),
    (e) => e.code === 'IO')
  // The Promise forms of the file operations (Node's addition to the vocabulary).
  assert.ok((await Acl.fromFileAsync(path.join(dir, 'users.acl'))) instanceof Acl)
  await acl.saveAsync(path.join(dir, 'users.acl'))
  await acl.loadAsync(path.join(dir, 'users.acl'))

  for (const name of vocabulary.acl.settings) {
    const prop = Object.getOwnPropertyDescriptor(Acl.prototype, camel(name))
    assert.ok(prop && prop.get && prop.set, `Acl.prototype.${camel(name)} is a getter and setter`)
    assert.equal(acl[camel(name)], acl.options()[camel(name)], `${camel(name)} reads what options() reports`)
  }
  for (const value of vocabulary.pubsub_default_values) {
    acl.pubsubDefault = value
    assert.equal(acl.pubsubDefault, value)
    acl.pubsubDefault = value.toUpperCase()
    assert.equal(acl.pubsubDefault, value, 'any case, as in redis.conf')
    assert.equal(new Acl({ pubsubDefault: value }).pubsubDefault, value)
  }
  acl.logMaxLen = 3
  assert.equal(acl.logMaxLen, 3)
  fs.rmSync(dir, { recursive: true })
})

test('Server: every option, method and property of the vocabulary', async (t) => {
  const dir = tmpdir()
  const aclfile = path.join(dir, 'users.acl')
  const config = path.join(dir, 'redis.conf')
  fs.writeFileSync(aclfile, 'user default on >pw ~* &* +@all\n')
  fs.writeFileSync(config, 'maxclients 9\n')
  t.after(() => fs.rmSync(dir, { recursive: true }))
  const values = { host: '127.0.0.1', port: 0, requirepass: 'pw', aclfile, maxclients: 12, config }
  assert.deepEqual(Object.keys(values).sort(), [...vocabulary.server.options].sort())
  const options = Object.fromEntries(vocabulary.server.options.map((o) => [camel(o), values[o]]))
  const server = new Server({ acl: new Acl(), ...options })
  for (const name of vocabulary.server.properties) {
    const prop = Object.getOwnPropertyDescriptor(Server.prototype, camel(name))
    assert.ok(prop && prop.get && !prop.set, `Server.prototype.${camel(name)} is a read-only property`)
  }
  for (const name of vocabulary.server.methods) assert.equal(typeof Server.prototype[camel(name)], 'function', name)

  assert.deepEqual([server.running, server.host, server.port], [false, '127.0.0.1', null])
  const port = await server.start()
  assert.deepEqual([server.running, server.port], [true, port])
  const reply = await exchange(port, ['AUTH pw', 'CONFIG GET maxclients'], /maxclients\r\n\$2\r\n12\r\n/)
  assert.match(reply, /^\+OK\r\n/, 'aclfile (or requirepass) applied')
  const port2 = await server.restart()
  assert.deepEqual([server.running, server.port], [true, port2])
  assert.equal(await server.stop(), true)
  assert.deepEqual([server.running, server.port], [false, port2])
})

test('NATS: every constructor, method, property, authenticate parameter and identity member', async () => {
  const nats = vocabulary.nats
  const dir = tmpdir()
  const conf = path.join(dir, 'nats.conf')
  fs.writeFileSync(conf, 'authorization { user: u, password: p, timeout: 4 }\n')
  const ctors = {
    from_file: () => NatsAuth.fromFile(conf),
    parse: () => NatsAuth.parse(fs.readFileSync(conf), 'nats.conf', dir),
    single_user: () => NatsAuth.singleUser('u', 'p'),
    token: () => NatsAuth.token('t')
  }
  assert.deepEqual(Object.keys(ctors).sort(), [...nats.constructors].sort())
  for (const name of nats.constructors) assert.ok(ctors[name]() instanceof NatsAuth, name)
  fs.rmSync(dir, { recursive: true })
  const auth = NatsAuth.parse('authorization { user: u, password: p, timeout: 4 }\n')
  for (const name of nats.properties) {
    const prop = Object.getOwnPropertyDescriptor(NatsAuth.prototype, camel(name))
    assert.ok(prop && prop.get && !prop.set, `NatsAuth.prototype.${camel(name)} is a read-only property`)
  }
  assert.equal(auth.authTimeout, 4)
  for (const name of nats.methods) {
    assert.equal(typeof NatsAuth.prototype[camel(name)], 'function', name)
    assert.equal(typeof NatsAuth.prototype[camel(name) + 'Async'], 'function', `${name}Async (the Promise form)`)
  }
  // Each parameter is a field of the credentials object: a value of the wrong type in it is
  // a TypeError, which proves the field is read (unknown fields are ignored).
  for (const name of nats.authenticate_parameters) {
    assert.equal(thrown(() => auth.authenticate({ [camel(name)]: 1 })).code, 'ERR_INVALID_ARG_TYPE', camel(name))
    await assert.rejects(async () => auth.authenticateAsync({ [camel(name)]: 1 }), { code: 'ERR_INVALID_ARG_TYPE' })
  }
  const id = auth.authenticate({ user: 'u', password: 'p' })
  assert.ok(id instanceof NatsIdentity)
  assert.ok((await auth.authenticateAsync({ user: 'u', password: 'p' })) instanceof NatsIdentity)
  for (const name of nats.identity) assert.ok(camel(name) in id, `NatsIdentity.${camel(name)}`)
  assert.deepEqual([id.user, id.account, id.canPublish('a'), id.canSubscribe('a', 'q'), id.canReceive('a')], ['u', '$G', true, true, true])
  const perms = NatsAuth.parse('authorization { users: [ {user: u, password: p, permissions: {publish: a, allow_responses: true}} ] }')
    .authenticate({ user: 'u', password: 'p' }).permissions
  assert.deepEqual(Object.keys(perms), nats.permissions.map(camel))
  for (const direction of ['publish', 'subscribe']) assert.deepEqual(Object.keys(perms[direction]), nats.subject_lists.map(camel))
  assert.deepEqual(Object.keys(perms.allowResponses), nats.allow_responses.map(camel))
})

test('records: user info and ACL LOG entries have the vocabulary fields', async () => {
  const acl = new Acl()
  assert.deepEqual(Object.keys(acl.getuser('default')).sort(), vocabulary.user_info.map(camel).sort())
  const server = new Server({ acl })
  const port = await server.start()
  try {
    await exchange(port, ['AUTH nobody wrong'], /WRONGPASS/)
  } finally {
    await server.stop()
  }
  const [entry] = acl.log()
  assert.deepEqual(Object.keys(entry).sort(), vocabulary.log_entry.map(camel).sort())
  assert.equal(entry.reason, 'auth')
})

test('error codes: ErrorCode holds every core code, plus Node\'s two TypeError codes', () => {
  assert.deepEqual(Object.values(ErrorCode), [...vocabulary.error_codes, 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_THIS'])
  for (const code of vocabulary.error_codes) assert.equal(ErrorCode[code], code)
})

test('defaults: what the package does with nothing given is core\'s defaults', async () => {
  const acl = new Acl()
  assert.deepEqual(acl.options(), { logMaxLen: defaults.log_max_len, pubsubDefault: defaults.pubsub_default })
  const dir = tmpdir()
  fs.writeFileSync(path.join(dir, 'users.acl'), 'user alice on\n')
  assert.deepEqual(Acl.fromFile(path.join(dir, 'users.acl'), {}).options(), acl.options(), 'fromFile too')
  fs.rmSync(dir, { recursive: true })
  assert.equal(acl.genpass().length * 4, defaults.genpass_bits)
  assert.equal(authgate.genpass().length * 4, defaults.genpass_bits)
  acl.setuser('fresh')
  assert.equal(acl.getuser('fresh').channels, defaults.pubsub_default === 'resetchannels' ? '' : '&*')

  const server = new Server({ acl: new Acl() })
  assert.equal(server.host, defaults.host)
  assert.equal(defaults.port, 0, 'the embedded default port is a free one')
  const port = await server.start()
  try {
    assert.ok(port > 0, 'port 0 picked a free port')
    const reply = await exchange(port, ['CONFIG GET maxclients', 'CONFIG GET bind'], /bind\r\n/)
    assert.match(reply, new RegExp(`maxclients\\r\\n\\$${String(defaults.maxclients).length}\\r\\n${defaults.maxclients}\\r\\n`))
  } finally {
    await server.stop()
  }
})

test('TLS: every ClientCert constructor and property, SubjectPolicy parameter, method and validation', () => {
  const tls = vocabulary.tls
  const { ClientCert, SubjectPolicy } = authgate
  const certs = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'certs')
  const ctors = {
    from_pem: () => ClientCert.fromPem(fs.readFileSync(path.join(certs, 'multi_ou.pem'))),
    from_der: () => ClientCert.fromDer(fs.readFileSync(path.join(certs, 'multi_ou.der')))
  }
  assert.deepEqual(Object.keys(ctors).sort(), [...tls.client_cert.constructors].sort())
  for (const name of tls.client_cert.constructors) assert.ok(ctors[name]().subject.startsWith('CN=alice,'), name)
  const cert = ctors.from_pem()
  for (const name of tls.client_cert.properties) {
    const prop = Object.getOwnPropertyDescriptor(ClientCert.prototype, camel(name))
    assert.ok(prop && prop.get && !prop.set, `ClientCert.prototype.${camel(name)} is a read-only property`)
    assert.notEqual(cert[camel(name)], undefined, name)
  }
  const policy = tls.subject_policy
  assert.deepEqual(policy.constructors, ['new'])
  // The constructor's parameters, in order, as the generated typings declare them.
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const decl = dts.slice(dts.indexOf('export declare class SubjectPolicy'))
  const params = /constructor\(([^)]*)\)/.exec(decl)[1].split(',').map((p) => p.trim().split('?')[0].split(':')[0])
  assert.deepEqual(params, policy.parameters.map(camel))
  for (const name of policy.validations) {
    const made = new SubjectPolicy(name, ['CN=alice'])
    assert.equal(made.validation, name)
    for (const method of policy.methods) assert.equal(made[camel(method)](cert), undefined, method)
  }
  for (const name of policy.properties) {
    const prop = Object.getOwnPropertyDescriptor(SubjectPolicy.prototype, camel(name))
    assert.ok(prop && prop.get && !prop.set, `SubjectPolicy.prototype.${camel(name)} is a read-only property`)
  }
  try {
    ClientCert.fromDer(Buffer.alloc(0))
    assert.fail('expected a throw')
  } catch (e) {
    assert.equal(e.code, tls.error.code)
  }
})

test('TLS: every CertUserMap parameter, method, setting, property and mode; every CertLogin property and outcome', () => {
  const tls = vocabulary.tls
  const { Acl, CertUserMap, ClientCert } = authgate
  const cert = ClientCert.fromPem(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'fixtures', 'certs', 'multi_ou.pem')))
  const vocab = tls.cert_user_map
  assert.deepEqual(vocab.constructors, ['new'])
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const decl = dts.slice(dts.indexOf('export declare class CertUserMap'))
  const params = /constructor\(([^)]*)\)/.exec(decl)[1].split(',').map((p) => p.trim().split('?')[0].split(':')[0])
  assert.deepEqual(params, vocab.parameters.map(camel))
  for (const mode of vocab.modes) assert.equal(new CertUserMap(mode).mode, mode)
  const map = new CertUserMap('CN')
  const calls = {
    set_user: () => assert.equal(map.setUser('ops', cert.subject), undefined),
    subject_line: () => {
      map.setUser('dev', cert.subject)
      assert.equal(map.subjectLine('dev'), cert.subject)
    },
    map: () => assert.equal(new CertUserMap('CN').map(cert).user, 'alice'),
    remove_user: () => assert.equal(map.removeUser('ops'), true)
  }
  assert.deepEqual(Object.keys(calls).sort(), [...vocab.methods].sort())
  for (const name of vocab.methods) {
    assert.equal(typeof CertUserMap.prototype[camel(name)], 'function', name)
    calls[name]()
  }
  for (const name of vocab.settings) {
    const prop = Object.getOwnPropertyDescriptor(CertUserMap.prototype, camel(name))
    assert.ok(prop && prop.get && prop.set, `CertUserMap.prototype.${camel(name)} is a read-write property`)
  }
  for (const name of vocab.properties) {
    const prop = Object.getOwnPropertyDescriptor(CertUserMap.prototype, camel(name))
    assert.ok(prop && prop.get && !prop.set, `CertUserMap.prototype.${camel(name)} is a read-only property`)
  }
  const { CertLogin } = authgate
  for (const name of tls.cert_login.properties) {
    const prop = Object.getOwnPropertyDescriptor(CertLogin.prototype, camel(name))
    assert.ok(prop && prop.get && !prop.set, `CertLogin.prototype.${camel(name)} is a read-only property`)
  }
  const acl = new Acl()
  acl.setuser('ops', 'on')
  const outcomes = new Set()
  for (const [mode, user] of [['CN', 'ops'], ['CN', null], ['off', null]]) {
    const m = new CertUserMap(mode)
    if (user) m.setUser(user, cert.subject)
    outcomes.add(m.map(cert, acl).outcome)
  }
  outcomes.add(new CertUserMap('CN').map(cert).outcome)
  assert.deepEqual([...outcomes].sort(), [...tls.cert_login.outcomes].sort())
})
