'use strict'
// One engine shared by the main thread, the thread pool's work and a server's connections,
// while a writer flips the user "flip" between two whole rule sets whose commands, keys and
// channels are linked; and proof that the Promise forms run off the main thread.
//
// How a tear shows: in one call, GET a:1 / PUBLISH ca / SET b:1 / SPUBLISH cb are allowed by
// one side and denied as a command by the other, so a key or channel denial is a mix (rules
// applied one by one would show +get with ~b:*, denying GET a:1 for its key) and a denied PING
// the bare `reset`; list() and getuser() are one snapshot each and must equal A's or B's whole.
// Across calls, each observation is bracketed by the writer's progress (`Timeline`: 2k once
// step k was acknowledged, 2k-1 while it runs; even steps set A, odd ones B) and the sides seen
// must be states the writer published in that window, in order: a stale read (acknowledged
// but not yet visible) or a step back fails it.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')

const { Acl, Server } = require('..')

const A = ['reset', 'on', 'nopass', '~a:*', '&ca', '+get', '+publish', '+ping']
const B = ['reset', 'on', 'nopass', '~b:*', '&cb', '+set', '+spublish', '+ping']
const RULES = [A, B]
const PROBES = [['GET', 'a:1'], ['PUBLISH', 'ca', 'm'], ['SET', 'b:1', 'v'], ['SPUBLISH', 'cb', 'm'], ['PING']]

/** The side (0 = A, 1 = B) of a probe's outcome (`denial` null when allowed); null for PING. */
function sideOf(probe, denial) {
  if (probe === 4) {
    assert.equal(denial, null, 'torn: PING denied: the bare reset')
    return null
  }
  const mine = probe < 2 ? 0 : 1
  if (denial === null) return mine
  assert.equal(denial, 'command', `torn: ${PROBES[probe].join(' ')} denied for its ${denial}, which neither A nor B does`)
  return 1 - mine
}

/** `seen`, observed between progress `before` and `after`, must be states published then, in order. */
function explain(before, after, seen) {
  let step = Math.floor(before / 2)
  const newest = Math.ceil(after / 2)
  for (const side of seen) {
    while (step % 2 !== side) {
      step++
      assert.ok(step <= newest, `stale or torn: saw ${seen} between progress ${before} and ${after}`)
    }
  }
}

/** The probes as separate check() calls on the main thread. */
function probeEngine(acl) {
  const seen = []
  PROBES.forEach((argv, i) => {
    let denial = null
    try {
      acl.check('flip', ...argv)
    } catch (e) {
      assert.equal(e.code, 'NOPERM', e.message)
      denial = e.reason
    }
    const side = sideOf(i, denial)
    if (side !== null) seen.push(side)
  })
  return seen
}

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-node-'))
}

test('loadAsync swaps whole tables on the thread pool while the main thread reads them', async () => {
  const dir = tmpdir()
  const files = [
    [A, 'pa'],
    [B, 'pb'],
  ].map(([rules, pw], i) => {
    const file = path.join(dir, `${i}.acl`)
    fs.writeFileSync(file, `user flip ${rules.join(' ')}\nuser peer on >${pw} ~* +@all\nuser default on nopass ~* &* +@all\n`)
    return file
  })
  const tables = files.map((f) => Acl.fromFile(f).list())
  const infos = files.map((f) => JSON.stringify(Acl.fromFile(f).getuser('flip')))
  assert.equal(tables[0][1], 'user flip on nopass sanitize-payload ~a:* resetchannels &ca -@all +get +ping +publish')
  const acl = Acl.fromFile(files[0])
  const observe = () => {
    // One list() and one getuser(): each a whole table / user of one file (a load applying
    // the users one by one would show flip from one file with peer from the other).
    const list = JSON.stringify(acl.list())
    const user = JSON.stringify(acl.getuser('flip'))
    const table = tables.findIndex((t) => JSON.stringify(t) === list)
    const info = infos.indexOf(user)
    assert.ok(table >= 0 && info >= 0, `torn: a table or user that is neither file: ${list} ${user}`)
    // peer always exists with one file's password: each call names a side
    return [table, info, ...probeEngine(acl), acl.authenticate('peer', 'pa') ? 0 : 1, acl.authenticate('peer', 'pb') ? 1 : 0]
  }
  let observations = 0
  const started = Date.now()
  for (let k = 1; k <= 150; k++) {
    const side = k % 2
    const loading = acl.loadAsync(files[side])
    // The main thread does not yield until it sees the new table: only work running on
    // another thread can get it there. Every observation meanwhile is whole, old then new.
    const deadline = Date.now() + 10000
    let sawNew = false
    for (;;) {
      const seen = observe()
      observations++
      for (const s of seen) {
        if (s === side) sawNew = true
        else assert.ok(!sawNew, `stale or torn: step ${k} went back to the old table (${seen})`)
      }
      if (sawNew && seen.every((s) => s === side)) break
      assert.ok(Date.now() < deadline, `step ${k}: the load never became visible while the main thread waited`)
    }
    await loading
    assert.deepEqual(observe(), Array(8).fill(side), 'after the Promise settled')
  }
  console.log(`loadAsync: 150 flips, ${observations} observations, ${Date.now() - started} ms`)
  fs.rmSync(dir, { recursive: true })
})

/** A RESP2 connection: commands out, replies in order (errors as { error } objects). */
class Resp {
  constructor(port) {
    this.socket = net.connect(port, '127.0.0.1')
    this.buffer = Buffer.alloc(0)
    this.waiting = []
    this.replies = []
    this.socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk])
      for (let r; (r = this.parse()) !== undefined; ) {
        if (this.waiting.length) this.waiting.shift()(r)
        else this.replies.push(r)
      }
    })
  }

  /** One complete reply from the buffer, or undefined (TCP may split or merge replies). */
  parse() {
    const end = this.buffer.indexOf('\r\n')
    if (end < 0) return undefined
    const kind = String.fromCharCode(this.buffer[0])
    const line = this.buffer.toString('utf8', 1, end)
    let value
    let next = end + 2
    if (kind === '+') value = line
    else if (kind === '-') value = { error: line }
    else if (kind === ':') value = Number(line)
    else if (kind === '$') {
      const n = Number(line)
      if (n < 0) value = null
      else {
        if (this.buffer.length < next + n + 2) return undefined
        value = this.buffer.toString('utf8', next, next + n)
        next += n + 2
      }
    } else throw new Error(`unexpected reply ${kind}${line}`)
    this.buffer = this.buffer.subarray(next)
    return value
  }

  send(...argv) {
    this.socket.write(`*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''))
  }

  read() {
    if (this.replies.length) return Promise.resolve(this.replies.shift())
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  async cmd(...argv) {
    this.send(...argv)
    return this.read()
  }

  close() {
    this.socket.destroy()
  }
}

const ALLOWED = [null, 0, 'OK', 0, 'PONG']
const DENIED = {
  'NOPERM this user has no permissions to access one of the keys used as arguments': 'key',
  'NOPERM this user has no permissions to access one of the channels used as arguments': 'channel',
}

/** The five probes pipelined on one connection: five commands, each one server call. */
async function probeServer(c) {
  PROBES.forEach((argv) => c.send(...argv))
  const seen = []
  for (let i = 0; i < PROBES.length; i++) {
    const reply = await c.read()
    let denial = null
    if (reply !== null && typeof reply === 'object') {
      const command = `NOPERM this user has no permissions to run the '${PROBES[i][0].toLowerCase()}' command`
      denial = reply.error === command ? 'command' : DENIED[reply.error]
      assert.ok(denial, `${PROBES[i][0]}: unexpected error ${reply.error}`)
    } else {
      assert.equal(reply, ALLOWED[i], `${PROBES[i][0]}: unexpected reply`)
    }
    const side = sideOf(i, denial)
    if (side !== null) seen.push(side)
  }
  return seen
}

test('server connections see whole rule sets, never an old one once acknowledged', async (t) => {
  const acl = new Acl()
  acl.setuser('flip', ...A)
  acl.setuser('admin', 'on', '>adminpw', '~*', '&*', '+@all')
  const server = new Server({ acl })
  const port = await server.start()
  t.after(() => server.stop())
  const connect = async (user, password) => {
    const c = new Resp(port)
    assert.equal(await c.cmd('AUTH', user, password), 'OK')
    return c
  }
  const admin = await connect('admin', 'adminpw')
  const own = await connect('flip', 'x')
  const readers = await Promise.all(Array.from({ length: 6 }, () => connect('flip', 'x')))
  let seq = 0
  let done = false
  const counts = readers.map(() => 0)
  let quiet = 0
  const started = Date.now()
  let failure = null
  const reading = readers.map(async (c, i) => {
    while (!done) {
      const before = seq
      const seen = await probeServer(c)
      const after = seq
      explain(before, after, seen)
      counts[i]++
      if (before === after && before % 2 === 0) quiet++
    }
  }).map((r) => r.catch((e) => { failure = failure || e; done = true }))
  try {
    for (let k = 1; k <= 400 && !failure; k++) {
      const side = k % 2
      seq = 2 * k - 1
      // Alternately ACL SETUSER on the admin connection and setuser() from Node.
      if (side) assert.equal(await admin.cmd('ACL', 'SETUSER', 'flip', ...RULES[side]), 'OK')
      else acl.setuser('flip', ...RULES[side])
      seq = 2 * k
      // Once acknowledged, the next command of any connection is checked against the change.
      assert.deepEqual(await probeServer(own), [side, side, side, side])
    }
  } finally {
    done = true
  }
  await Promise.all(reading)
  if (failure) throw failure
  assert.ok(counts.every((n) => n > 0), `${counts}`)
  assert.ok(quiet > 0, 'no observation fell between two flips')
  console.log(`server: 400 flips, observations ${counts}, ${Date.now() - started} ms`)
  for (const c of [admin, own, ...readers]) c.close()
})

// The Promise forms run on libuv's thread pool, not on the main thread. A child with a pool
// of one thread makes that visible: a loadAsync of a FIFO occupies the pool thread until the
// main thread, still running, writes the FIFO (the main thread could not, had the load run on
// it). While that thread is busy, saveAsync, fromFileAsync and Server.start are queued: none
// has run yet (no file, no server); once the FIFO is written they all complete, in order.
// A binding running any of them on the main thread would block it there and the child would
// hang; the spawn timeout turns that into a failure.
const CHILD = `
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { Acl, Server } = require(process.argv[1])
const dir = process.argv[2]
const tick = () => new Promise(setImmediate)

/** Opens the FIFO for writing once a reader has it open (ENXIO until then); main never blocks. */
async function openWhenRead(fifo) {
  for (;;) {
    try { return fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK) }
    catch (e) { if (e.code !== 'ENXIO') throw e }
    await tick()
  }
}

;(async () => {
  const fifo = path.join(dir, 'users.fifo')
  execFileSync('mkfifo', [fifo])
  const good = path.join(dir, 'good.acl')
  fs.writeFileSync(good, 'user g on nopass +get ~*\\n')
  const saved = path.join(dir, 'saved.acl')

  for (const blocker of ['loadAsync', 'fromFileAsync']) {
    fs.rmSync(saved, { force: true })
    const acl = new Acl()
    let settled = false
    const blocking = (blocker === 'loadAsync' ? acl.loadAsync(fifo) : Acl.fromFileAsync(fifo)).then((r) => { settled = true; return r })
    const fd = await openWhenRead(fifo) // the pool thread is reading it while main runs
    for (let i = 0; i < 5; i++) await tick() // the event loop keeps turning meanwhile
    assert.equal(settled, false, blocker + ' settled before its file was written')
    const other = new Acl()
    other.setuser('s', 'on', 'nopass')
    const saving = other.saveAsync(saved)
    const copying = Acl.fromFileAsync(good)
    const server = new Server({ acl: new Acl() })
    const starting = server.start()
    for (let i = 0; i < 5; i++) await tick()
    assert.equal(fs.existsSync(saved), false, 'saveAsync ran while the only pool thread was busy')
    assert.equal(server.running, false, 'Server.start ran while the only pool thread was busy')
    fs.writeSync(fd, 'user fifo on nopass +ping\\n')
    fs.closeSync(fd)
    const loaded = await blocking
    assert.deepEqual((blocker === 'loadAsync' ? acl : loaded).users(), ['default', 'fifo'])
    await saving
    assert.match(fs.readFileSync(saved, 'utf8'), /^user s on nopass/m)
    assert.deepEqual((await copying).users(), ['default', 'g'])
    assert.ok((await starting) > 0 && server.running)
    await server.stop()
    console.log(blocker + ': ok')
  }
})().catch((e) => { console.error(e); process.exit(1) })
`

test('the Promise forms run on the thread pool: the main thread keeps running meanwhile', async () => {
  const dir = tmpdir()
  const child = spawn(process.execPath, ['-e', CHILD, path.join(__dirname, '..'), dir], {
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  const timer = setTimeout(() => child.kill(), 20000)
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? signal)))
  clearTimeout(timer)
  fs.rmSync(dir, { recursive: true })
  assert.equal(code, 0, `the child failed or hung (a Promise form blocking the main thread): ${err}`)
  assert.deepEqual(out.trim().split('\n'), ['loadAsync: ok', 'fromFileAsync: ok'])
})
