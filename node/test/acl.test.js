'use strict'
// The Acl API: every method, string and Buffer arguments, options, persistence (sync and
// Promise forms), genpass.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Acl, genpass } = require('..')

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-node-'))
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

test('a new Acl has only the default user, like a fresh Redis', () => {
  const acl = new Acl()
  assert.deepEqual(acl.users(), ['default'])
  assert.deepEqual(acl.list(), ['user default on nopass ~* &* +@all'])
  assert.equal(acl.authenticate('default', 'anything'), true)
  assert.equal(acl.check('default', 'SET', 'k', 'v'), undefined)
})

test('setuser applies rules left to right; check, dryrun, authenticate follow them', () => {
  const acl = new Acl()
  acl.setuser('alice', 'on', '>secret', '~cache:*', '+get', '+set', '+publish', '&news')
  assert.equal(acl.authenticate('alice', 'secret'), true)
  assert.equal(acl.authenticate('alice', 'wrong'), false)
  assert.equal(acl.authenticate('nobody', 'secret'), false)
  acl.check('alice', 'GET', 'cache:1')
  acl.check('alice', 'set', 'cache:1', 'v')
  acl.check('alice', 'PUBLISH', 'news', 'hello')
  assert.equal(acl.dryrun('alice', 'GET', 'cache:1'), 'OK')
  assert.equal(acl.dryrun('alice', 'GET', 'other'), "This user has no permissions to access the 'other' key")
  assert.equal(acl.dryrun('alice', 'DEL', 'cache:1'), "This user has no permissions to run the 'del' command")
  assert.equal(acl.dryrun('alice', 'PUBLISH', 'x', 'm'), "This user has no permissions to access the 'x' channel")
  acl.setuser('alice', 'off')
  assert.equal(acl.authenticate('alice', 'secret'), false, 'a disabled user cannot authenticate')
})

test('check throws NOPERM errors with reason, object and command', () => {
  const acl = new Acl()
  acl.setuser('alice', 'on', 'nopass', '~cache:*', '&news', '+get', '+publish', '+client|id')
  const key = thrown(() => acl.check('alice', 'GET', 'secret:1'))
  assert.ok(key instanceof Error)
  assert.equal(key.code, 'NOPERM')
  assert.equal(key.message, 'NOPERM this user has no permissions to access one of the keys used as arguments')
  assert.equal(key.reason, 'key')
  assert.equal(key.object, 'secret:1')
  assert.equal(key.command, 'get')

  const cmd = thrown(() => acl.check('alice', 'CLIENT', 'KILL', 'x'))
  assert.equal(cmd.code, 'NOPERM')
  assert.equal(cmd.message, "NOPERM this user has no permissions to run the 'client|kill' command")
  assert.equal(cmd.reason, 'command')
  assert.equal(cmd.object, 'client|kill')

  const chan = thrown(() => acl.check('alice', 'PUBLISH', 'sports', 'goal'))
  assert.equal(chan.reason, 'channel')
  assert.equal(chan.object, 'sports')
  assert.equal(chan.message, 'NOPERM this user has no permissions to access one of the channels used as arguments')
  acl.check('alice', 'CLIENT', 'ID')
})

test('check reports unknown users as NOT_FOUND, unknown commands and wrong arity as ERR', () => {
  const acl = new Acl()
  const user = thrown(() => acl.check('nobody', 'GET', 'k'))
  assert.equal(user.code, 'NOT_FOUND')
  assert.equal(user.message, "ERR User 'nobody' not found", "Redis' text")
  assert.equal(thrown(() => acl.dryrun('nobody', 'GET', 'k')).code, 'NOT_FOUND')
  const cmd = thrown(() => acl.check('default', 'NOSUCH', 'a'))
  assert.equal(cmd.code, 'ERR')
  assert.equal(cmd.message, "ERR unknown command 'NOSUCH', with args beginning with: 'a' ")
  const arity = thrown(() => acl.check('default', 'GET'))
  assert.equal(arity.message, "ERR wrong number of arguments for 'get' command")
  assert.equal(thrown(() => acl.check('default')).code, 'ERR', 'no command at all')
  assert.equal(thrown(() => acl.dryrun('default', 'NOSUCH')).message, "ERR Command 'NOSUCH' not found")
})

test('arguments may be Buffers, and are binary-safe', () => {
  const acl = new Acl()
  const name = Buffer.from([0x75, 0xff, 0x00, 0x01]) // not UTF-8, contains NUL: invalid as a name
  assert.equal(thrown(() => acl.setuser(name, 'on')).message, "ERR Usernames can't contain spaces or null characters")
  const user = Buffer.from([0x75, 0xff, 0xfe])
  const password = Buffer.from([0x00, 0xff, 0x80, 0x41])
  acl.setuser(user, 'on', Buffer.concat([Buffer.from('>'), password]), '~bin:*', '+get')
  assert.equal(acl.authenticate(user, password), true)
  assert.equal(acl.authenticate(user, Buffer.from([0x00, 0xff, 0x80])), false)
  assert.equal(acl.authenticate(user, '\u0000\u00ff\u0080A'), false, 'a string is encoded as UTF-8, so it differs')
  acl.check(user, Buffer.from('GET'), Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0xff]))
  const denied = thrown(() => acl.check(user, 'GET', Buffer.from([0xff])))
  assert.equal(denied.code, 'NOPERM')
  assert.equal(acl.getuser(user).keys, '~bin:*')
  assert.equal(acl.deluser(user), 1)
  // Uint8Array works like a Buffer, and an empty string is a valid (empty) argument.
  acl.setuser('u8', 'on', new Uint8Array([0x3e, 0x70]), '+get', '~*')
  assert.equal(acl.authenticate('u8', 'p'), true)
  assert.equal(acl.dryrun('u8', 'GET', ''), 'OK')
})

test('strings are UTF-8 and may be longer than the internal scratch buffer', () => {
  const acl = new Acl()
  const long = 'k'.repeat(252) + '\u00e9\u20ac\u{1f600}' + 'x'.repeat(5000)
  acl.setuser('unicode', 'on', '>p\u00e4ss', `~${long}`, '+get')
  assert.equal(acl.authenticate('unicode', Buffer.from('p\u00e4ss', 'utf8')), true)
  acl.check('unicode', 'GET', long)
  acl.check('unicode', 'GET', Buffer.from(long, 'utf8'))
  assert.equal(thrown(() => acl.check('unicode', 'GET', long + 'y')).code, 'NOPERM')
  // Many arguments (more than are read without allocating).
  const keys = Array.from({ length: 40 }, (_, i) => `${long}`)
  acl.setuser('unicode', '+mget')
  acl.check('unicode', 'MGET', ...keys)
  assert.equal(thrown(() => acl.check('unicode', 'MGET', ...keys, 'nope')).object, 'nope')
})

test('setuser is all or nothing; deluser counts and refuses default', () => {
  const acl = new Acl()
  const e = thrown(() => acl.setuser('u1', 'on', '>p1', '+get', 'badrule'))
  assert.equal(e.code, 'ERR')
  assert.equal(e.message, "ERR Error in ACL SETUSER modifier 'badrule': Syntax error")
  assert.equal(acl.getuser('u1'), null)
  acl.setuser('u1')
  acl.setuser('u2', 'on')
  assert.equal(acl.deluser('u1', 'u2', 'nobody'), 2)
  assert.equal(acl.deluser(), 0)
  const d = thrown(() => acl.deluser('u3', 'default'))
  assert.equal(d.message, "ERR The 'default' user cannot be removed")
})

test('getuser returns the ACL GETUSER fields, or null', () => {
  const acl = new Acl()
  acl.setuser('sel', 'on', '>pw', '+get', '~a', '(+set ~b)', '%R~r*')
  const info = acl.getuser('sel')
  assert.deepEqual(info, {
    flags: ['on'],
    passwords: ['30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4'],
    commands: '-@all +get',
    keys: '~a %R~r*',
    channels: '',
    selectors: [{ commands: '-@all +set', keys: '~b', channels: '' }],
  })
  assert.equal(acl.getuser('nobody'), null)
  assert.equal(acl.getuser(Buffer.from('sel')).flags[0], 'on')
})

test('users, list and cat', () => {
  const acl = new Acl()
  acl.setuser('zed')
  acl.setuser('amy', 'on', 'nopass', '+@read', '~*')
  assert.deepEqual(acl.users(), ['amy', 'default', 'zed'])
  const lines = acl.list()
  assert.equal(lines.length, 3)
  assert.equal(lines[0], 'user amy on nopass ~* resetchannels -@all +@read')
  assert.equal(lines[2], 'user zed off resetchannels -@all')
  const cats = acl.cat()
  assert.equal(cats.length, 21)
  assert.ok(cats.includes('keyspace') && cats.includes('dangerous'))
  assert.ok(acl.cat('pubsub').includes('publish'))
  assert.deepEqual(acl.cat(null), cats)
  assert.deepEqual(acl.cat(undefined), cats)
  assert.deepEqual(acl.cat(Buffer.from('pubsub')), acl.cat('pubsub'))
  assert.equal(thrown(() => acl.cat('nope')).message, "ERR Unknown category 'nope'")
})

test('options: acl-pubsub-default and acllog-max-len, at construction', () => {
  const all = new Acl({ pubsubDefault: 'allchannels' })
  all.setuser('u')
  assert.equal(all.getuser('u').channels, '&*')
  assert.equal(all.pubsubDefault, 'allchannels')
  const reset = new Acl({ pubsubDefault: 'resetchannels', logMaxLen: 5 })
  reset.setuser('u')
  assert.equal(reset.getuser('u').channels, '')
  assert.deepEqual(reset.options(), { pubsubDefault: 'resetchannels', logMaxLen: 5 })
  // Case does not matter, as in redis.conf; a Buffer works like a string.
  assert.equal(new Acl({ pubsubDefault: 'AllChannels' }).pubsubDefault, 'allchannels')
  assert.equal(new Acl({ pubsubDefault: Buffer.from('ALLCHANNELS') }).pubsubDefault, 'allchannels')
  for (const empty of [undefined, null, {}]) {
    const acl = new Acl(empty)
    assert.deepEqual(acl.users(), ['default'])
    assert.deepEqual(acl.options(), new Acl().options())
  }
  assert.deepEqual(new Acl({ logMaxLen: 7 }).options(), { pubsubDefault: 'resetchannels', logMaxLen: 7 }, 'the other option keeps its default')
})

test('options: changed after construction, as CONFIG SET does', () => {
  const acl = new Acl()
  acl.setuser('before')
  acl.pubsubDefault = 'allchannels'
  acl.setuser('after')
  assert.equal(acl.getuser('before').channels, '', 'existing users keep their channels')
  assert.equal(acl.getuser('after').channels, '&*')
  acl.pubsubDefault = 'RESETCHANNELS'
  assert.equal(acl.pubsubDefault, 'resetchannels')
  acl.logMaxLen = 3
  assert.equal(acl.logMaxLen, 3)
  acl.setOptions({ pubsubDefault: 'allchannels' })
  assert.deepEqual(acl.options(), { pubsubDefault: 'allchannels', logMaxLen: 3 }, 'setOptions changes only what it is given')
  acl.setOptions({ logMaxLen: 0 })
  assert.deepEqual(acl.options(), { pubsubDefault: 'allchannels', logMaxLen: 0 })
  acl.setOptions({ pubsubDefault: 'resetchannels', logMaxLen: 9 })
  assert.equal(acl.pubsubDefault, 'resetchannels')
  assert.equal(acl.logMaxLen, 9)
  const bad = thrown(() => (acl.pubsubDefault = 'sometimes'))
  assert.equal(bad.code, 'INVALID_ARGUMENT')
  assert.equal(bad.message, 'argument(s) must be one of the following: allchannels, resetchannels')
  assert.equal(thrown(() => acl.setOptions({ pubsubDefault: 'x', logMaxLen: 1 })).code, 'INVALID_ARGUMENT')
  assert.equal(acl.logMaxLen, 9, 'a failed setOptions changes nothing')
})

test('setRequirepass sets the default user\'s only password; an empty one is nopass', () => {
  const acl = new Acl()
  acl.setRequirepass('first')
  acl.setRequirepass(Buffer.from([0x70, 0xff]))
  assert.equal(acl.authenticate('default', 'first'), false, 'the previous password is gone')
  assert.equal(acl.authenticate('default', Buffer.from([0x70, 0xff])), true)
  assert.deepEqual(acl.getuser('default').flags, ['on'])
  acl.setRequirepass('')
  assert.deepEqual(acl.getuser('default').flags, ['on', 'nopass'])
  assert.equal(acl.authenticate('default', 'anything'), true)
})

test('checkAclfile validates without applying', () => {
  const dir = tmpdir()
  const good = path.join(dir, 'good.acl')
  const bad = path.join(dir, 'bad.acl')
  fs.writeFileSync(good, 'user alice on >pw ~* +@all\n')
  fs.writeFileSync(bad, 'user alice on badrule\n')
  const acl = new Acl()
  assert.equal(acl.checkAclfile(good), undefined)
  assert.equal(acl.checkAclfile(Buffer.from(good)), undefined)
  assert.deepEqual(acl.users(), ['default'], 'nothing was applied')
  const e = thrown(() => acl.checkAclfile(bad))
  assert.equal(e.code, 'CONFIG')
  assert.equal(e.message, `ERR ${bad}:1: Syntax error. WARNING: ACL errors detected, no change to the previously active ACL rules was performed`)
  fs.rmSync(dir, { recursive: true })
})

test('log is empty until a server records events; log(count) and logReset', () => {
  const acl = new Acl()
  assert.deepEqual(acl.log(), [])
  assert.deepEqual(acl.log(0), [])
  acl.logReset()
  assert.deepEqual(acl.log(100), [])
})

test('save, load and fromFile round-trip an aclfile', () => {
  const dir = tmpdir()
  const file = path.join(dir, 'users.acl')
  const acl = new Acl()
  acl.setuser('alice', 'on', '>secret', '~cache:*', '+get')
  acl.setuser('default', 'off')
  acl.save(file)
  const text = fs.readFileSync(file, 'utf8')
  assert.match(text, /^user alice on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~cache:\* resetchannels -@all \+get$/m)

  const copy = Acl.fromFile(file)
  assert.deepEqual(copy.list(), acl.list())
  assert.equal(copy.authenticate('alice', 'secret'), true)

  const other = new Acl()
  other.setuser('temp', 'on')
  other.load(file)
  assert.deepEqual(other.users(), ['alice', 'default'], 'load replaces every user')
  const all = Acl.fromFile(Buffer.from(file), { pubsubDefault: 'allchannels' })
  assert.deepEqual(all.users(), ['alice', 'default'])
  assert.equal(all.pubsubDefault, 'allchannels', 'fromFile takes the options too')
  fs.rmSync(dir, { recursive: true })
})

// That they run off the main thread is checked in concurrency.test.js (a one-thread pool whose
// thread a FIFO read holds while the main thread keeps running).
test('the Promise forms of save, fromFile and load settle with what the sync forms return', async () => {
  const dir = tmpdir()
  const file = path.join(dir, 'users.acl')
  const acl = new Acl()
  acl.setuser('bob', 'on', '>pw', '+@all', '~*')
  const saving = acl.saveAsync(file)
  assert.ok(saving instanceof Promise)
  assert.equal(await saving, undefined)
  const copy = await Acl.fromFileAsync(file)
  assert.ok(copy instanceof Acl)
  assert.equal(copy.authenticate('bob', 'pw'), true)
  copy.check('bob', 'SET', 'k', 'v')
  const other = new Acl()
  assert.equal(await other.loadAsync(file), undefined)
  assert.deepEqual(other.users(), ['bob', 'default'])
  const withOptions = await Acl.fromFileAsync(file, { logMaxLen: 3 })
  assert.deepEqual(withOptions.users(), ['bob', 'default'])
  assert.equal(withOptions.logMaxLen, 3)
  // Many at once: they all settle.
  const all = await Promise.all(Array.from({ length: 16 }, () => Acl.fromFileAsync(file)))
  assert.equal(all.length, 16)
  fs.rmSync(dir, { recursive: true })
})

test('genpass: 256 bits of hex by default, or the given number of bits', () => {
  assert.match(genpass(), /^[0-9a-f]{64}$/)
  const acl = new Acl()
  assert.match(acl.genpass(), /^[0-9a-f]{64}$/, 'the method is the same as the function')
  assert.match(acl.genpass(8), /^[0-9a-f]{2}$/)
  assert.notEqual(genpass(), genpass())
  assert.match(genpass(32), /^[0-9a-f]{8}$/)
  assert.match(genpass(1), /^[0-9a-f]$/)
  assert.match(genpass(4096), /^[0-9a-f]{1024}$/)
  assert.match(genpass(null), /^[0-9a-f]{64}$/)
  const range = 'ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096'
  for (const bad of [0, -1, 4097]) assert.equal(thrown(() => genpass(bad)).message, range)
  for (const bad of [1.5, NaN, Infinity]) {
    assert.equal(thrown(() => genpass(bad)).message, 'ERR value is not an integer or out of range')
  }
})

test('methods can be detached, and subclasses can override them', () => {
  const acl = new Acl()
  acl.setuser('u', 'on', 'nopass', '+get', '~k')
  const { check, dryrun } = acl
  check('u', 'GET', 'k')
  assert.equal(dryrun('u', 'GET', 'x'), "This user has no permissions to access the 'x' key")
  class Audited extends Acl {
    check(user, ...argv) {
      this.calls = (this.calls || 0) + 1
      return super.check(user, ...argv)
    }
  }
  const a = new Audited()
  a.setuser('u', 'on', 'nopass', '+get', '~k')
  a.check('u', 'GET', 'k')
  a.check('u', 'GET', 'k')
  assert.equal(a.calls, 2)
  assert.equal(thrown(() => a.check('u', 'GET', 'x')).code, 'NOPERM')
  assert.ok(a instanceof Acl)
})

test('the addon works in worker threads too (one engine per thread here)', async () => {
  const { Worker } = require('node:worker_threads')
  const pkg = JSON.stringify(path.join(__dirname, '..'))
  const code = `const { parentPort } = require('node:worker_threads'); const { Acl } = require(${pkg});
    const acl = new Acl(); acl.setuser('w', 'on', 'nopass', '+get', '~k');
    let denied = ''; try { acl.check('w', 'GET', 'x') } catch (e) { denied = e.code }
    acl.check('w', 'GET', 'k'); parentPort.postMessage(denied)`
  const results = await Promise.all(
    [1, 2].map(
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(code, { eval: true })
          w.once('message', resolve)
          w.once('error', reject)
        }),
    ),
  )
  assert.deepEqual(results, ['NOPERM', 'NOPERM'])
  new Acl().check('default', 'GET', 'k')
})

test('check: a denial is an Error without stack frames; Error.stackTraceLimit is left as it was', () => {
  const acl = new Acl()
  acl.setuser('alice', 'on', 'nopass', '~cache:*', '+get')
  const before = Error.stackTraceLimit
  let denied = null
  try {
    acl.check('alice', 'GET', 'other')
  } catch (e) {
    denied = e
  }
  assert.ok(denied instanceof Error)
  assert.equal(denied.code, 'NOPERM')
  assert.equal(denied.stack, `Error: ${denied.message}`, 'no frames captured')
  assert.equal(Error.stackTraceLimit, before)
  // Every other error keeps its stack.
  let unknown = null
  try {
    acl.check('nobody', 'GET', 'k')
  } catch (e) {
    unknown = e
  }
  assert.equal(unknown.code, 'NOT_FOUND')
  assert.match(unknown.stack, /\n\s+at /)
})

test('allowed and denial: answers without throwing, the same as check', () => {
  const acl = new Acl()
  acl.setuser('alice', 'on', 'nopass', '~cache:*', '&news', '+get', '+publish')
  assert.equal(acl.allowed('alice', 'GET', 'cache:1'), true)
  assert.equal(acl.denial('alice', Buffer.from('GET'), 'cache:1'), null)
  for (const argv of [['DEL', 'cache:1'], ['GET', 'other'], ['PUBLISH', 'sport', 'x']]) {
    assert.equal(acl.allowed('alice', ...argv), false)
    let e = null
    try {
      acl.check('alice', ...argv)
    } catch (err) {
      e = err
    }
    assert.deepEqual(acl.denial('alice', ...argv), { reason: e.reason, command: e.command, object: e.object, message: e.message })
  }
  assert.throws(() => acl.allowed('alice', 'GET'), (e) => e.code === 'ERR' && e.message === "ERR wrong number of arguments for 'get' command")
  assert.throws(() => acl.denial('alice', 42), (e) => e.code === 'ERR_INVALID_ARG_TYPE')
  assert.throws(() => acl.allowed(), (e) => e.code === 'ERR_INVALID_ARG_TYPE')
})

test('denial: a plain object, the same in worker threads', async () => {
  const acl = new Acl()
  acl.setuser('alice', 'on', 'nopass', '+get')
  const d = acl.denial('alice', 'DEL', 'k')
  assert.equal(Object.getPrototypeOf(d), Object.prototype)
  assert.deepEqual(Object.entries(d), [
    ['reason', 'command'], ['command', 'del'], ['object', 'del'],
    ['message', "NOPERM this user has no permissions to run the 'del' command"],
  ])
  const { Worker } = require('node:worker_threads')
  const w = new Worker(`
    const { parentPort } = require('node:worker_threads')
    const { Acl } = require(${JSON.stringify(path.join(__dirname, '..'))})
    const acl = new Acl()
    acl.setuser('bob', 'on', 'nopass', '~k*', '+get')
    parentPort.postMessage(acl.denial('bob', 'GET', 'other'))
  `, { eval: true })
  const [msg] = await require('node:events').once(w, 'message')
  assert.deepEqual(msg, { reason: 'key', command: 'get', object: 'other', message: 'NOPERM this user has no permissions to access one of the keys used as arguments' })
})
