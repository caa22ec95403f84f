'use strict'
// End to end: a Server started from Node, users defined from Node, node-redis (the `redis`
// package) connecting with username/password; NOPERM, WRONGPASS and NOAUTH as client errors;
// live changes from Node applied to open connections; the ACL LOG seen from Node.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const { createClient } = require('redis')
const { Acl, Server } = require('..')

/** A connected node-redis client; `errors` collects its 'error' events. */
async function connect(port, auth = {}) {
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, ...auth })
  client.errors = []
  client.on('error', (e) => client.errors.push(e))
  await client.connect()
  return client
}

async function closeQuietly(client) {
  if (client.isOpen) await client.close().catch(() => {})
}

function waitFor(predicate, ms = 3000) {
  const deadline = Date.now() + ms
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (predicate()) return resolve()
      if (Date.now() > deadline) return reject(new Error('timed out waiting'))
      setTimeout(poll, 10)
    }
    poll()
  })
}

function setup() {
  const acl = new Acl()
  acl.setuser('default', 'off')
  acl.setuser('alice', 'on', '>secret', '~cache:*', '+get', '+set', '+ping')
  acl.setuser('admin', 'on', '>adminpw', '~*', '&*', '+@all')
  return acl
}

test('Server: start, serve node-redis clients authenticated as Node-defined users, stop', async (t) => {
  const acl = setup()
  const server = new Server({ acl })
  assert.equal(server.running, false)
  assert.equal(server.host, '127.0.0.1', "core's default")
  assert.equal(server.port, null, 'no port before the first start')
  const starting = server.start()
  assert.ok(starting instanceof Promise, 'start() returns at once with a Promise')
  const port = await starting
  assert.ok(Number.isInteger(port) && port > 0)
  assert.equal(server.port, port)
  assert.equal(server.running, true)
  t.after(() => server.stop())

  const alice = await connect(port, { username: 'alice', password: 'secret' })
  assert.equal(await alice.set('cache:1', 'v1'), 'OK')
  assert.equal(await alice.get('cache:1'), 'v1')
  assert.equal(await alice.ping(), 'PONG')

  await t.test('NOPERM surfaces as a client error, and lands in the ACL LOG seen from Node', async () => {
    acl.logReset()
    await assert.rejects(alice.get('secret:1'), (e) => {
      assert.equal(e.message, 'NOPERM this user has no permissions to access one of the keys used as arguments')
      return true
    })
    await assert.rejects(alice.del('cache:1'), { message: "NOPERM this user has no permissions to run the 'del' command" })
    const log = acl.log()
    assert.equal(log.length, 2)
    assert.deepEqual(
      log.map((e) => [e.reason, e.context, e.object, e.username, e.count]),
      [
        ['command', 'toplevel', 'del', 'alice', 1],
        ['key', 'toplevel', 'secret:1', 'alice', 1],
      ],
    )
    assert.match(log[0].clientInfo, /user=alice/)
    assert.equal(typeof log[0].ageSeconds, 'number')
    assert.equal(acl.log(1).length, 1)
  })

  await t.test('a live setuser from Node applies to the open connection at once', async () => {
    await assert.rejects(alice.del('cache:1'), /NOPERM/)
    acl.setuser('alice', '+del')
    assert.equal(await alice.del('cache:1'), 1)
    acl.setuser('alice', '-get')
    await assert.rejects(alice.get('cache:1'), { message: "NOPERM this user has no permissions to run the 'get' command" })
    acl.setuser('alice', '+get', '~other:*')
    assert.equal(await alice.get('other:1'), null)
  })

  await t.test('WRONGPASS for a bad password or an unknown or disabled user', async () => {
    for (const auth of [
      { username: 'alice', password: 'wrong' },
      { username: 'nobody', password: 'secret' },
    ]) {
      await assert.rejects(connect(port, auth), {
        message: 'WRONGPASS invalid username-password pair or user is disabled.',
      })
    }
    acl.setuser('carol', 'on', '>pw', '+@all', '~*')
    const carol = await connect(port, { username: 'carol', password: 'pw' })
    await closeQuietly(carol)
    acl.setuser('carol', 'off')
    await assert.rejects(connect(port, { username: 'carol', password: 'pw' }), { message: /^WRONGPASS/ })
    const auth = acl.log().filter((e) => e.reason === 'auth')
    assert.ok(auth.some((e) => e.username === 'nobody'))
  })

  await t.test('NOAUTH for a client that does not authenticate while default is off', async () => {
    await assert.rejects(connect(port), (e) => e.message.startsWith('NOAUTH'))
  })

  await t.test('changes made by clients are visible from Node, and deluser drops connections', async () => {
    const admin = await connect(port, { username: 'admin', password: 'adminpw' })
    assert.equal(await admin.sendCommand(['ACL', 'SETUSER', 'dave', 'on', '>d', '+get', '~d:*']), 'OK')
    assert.equal(acl.getuser('dave').keys, '~d:*')
    assert.equal(acl.authenticate('dave', 'd'), true)
    const dave = await connect(port, { username: 'dave', password: 'd' })
    assert.equal(await dave.get('d:1'), null)
    assert.equal(acl.deluser('dave'), 1)
    await waitFor(() => !dave.isOpen || dave.errors.length > 0)
    await assert.rejects(dave.get('d:1'))
    assert.equal(await admin.sendCommand(['ACL', 'WHOAMI']), 'admin')
    await closeQuietly(admin)
  })

  await t.test('start while running rejects; stop closes connections; start again works', async () => {
    await assert.rejects(server.start(), { code: 'INVALID_ARGUMENT', message: 'the server is already running' })
    assert.equal(server.running, true, 'the failed start left it running')
    const before = await connect(port, { username: 'admin', password: 'adminpw' })
    assert.equal(await server.stop(), true)
    assert.equal(server.running, false)
    assert.equal(server.port, port, 'the last port is still reported')
    assert.equal(await server.stop(), false, 'stopping a stopped server is fine')
    await waitFor(() => !before.isOpen || before.errors.length > 0)
    const again = await server.start()
    assert.ok(again > 0)
    assert.equal(server.port, again)
    const after = await connect(again, { username: 'admin', password: 'adminpw' })
    assert.equal(await after.ping(), 'PONG')
    await closeQuietly(after)
    await closeQuietly(before)
  })

  await t.test('restart stops and starts again, with a new free port for port 0', async () => {
    const old = server.port
    const client = await connect(old, { username: 'admin', password: 'adminpw' })
    const port2 = await server.restart()
    assert.equal(server.running, true)
    assert.equal(server.port, port2)
    await waitFor(() => !client.isOpen || client.errors.length > 0)
    const fresh = await connect(port2, { username: 'admin', password: 'adminpw' })
    assert.equal(await fresh.ping(), 'PONG')
    await closeQuietly(fresh)
    await closeQuietly(client)
    await server.stop()
    const port3 = await server.restart()
    assert.equal(server.running, true, 'restart starts a stopped server')
    assert.equal(server.port, port3)
  })

  await closeQuietly(alice)
})

test('Server: a port in use is an IO error with errno; a host that does not resolve is IO', async () => {
  const blocker = net.createServer()
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const taken = blocker.address().port
  const server = new Server({ acl: new Acl(), port: taken })
  assert.equal(server.port, null)
  await assert.rejects(server.start(), (e) => {
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'IO')
    assert.equal(e.errno, os.constants.errno.EADDRINUSE)
    return true
  })
  assert.equal(server.running, false)
  await assert.rejects(server.restart(), { code: 'IO' })
  assert.equal(server.running, false, 'a failed restart leaves it stopped')
  await new Promise((resolve) => blocker.close(resolve))
  const port = await server.start()
  assert.equal(port, taken, 'the same server starts once the port is free')
  await server.stop()
  await assert.rejects(new Server({ acl: new Acl(), host: 'no.such.host.invalid' }).start(), { code: 'IO' })
})

test('Server: requirepass and aclfile options; ACL SAVE from a client writes the file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-node-'))
  const file = path.join(dir, 'users.acl')
  fs.writeFileSync(file, 'user default on >rootpw ~* &* +@all\nuser eve on >evepw ~e:* +get\n')
  const acl = new Acl()
  const server = new Server({ acl, aclfile: file, maxclients: 16 })
  const port = await server.start()
  t.after(async () => {
    await server.stop()
    fs.rmSync(dir, { recursive: true })
  })
  assert.deepEqual(acl.users(), ['default', 'eve'], 'the aclfile is loaded into the shared Acl')
  const root = await connect(port, { password: 'rootpw' })
  acl.setuser('frank', 'on', '>f', '+get', '~f:*')
  assert.equal(await root.sendCommand(['ACL', 'SAVE']), 'OK')
  assert.match(fs.readFileSync(file, 'utf8'), /^user frank on #[0-9a-f]{64} ~f:\* resetchannels -@all \+get$/m)
  await closeQuietly(root)

  const acl2 = new Acl()
  const withPass = new Server({ acl: acl2, requirepass: Buffer.from('topsecret') })
  const port2 = await withPass.start()
  t.after(() => withPass.stop())
  assert.equal(acl2.authenticate('default', 'topsecret'), true)
  await assert.rejects(connect(port2, { password: 'nope' }), { message: /^WRONGPASS/ })
  const ok = await connect(port2, { password: 'topsecret' })
  assert.equal(await ok.ping(), 'PONG')
  await closeQuietly(ok)
})

test('Server: a bad aclfile fails start with code CONFIG and Redis startup text', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-node-'))
  const file = path.join(dir, 'bad.acl')
  fs.writeFileSync(file, 'user alice on badrule\n')
  const server = new Server({ acl: new Acl(), aclfile: file })
  await assert.rejects(server.start(), (e) => {
    assert.equal(e.code, 'CONFIG')
    assert.match(e.message, /^Aborting Redis startup because of ACL errors: .*bad\.acl:1: Syntax error/)
    return true
  })
  assert.equal(server.running, false)
  fs.rmSync(dir, { recursive: true })
})

test('Server: settings from a redis.conf file, options overriding it', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-node-'))
  const conf = path.join(dir, 'redis.conf')
  fs.writeFileSync(conf, 'bind 127.0.0.1\nrequirepass frompw\nmaxclients 5\nuser alice on >alicepw ~a:* +get\n')
  const acl = new Acl()
  // The file has no port, so Redis' 6379 would apply; the option overrides it with a free port.
  const server = new Server({ acl, config: conf, port: 0 })
  assert.equal(server.host, '127.0.0.1')
  const port = await server.start()
  t.after(async () => {
    await server.stop()
    fs.rmSync(dir, { recursive: true })
  })
  assert.equal(acl.authenticate('default', 'frompw'), true, 'requirepass from the file')
  assert.equal(acl.authenticate('alice', 'alicepw'), true, 'user directives from the file')
  const alice = await connect(port, { username: 'alice', password: 'alicepw' })
  assert.equal(await alice.get('a:1'), null)
  await closeQuietly(alice)

  const overridden = new Server({ acl: new Acl(), config: Buffer.from(conf), port: 0, requirepass: 'optionpw' })
  const port2 = await overridden.start()
  t.after(() => overridden.stop())
  await assert.rejects(connect(port2, { password: 'frompw' }), { message: /^WRONGPASS/ })
  const ok = await connect(port2, { password: 'optionpw' })
  assert.equal(await ok.ping(), 'PONG')
  await closeQuietly(ok)

  const bad = path.join(dir, 'bad.conf')
  fs.writeFileSync(bad, 'nosuchdirective 1\n')
  assert.throws(() => new Server({ acl: new Acl(), config: bad }), { code: 'CONFIG' })
})

test('Server: a running server keeps Node alive, like net.Server; stop() lets it exit', async () => {
  const { spawn, spawnSync } = require('node:child_process')
  const pkg = JSON.stringify(path.join(__dirname, '..'))
  const script = (body) => `const { Acl, Server } = require(${pkg});(async () => {${body}})()`

  const stops = spawnSync(process.execPath, ['-e', script('const s = new Server({ acl: new Acl() }); await s.start(); await s.stop(); console.log("done")')], {
    encoding: 'utf8',
    timeout: 20000,
  })
  assert.equal(stops.status, 0, stops.stderr)
  assert.equal(stops.stdout.trim(), 'done')

  const exits = spawnSync(process.execPath, ['-e', script('await new Server({ acl: new Acl() }).start(); process.exit(3)')], {
    encoding: 'utf8',
    timeout: 20000,
  })
  assert.equal(exits.status, 3, 'process.exit with a running server exits cleanly')

  // The program keeps no reference to the Server: a running one must survive garbage
  // collection (which would stop it) as well as keep the loop alive. Node emits 'beforeExit'
  // as soon as its loop has nothing left, so the child reports that on stdout.
  const body =
    'process.on("beforeExit", () => console.log("beforeExit"));' +
    'const acl = new Acl(); acl.setuser("default", "resetpass", ">pw"); const port = await new Server({ acl }).start();' +
    'for (let i = 0; i < 5; i++) { global.gc(); await new Promise((r) => setImmediate(r)) } console.log(port)'
  const child = spawn(process.execPath, ['--expose-gc', '-e', script(body)])
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  try {
    const port = await new Promise((resolve, reject) => {
      child.stdout.once('data', (d) => resolve(Number(String(d).trim().split('\n')[0])))
      child.once('exit', (code) => reject(new Error(`child exited (${code}) instead of serving`)))
    })
    // A full round trip to the child's server, after its script ended.
    const client = await connect(port, { password: 'pw' })
    assert.equal(await client.ping(), 'PONG')
    assert.equal(await client.sendCommand(['ACL', 'WHOAMI']), 'default')
    await closeQuietly(client)
    assert.equal(child.exitCode, null, 'still running after its script ended')
    assert.doesNotMatch(out, /beforeExit/, 'its event loop never ran empty')
  } finally {
    child.kill()
  }
})
