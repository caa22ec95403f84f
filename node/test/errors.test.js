'use strict'
// Bad input of every kind: wrong types, null-ish values, bad rules, bad aclfiles, bad options,
// calls on the wrong object, and deliberate Rust panics (an Error with code PANIC, never an
// abort). Wrong JS types are TypeErrors with Node's codes; everything else has core's codes.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Acl, Server, debugPanic, debugPanicAfterArgs, debugPanicAsync, genpass } = require('..')

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
    assertTypeError(() => acl.load(bad))
    assertTypeError(() => acl.save(bad))
    assertTypeError(() => acl.checkAclfile(bad))
    assertTypeError(() => acl.setRequirepass(bad))
    assertTypeError(() => Acl.fromFile(bad))
    assertTypeError(() => acl.loadAsync(bad))
  }
  for (const bad of ['ten', {}, true]) {
    assertTypeError(() => acl.log(bad), /must be of type number/)
    assertTypeError(() => genpass(bad), /must be of type number/)
    assertTypeError(() => acl.genpass(bad), /must be of type number/)
    assertTypeError(() => (acl.logMaxLen = bad), /must be of type number/)
  }
  assertTypeError(() => (acl.pubsubDefault = 5))
  // Options must be objects (or left out, for the constructors).
  for (const bad of [5, 'allchannels', true]) {
    assertTypeError(() => new Acl(bad), /"options" argument must be of type object/)
    assertTypeError(() => Acl.fromFile('/x', bad), /"options" argument must be of type object/)
    assertTypeError(() => acl.setOptions(bad), /"options" argument must be of type object/)
  }
  assertTypeError(() => acl.setOptions(), /"options" argument must be of type object. Received undefined/)
  assertTypeError(() => new Acl({ pubsubDefault: 5 }))
  assertTypeError(() => new Acl({ logMaxLen: '5' }))
  assert.deepEqual(acl.options(), new Acl().options(), 'nothing was changed')
})

test('unusable values are INVALID_ARGUMENT errors with the reason', () => {
  const acl = new Acl()
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 60]) {
    const e = thrown(() => acl.log(bad))
    assert.ok(e instanceof Error && !(e instanceof TypeError))
    assert.equal(e.code, 'INVALID_ARGUMENT')
    assert.match(e.message, new RegExp(`^count must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got `))
    if (bad < 2 ** 53) assert.ok(e.message.endsWith(`got ${bad}`), e.message)
    assert.equal(thrown(() => (acl.logMaxLen = bad)).code, 'INVALID_ARGUMENT')
    assert.equal(thrown(() => new Acl({ logMaxLen: bad })).code, 'INVALID_ARGUMENT')
  }
  for (const make of [() => new Acl({ pubsubDefault: 'sometimes' }), () => acl.setOptions({ pubsubDefault: '' })]) {
    const e = thrown(make)
    assert.equal(e.code, 'INVALID_ARGUMENT')
    assert.equal(e.message, 'argument(s) must be one of the following: allchannels, resetchannels', "core's (Redis') text")
  }
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
  assert.equal(e.code, 'CONFIG')
  assert.equal(e.message, expected)
  assert.deepEqual(acl.users(), ['default', 'keep'])
  await assert.rejects(acl.loadAsync(bad), (err) => err.code === 'CONFIG' && err.message === expected)
  await assert.rejects(Acl.fromFileAsync(bad), (err) => err.code === 'CONFIG' && err.message === expected)
  assert.equal(thrown(() => Acl.fromFile(bad)).message, expected)
  assert.equal(thrown(() => acl.checkAclfile(bad)).message, expected)

  const missing = path.join(dir, 'missing.acl')
  const m = `ERR Error loading ACLs, opening file '${missing}': No such file or directory`
  assert.equal(thrown(() => acl.load(missing)).message, m)
  await assert.rejects(Acl.fromFileAsync(missing), { code: 'CONFIG', message: m })
  assert.equal(thrown(() => acl.load(dir)).message, `ERR Error loading ACLs, opening file '${dir}': Is a directory`)

  // Redis' fixed reply text; why it failed is in `detail` (Redis writes it to its log).
  const save = 'ERR There was an error trying to save the ACLs. Please check the server logs for more information'
  const nowhere = path.join(dir, 'no', 'such', 'dir.acl')
  const s = thrown(() => acl.save(nowhere))
  assert.equal(s.code, 'IO')
  assert.equal(s.message, save)
  assert.match(s.detail, /No such file or directory/)
  await assert.rejects(acl.saveAsync(nowhere), { code: 'IO', message: save })
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
  for (const bad of [70000, -1, 1.5, NaN]) {
    const e = thrown(() => new Server({ acl, port: bad }))
    assert.equal(e.code, 'INVALID_ARGUMENT', `port ${bad}`)
    assert.equal(e.message, `port must be an integer from 0 to 65535, got ${bad}`)
  }
  assert.equal(thrown(() => new Server({ acl, maxclients: 0 })).message, 'maxclients must be at least 1', "core's check")
  assert.equal(thrown(() => new Server({ acl, maxclients: 0 })).code, 'INVALID_ARGUMENT')
  assert.equal(thrown(() => new Server({ acl, host: ' ' })).code, 'INVALID_ARGUMENT')
  assert.equal(thrown(() => new Server({ acl, host: Buffer.from([0xff]) })).message, 'host must be UTF-8')
  for (const field of ['host', 'requirepass', 'aclfile', 'config']) {
    assertTypeError(() => new Server({ acl, [field]: 5 }))
  }
  assertTypeError(() => new Server({ acl, port: '6379' }), /must be of type number/)
  const missing = thrown(() => new Server({ acl, config: '/nonexistent/redis.conf' }))
  assert.equal(missing.code, 'CONFIG', 'the config file is read by the constructor')
  assert.match(missing.message, /can't open config file '\/nonexistent\/redis.conf'/)
  assert.equal(new Server({ acl }).port, null, 'no port before the first start')
})

test('a Rust panic becomes an Error with code PANIC, and Node keeps running', async () => {
  const e = thrown(() => debugPanic('deliberate, from the test'))
  assert.ok(e instanceof Error)
  assert.equal(e.code, 'PANIC')
  assert.equal(e.message, 'panic in authgate: deliberate, from the test')
  assert.equal(thrown(() => debugPanic()).message, 'panic in authgate: deliberate panic')
  for (let i = 0; i < 100; i++) assert.equal(thrown(() => debugPanic(`#${i}`)).code, 'PANIC')
  // In a Promise's work on the thread pool too.
  const p = debugPanicAsync('in a task')
  assert.ok(p instanceof Promise)
  await assert.rejects(p, (err) => err instanceof Error && err.code === 'PANIC' && err.message === 'panic in authgate: in a task')
  const acl = new Acl()
  acl.setuser('after', 'on', 'nopass', '+get', '~*')
  acl.check('after', 'GET', 'k')
})

test('a panic in the middle of a call leaves none of its arguments to the next call', () => {
  const acl = new Acl()
  // The panicking call has filled the scratch buffer the variadic methods share...
  const e = thrown(() => debugPanicAfterArgs(['eve', 'on', 'nopass', '+@all', '~*']))
  assert.equal(e.code, 'PANIC')
  assert.equal(e.message, 'panic in authgate: deliberate panic with 5 arguments in the scratch buffer')
  // ...so had it not been emptied on entry, this would be setuser('eve', 'on', ..., 'bob', ...)
  // (a Syntax error on the rule 'bob'), and the checks below would check eve.
  acl.setuser('bob', 'on', 'nopass', '+get', '~k')
  assert.deepEqual(acl.users(), ['bob', 'default'])
  assert.deepEqual(acl.list(), ['user bob on nopass ~k resetchannels -@all +get', 'user default on nopass ~* &* +@all'])
  thrown(() => debugPanicAfterArgs(['default', Buffer.from('FLUSHALL')]))
  assert.equal(acl.allowed('bob', 'GET', 'k'), true)
  thrown(() => debugPanicAfterArgs(['default']))
  assert.equal(acl.allowed('bob', 'SET', 'k', 'v'), false)
  thrown(() => debugPanicAfterArgs(['default', 'GET', 'k']))
  assert.equal(acl.dryrun('bob', 'GET', 'other'), "This user has no permissions to access the 'other' key")
  assert.equal(thrown(() => debugPanicAfterArgs([5])).code, 'ERR_INVALID_ARG_TYPE', 'arguments are still type-checked')
})
