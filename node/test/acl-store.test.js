'use strict'
// Acl.fromStore (issue 17): an engine embedded in Node and an `authgate serve --acl-store` node
// share one etcd ACL store on loopback. The engine's setuser reaches the server (AUTH, ACL
// LIST over node-redis) and the server's ACL SETUSER / DELUSER reach the engine; a bad
// address, an unreachable store without cache and bad store options are refused. Needs
// Debian's etcd-server (make etcd-deps) and the authgate binary (AUTHGATE_BIN).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')

const { createClient } = require('redis')
const { Acl } = require('..')

const ROOT = path.join(__dirname, '..', '..')
const AUTHGATE = process.env.AUTHGATE_BIN || path.join(ROOT, 'target', 'x86_64-unknown-linux-gnu', 'debug', 'authgate')

function freePort () {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Polls `cond` (sync or async) until it holds; fails after `ms`. The 10 ms pause only spaces
 * the polls, the deadline decides. */
async function waitFor (what, cond, ms = 15000) {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function listening (port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.on('connect', () => { s.destroy(); resolve(true) })
    s.on('error', () => resolve(false))
  })
}

/** A child process stopped (and awaited) by the returned function. */
function start (cmd, args) {
  const child = spawn(cmd, args, { stdio: 'ignore' })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  return async () => { child.kill(); await exited }
}

async function startEtcd (dir) {
  const [port, peer] = [await freePort(), await freePort()]
  const c = `http://127.0.0.1:${port}`
  const p = `http://127.0.0.1:${peer}`
  const stop = start('etcd', ['--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', c, '--advertise-client-urls', c,
    '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `default=${p}`])
  await waitFor('etcd', () => listening(port))
  return { port, stop }
}

/** One command on a fresh node-redis connection (as `default`, or `auth`); the reply or the
 * error's message. */
async function command (port, argv, auth = {}) {
  const client = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, ...auth })
  client.on('error', () => {})
  try {
    await client.connect()
    return await client.sendCommand(argv)
  } catch (e) {
    return `error: ${e.message}`
  } finally {
    if (client.isOpen) await client.disconnect()
  }
}

test('an embedded Acl and a server share one store', async () => {
  assert.ok(fs.existsSync(AUTHGATE), `the authgate binary is needed at ${AUTHGATE} (make build)`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-node-store-'))
  const etcd = await startEtcd(dir)
  const url = `etcd://127.0.0.1:${etcd.port}/shared`
  const acl = await Acl.fromStoreAsync(url, { cacheFile: path.join(dir, 'node.cache') })
  assert.ok(acl instanceof Acl)
  const port = await freePort()
  const stopServer = start(AUTHGATE, ['serve', '--port', String(port), '--dir', dir, '--acl-store', url])
  try {
    await waitFor('the server', () => listening(port))
    // The engine's setuser reaches the server ...
    acl.setuser('svc', 'on', '>pw', '~cache:*', '+get')
    await waitFor('svc on the server', async () => (await command(port, ['GET', 'cache:1'], { username: 'svc', password: 'pw' })) === null)
    // ... and the server's ACL SETUSER / DELUSER reach the engine.
    assert.equal(await command(port, ['ACL', 'SETUSER', 'ops', 'on', '>x', '+ping']), 'OK')
    await waitFor('ops in the engine', () => acl.authenticate('ops', 'x'))
    acl.check('svc', 'GET', 'cache:1')
    assert.throws(() => acl.check('svc', 'SET', 'cache:1', 'v'), (e) => e.code === 'NOPERM')
    assert.equal(await command(port, ['ACL', 'DELUSER', 'svc']), 1)
    await waitFor('svc gone from the engine', () => !acl.users().includes('svc'))
    // Invalid rules: Redis' error, nothing written.
    assert.throws(() => acl.setuser('ops', '+nosuch'), (e) => e.code === 'ERR' && /Error in ACL SETUSER modifier '\+nosuch'/.test(e.message))
    // DELUSER through the store: the engine's count, and the server loses the user.
    assert.equal(acl.deluser('ops'), 1)
    await waitFor('ops gone from the server', async () => (await command(port, ['PING'], { username: 'ops', password: 'x' })).startsWith('error: WRONGPASS'))
    // Both sides hold the same users (the engine's write returned once applied here).
    await waitFor('the same ACL LIST', async () => JSON.stringify(await command(port, ['ACL', 'LIST'])) === JSON.stringify(acl.list()))
    assert.match(acl.list()[0], /^user default on nopass /)
  } finally {
    await stopServer()
    await etcd.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('fromStore refuses a bad address, an unreachable store without cache and bad options', async () => {
  assert.throws(() => Acl.fromStore('redis://127.0.0.1:1/x'), (e) => e.code === 'INVALID_ARGUMENT')
  const url = `etcd://127.0.0.1:${await freePort()}/x`
  assert.throws(() => Acl.fromStore(url), (e) => e.code === 'IO')
  await assert.rejects(Acl.fromStoreAsync(url), (e) => e.code === 'IO')
  assert.throws(() => Acl.fromStore(url, { certFile: '/x.pem' }),
    (e) => e.code === 'INVALID_ARGUMENT' && e.message === 'cert_file and key_file go together')
  assert.throws(() => Acl.fromStore(url, { caFile: '/nonexistent/ca.pem' }),
    (e) => e.code === 'IO' && e.message.startsWith('cannot read ca_file /nonexistent/ca.pem: '))
})
