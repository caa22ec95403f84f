'use strict'
// The shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
// redis-server 7.0.15), run against the Node API. Same rules as core/tests/acl_fixtures.rs:
// ACL LIST lines and GETUSER command strings compare their single-command rules (+cmd/-cmd)
// as a set per selector, because Redis prints those in hash-table order.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { Acl } = require('..')

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'acl_cases.json')
const doc = JSON.parse(fs.readFileSync(FIXTURES, 'utf8'))

function canonical(line) {
  return line
    .split(' (')
    .map((seg) => {
      seg = seg.replace(/\)+$/, '')
      const fixed = []
      const singles = []
      for (const tok of seg.split(' ')) {
        const single = (tok.startsWith('+') || tok.startsWith('-')) && !tok.slice(1).startsWith('@')
        ;(single ? singles : fixed).push(tok)
      }
      singles.sort()
      return fixed.concat(singles).join(' ')
    })
    .join(' | ')
}

function normalizeExpected(op, v) {
  if (op === 'list' && Array.isArray(v)) return v.map(canonical)
  if (op === 'getuser' && v !== null) {
    return {
      ...v,
      commands: canonical(v.commands),
      selectors: v.selectors.map((s) => ({ ...s, commands: canonical(s.commands) })),
    }
  }
  return v
}

/** Runs `fn`; returns its value, or the error's message (Redis' full text) if it threw. */
function orError(fn) {
  try {
    return fn()
  } catch (e) {
    assert.ok(e instanceof Error, 'errors are Error objects')
    assert.ok(['ERR', 'NOPERM', 'NOT_FOUND'].includes(e.code), `stable code, got ${e.code}`)
    // The message is Redis' reply, which starts with Redis' code (ERR for an unknown user).
    const redisCode = e.code === 'NOT_FOUND' ? 'ERR' : e.code
    assert.ok(e.message.startsWith(redisCode + ' '), 'message starts with the code')
    return e.message
  }
}

function run(acl, op, args) {
  switch (op) {
    case 'setuser':
      return orError(() => (acl.setuser(args[0], ...args[1]), 'OK'))
    case 'deluser':
      return orError(() => acl.deluser(...args))
    case 'getuser': {
      const info = acl.getuser(args)
      if (info === null) return null
      return {
        ...info,
        commands: canonical(info.commands),
        selectors: info.selectors.map((s) => ({ ...s, commands: canonical(s.commands) })),
      }
    }
    case 'list':
      return acl.list().map(canonical)
    case 'users':
      return acl.users()
    case 'auth':
      return acl.authenticate(args[0], args[1])
    case 'dryrun':
      return orError(() => acl.dryrun(args[0], ...args[1]))
    case 'check':
      return orError(() => (acl.check(args[0], ...args[1]), 'OK'))
    case 'cat':
      return orError(() => {
        const names = acl.cat(args)
        return args === null ? names : [...names].sort()
      })
    default:
      throw new Error(`unknown fixture op ${op}`)
  }
}

/** The same step with every string argument turned into a Buffer: the answers must not change. */
function asBuffers(args) {
  if (typeof args === 'string') return Buffer.from(args)
  if (Array.isArray(args)) return args.map(asBuffers)
  return args
}

let steps = 0
for (const c of doc.cases) {
  test(`fixture: ${c.name}`, () => {
    const acl = new Acl()
    const viaBuffers = new Acl()
    for (const step of c.steps) {
      const want = normalizeExpected(step.op, step.expect)
      const got = run(acl, step.op, step.args)
      assert.deepStrictEqual(got, want, `step ${JSON.stringify(step)}`)
      const gotB = run(viaBuffers, step.op, asBuffers(step.args))
      assert.deepStrictEqual(gotB, want, `step with Buffers ${JSON.stringify(step)}`)
      steps++
    }
  })
}

test('fixtures: all steps ran', () => {
  assert.ok(doc.cases.length >= 5, `cases went missing: ${doc.cases.length}`)
  assert.ok(steps >= 80, `fixtures went missing: ${steps} steps`)
})
