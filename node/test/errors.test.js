'use strict'
// Bad input of every kind: wrong types, null-ish values, bad rules, bad aclfiles, bad options,
// calls on the wrong object, and a deliberate Rust panic (an Error, never an abort).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Acl, Server, debugPanic, genpass } = require('..')

function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected an exception')
}

function assertTypeError(fn, pattern) {
  const e = thrown(fn)
  assert.ok(e instanceof TypeError, `TypeError expected, got ${e && e.name}: ${e && e.message}`)
  assert.equal(e.code, 'ERR_INVALID_ARG_TYPE')
  if (pattern) assert.match(e.message, pattern)
  return e
}

const NOT_BYTES = [undefined, null, 42, true, {}, [], ['GET'], () => 1, Symbol('s'), 10n]

test('variadic methods reject arguments that are not strings or Buffers, naming them', () => {
  const acl = new Acl()
  acl.setuser('u', 'on', 'nopass', '+@all', '~*')
  for (const bad of NOT_BYTES) {
    assertTypeError(() => acl.check('u', 'GET', bad), /"argv\[1\]" argument must be of type string or an instance of Buffer/)
    assertTypeError(() => acl.check(bad, 'GET', 'k'), /"user" argument/)
    assertTypeError(() => acl.dryrun('u', bad), /"argv\[0\]" argument/)
    assertTypeError(() => acl.setuser(bad, 'on'), /"name" argument/)
    assertTypeError(() => acl.setuser('u2', 'on', bad), /"rules\[1\]" argument/)
    assertTypeError(() => acl.deluser('x', bad), /"names\[1\]" argument/)
  }
  assertTypeError(() => acl.check(), /"user" argument .* Received undefined/)
  assertTypeError(() => acl.setuser(), /"name" argument/)
  assertTypeError(() => acl.check('u', 'GET', null), /Received null/)
  assertTypeError(() => acl.check('u', 'GET', 5), /Received type number/)
  // Nothing was changed by the failed calls.
  assert.deepEqual(acl.users(), ['default', 'u'])
  assert.equal(acl.getuser('u2'), null)
})

test('generated methods reject wrong types too', () => {
  const acl = new Acl()
  for (const bad of [undefined, null, 42, {}, []]) {
    assertTypeError(() => acl.authenticate(bad, 'pw'))
    assertTypeError(() => acl.authenticate('default', bad))
    assertTypeError(() => acl.getuser(bad))
  }
  for (const bad of [42, {}, []]) assertTypeError(() => acl.cat(bad))
  for (const bad of [undefined, null, 42, {}]) {
    assert.throws(() => acl.load(bad), (e) => e instanceof Error && typeof e.code === 'string')
    assert.throws(() => acl.save(bad), (e) => e instanceof Error && typeof e.code === 'string')
    assert.throws(() => Acl.fromFile(bad), (e) => e instanceof Error && typeof e.code === 'string')
  }
  assert.throws(() => acl.log('ten'), (e) => e instanceof Error && typeof e.code === 'string')
  assert.throws(() => genpass('256'), (e) => e instanceof Error && typeof e.code === 'string')
})

test('numbers out of range are RangeErrors with ERR_OUT_OF_RANGE', () => {
  const acl = new Acl()
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 40]) {
    const e = thrown(() => acl.log(bad))
    assert.ok(e instanceof RangeError)
    assert.equal(e.code, 'ERR_OUT_OF_RANGE')
  }
  const o = thrown(() => new Acl({ aclPubsubDefault: 'sometimes' }))
  assert.ok(o instanceof RangeError)
  assert.equal(o.message, "aclPubsubDefault must be 'allchannels' or 'resetchannels', got 'sometimes'")
})

test('methods called on something that is not an Acl throw ERR_INVALID_THIS', () => {
  for (const receiver of [{}, null, undefined, 5, new Server({ acl: new Acl() })]) {
    for (const m of ['check', 'dryrun', 'setuser', 'deluser']) {
      const e = thrown(() => Acl.prototype[m].call(receiver, 'default', 'GET', 'k'))
      assert.ok(e instanceof TypeError, `${m} on ${receiver}`)
      assert.equal(e.code, 'ERR_INVALID_THIS')
    }
  }
  assert.throws(() => Acl.prototype.authenticate.call({}, 'a', 'b'))
})

test('bad rules give Redis texts and change nothing', () => {
  const acl = new Acl()
  acl.setuser('u', 'on', '>pw', '+get', '~k')
  const before = acl.list()
  const cases = [
    [['+nosuch'], "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"],
    [['+@nosuch'], "ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL"],
    [['(+get', '~x'], "ERR Unmatched parenthesis in acl selector starting at '(+get'."],
    [['<notthere'], "ERR Error in ACL SETUSER modifier '<notthere': The password you are trying to remove from the user does not exist"],
    [['#abc'], "ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"],
    [['allkeys', '~x'], "ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"],
    [['on', 'off', 'bogus'], "ERR Error in ACL SETUSER modifier 'bogus': Syntax error"],
  ]
  for (const [rules, text] of cases) {
    const e = thrown(() => acl.setuser('u', ...rules))
    assert.equal(e.code, 'ERR')
    assert.equal(e.message, text)
    assert.equal(e.reason, undefined, 'only denials carry a reason')
  }
  acl.setuser('u', '') // an empty rule is a no-op, as in Redis
  assert.equal(thrown(() => acl.setuser('a b', 'on')).message, "ERR Usernames can't contain spaces or null characters")
  assert.deepEqual(acl.list(), before)
})

test('bad aclfiles give Redis texts and leave the users unchanged', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-node-'))
  const bad = path.join(dir, 'bad.acl')
  fs.writeFileSync(bad, 'user alice on badrule\nuser bob on\nnotauser x\n')
  const acl = new Acl()
  acl.setuser('keep', 'on')
  const expected =
    `ERR ${bad}:1: Syntax error. ${bad}:3 should start with user keyword followed by the username. ` +
    'WARNING: ACL errors detected, no change to the previously active ACL rules was performed'
  const e = thrown(() => acl.load(bad))
  assert.equal(e.code, 'ERR')
  assert.equal(e.message, expected)
  assert.deepEqual(acl.users(), ['default', 'keep'])
  await assert.rejects(acl.loadAsync(bad), (err) => err.code === 'ERR' && err.message === expected)
  await assert.rejects(Acl.fromFileAsync(bad), (err) => err.code === 'ERR' && err.message === expected)
  assert.equal(thrown(() => Acl.fromFile(bad)).message, expected)

  const missing = path.join(dir, 'missing.acl')
  const m = `ERR Error loading ACLs, opening file '${missing}': No such file or directory`
  assert.equal(thrown(() => acl.load(missing)).message, m)
  await assert.rejects(Acl.fromFileAsync(missing), { code: 'ERR', message: m })
  assert.equal(thrown(() => acl.load(dir)).message, `ERR Error loading ACLs, opening file '${dir}': Is a directory`)

  const save = 'ERR There was an error trying to save the ACLs. Please check the server logs for more information'
  const nowhere = path.join(dir, 'no', 'such', 'dir.acl')
  assert.equal(thrown(() => acl.save(nowhere)).message, save)
  await assert.rejects(acl.saveAsync(nowhere), { code: 'ERR', message: save })
  assert.deepEqual(acl.users(), ['default', 'keep'])
  fs.rmSync(dir, { recursive: true })
})

test('Server options are validated', () => {
  const acl = new Acl()
  for (const bad of [undefined, null, 5, 'acl']) {
    const e = thrown(() => new Server(bad))
    assert.ok(e instanceof TypeError)
    assert.equal(e.code, 'ERR_INVALID_ARG_TYPE')
  }
  const noAcl = thrown(() => new Server({ port: 0 }))
  assert.equal(noAcl.message, 'The "options.acl" property must be an instance of Acl. Received undefined')
  for (const notAcl of [{}, 5, 'x', new Server({ acl })]) {
    const e = thrown(() => new Server({ acl: notAcl }))
    assert.equal(e.code, 'ERR_INVALID_ARG_TYPE', `acl: ${notAcl}`)
  }
  const port = thrown(() => new Server({ acl, port: 70000 }))
  assert.ok(port instanceof RangeError)
  assert.equal(port.code, 'ERR_OUT_OF_RANGE')
  assert.throws(() => new Server({ acl, host: 5 }))
  const never = thrown(() => new Server({ acl }).port)
  assert.equal(never.code, 'ERR_SERVER_NOT_RUNNING')
})

test('a Rust panic becomes an Error with code GenericFailure, and Node keeps running', () => {
  const e = thrown(() => debugPanic('deliberate, from the test'))
  assert.ok(e instanceof Error)
  assert.equal(e.code, 'GenericFailure')
  assert.equal(e.message, 'deliberate, from the test')
  assert.equal(thrown(() => debugPanic()).message, 'deliberate panic')
  for (let i = 0; i < 100; i++) assert.equal(thrown(() => debugPanic(`#${i}`)).code, 'GenericFailure')
  const acl = new Acl()
  acl.setuser('after', 'on', 'nopass', '+get', '~*')
  acl.check('after', 'GET', 'k')
})
