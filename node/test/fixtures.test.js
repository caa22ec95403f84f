'use strict'
// The shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
// redis-server 7.0.15), run against the Node API. ACL LIST lines and GETUSER command strings
// compare through canonical(), the rule written in acl_cases.json's "about" and implemented
// identically by every language's fixture test (core/tests/acl_fixtures.rs and the others).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { Acl } = require('..')

const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'acl_cases.json')
const doc = JSON.parse(fs.readFileSync(FIXTURES, 'utf8'))

/**
 * The comparison form of an ACL LIST line or a GETUSER `commands` string: exact, except that a
 * selector's single-command tokens (`+cmd`, `-cmd`, `+cmd|sub`, `+cmd|firstarg`) after its
 * category tokens are sorted, because Redis emits them in a per-process hash order
 * (tests/differential/normalize.py `norm_command_tokens`, tests/differential/README.md). A string
 * not in the shape Redis produces (a single before a category, ...) becomes `!` + the string
 * itself, which equals no in-shape form, so `+get -@all` never equals `-@all +get`.
 */
function canonical(line) {
  const selectors = []
  for (let [i, seg] of line.split(' (').entries()) {
    if (i > 0 && seg.endsWith(')')) seg = seg.slice(0, -1)
    const c = canonicalSelector(seg)
    if (c === null) return '!' + line
    selectors.push(c)
  }
  return selectors.join(' | ')
}

// A `+...` / `-...` rule: a category (`+@x`) or a single; names compare ASCII case-insensitively.
const isCommandToken = (t) => t.startsWith('+') || t.startsWith('-')
const asciiLower = (t) => t.replace(/[A-Z]/g, (c) => c.toLowerCase())

/** One selector's tokens in order with its singles sorted, or null if not in Redis' shape. */
function canonicalSelector(seg) {
  const tokens = []
  for (const t of seg.split(' ')) {
    // A first argument containing a space (`+select|a b`) continues its token.
    if (tokens.length && isCommandToken(tokens[tokens.length - 1]) && !/^[~%&+\-(]/.test(t)) {
      tokens[tokens.length - 1] += ' ' + t
    } else {
      tokens.push(t)
    }
  }
  const fixed = []
  const singles = []
  let seenCommand = false
  for (const t of tokens) {
    if (!isCommandToken(t)) {
      if (seenCommand) return null
      fixed.push(t)
      continue
    }
    seenCommand = true
    if (t[1] === '@') {
      if (singles.length) return null
      fixed.push(t)
      continue
    }
    const body = asciiLower(t.slice(1))
    if (!body.includes('|') && singles.some((s) => asciiLower(s.slice(1)).startsWith(body + '|'))) return null
    singles.push(t)
  }
  singles.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  return fixed.concat(singles).join(' ')
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
    case 'allowed':
      return orError(() => (acl.allowed(args[0], ...args[1]) ? 'OK' : 'denied'))
    case 'denial':
      return orError(() => {
        const d = acl.denial(args[0], ...args[1])
        return d === null ? 'OK' : d.message
      })
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
      if (step.op === 'check') {
        // The non-throwing forms: allowed() is true exactly when Redis ran the command,
        // denial()'s message is Redis' NOPERM reply, and what is no permission answer (ERR ...)
        // still throws with Redis' text.
        const permissionAnswer = want === 'OK' || want.startsWith('NOPERM ')
        assert.equal(run(acl, 'denial', step.args), want, `denial() ${JSON.stringify(step)}`)
        const wantAllowed = permissionAnswer ? (want === 'OK' ? 'OK' : 'denied') : want
        assert.equal(run(acl, 'allowed', step.args), wantAllowed, `allowed() ${JSON.stringify(step)}`)
        assert.equal(run(viaBuffers, 'allowed', asBuffers(step.args)), wantAllowed, `allowed() with Buffers`)
      }
      steps++
    }
  })
}

test('fixtures: all steps ran', () => {
  assert.ok(doc.cases.length >= 5, `cases went missing: ${doc.cases.length}`)
  assert.ok(steps >= 80, `fixtures went missing: ${steps} steps`)
})

test('fixtures: the comparison rule matches the shared pairs', () => {
  // The rule itself, on the pairs every language's fixture test runs
  // (tests/fixtures/canonical_cases.json): a wrong rule would let a wrong description pass.
  const file = path.join(path.dirname(FIXTURES), 'canonical_cases.json')
  const pairs = JSON.parse(fs.readFileSync(file, 'utf8')).pairs
  for (const p of pairs) {
    assert.equal(canonical(p.a) === canonical(p.b), p.equal, `${p.a} vs ${p.b}: ${p.why}`)
  }
  assert.ok(pairs.length >= 20, `pairs went missing: ${pairs.length}`)
})
