'use strict'
// Per-call cost of `acl.check` against node-casbin's `enforce` on an equivalent ACL model,
// in the same process and run. Build the release addon first:
//
//   cd node && npm run build && node bench/check.js
//
// The authgate user may run GET and SET on keys matching cache:*; the casbin model is the
// classic ACL model with keyMatch on the object:
//   p, alice, cache:*, get      p, alice, cache:*, set
// Both answer "may alice GET cache:42?" (allowed) and "may alice GET other:42?" (denied).
// A denial in authgate is a thrown Error (with code/reason/object), so the denied numbers
// include building and catching that error.

const os = require('node:os')
const { Acl } = require('..')
const { newEnforcer, newModelFromString, StringAdapter } = require('casbin')

const MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && keyMatch(r.obj, p.obj) && r.act == p.act
`
const POLICY = 'p, alice, cache:*, get\np, alice, cache:*, set\n'

const ROUNDS = 7

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** ns per call of a synchronous function, median of ROUNDS rounds of `n` calls. */
function timeSync(n, fn) {
  for (let i = 0; i < Math.min(n, 20000); i++) fn(i)
  const rounds = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) fn(i)
    rounds.push(Number(process.hrtime.bigint() - t0) / n)
  }
  return median(rounds)
}

/** Same for an async function, awaited call by call (how node-casbin's enforce is used). */
async function timeAsync(n, fn) {
  for (let i = 0; i < Math.min(n, 2000); i++) await fn(i)
  const rounds = []
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) await fn(i)
    rounds.push(Number(process.hrtime.bigint() - t0) / n)
  }
  return median(rounds)
}

async function main() {
  const acl = new Acl()
  acl.setuser('alice', 'on', '>secret', '~cache:*', '+get', '+set')

  const enforcer = await newEnforcer(newModelFromString(MODEL), new StringAdapter(POLICY))
  enforcer.enableLog(false)

  const keys = Array.from({ length: 1024 }, (_, i) => `cache:${i}`)
  const others = Array.from({ length: 1024 }, (_, i) => `other:${i}`)

  // Both engines must agree before anything is timed.
  acl.check('alice', 'GET', keys[1])
  if (!(await enforcer.enforce('alice', keys[1], 'get'))) throw new Error('casbin denied an allowed request')
  if (await enforcer.enforce('alice', others[1], 'get')) throw new Error('casbin allowed a denied request')
  let denied = false
  try {
    acl.check('alice', 'GET', others[1])
  } catch (e) {
    denied = e.code === 'NOPERM'
  }
  if (!denied) throw new Error('authgate allowed a denied request')

  const N = 200000
  const NC = 20000
  const agAllow = timeSync(N, (i) => acl.check('alice', 'GET', keys[i & 1023]))
  const agDeny = timeSync(N / 4, (i) => {
    try {
      acl.check('alice', 'GET', others[i & 1023])
    } catch (e) {
      return e
    }
  })
  const agAllowBuf = (() => {
    const bufs = keys.map((k) => Buffer.from(k))
    const user = Buffer.from('alice')
    const cmd = Buffer.from('GET')
    return timeSync(N, (i) => acl.check(user, cmd, bufs[i & 1023]))
  })()
  const csAllow = await timeAsync(NC, (i) => enforcer.enforce('alice', keys[i & 1023], 'get'))
  const csDeny = await timeAsync(NC, (i) => enforcer.enforce('alice', others[i & 1023], 'get'))
  const csSyncAllow = timeSync(NC, (i) => enforcer.enforceSync('alice', keys[i & 1023], 'get'))

  const f = (x) => x.toFixed(0).padStart(9)
  console.log(`node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cpus`)
  console.log(`median of ${ROUNDS} rounds; authgate ${N} calls/round, casbin ${NC} calls/round`)
  console.log('')
  console.log('                                            ns/call')
  console.log(`authgate acl.check, allowed (strings)     ${f(agAllow)}`)
  console.log(`authgate acl.check, allowed (Buffers)     ${f(agAllowBuf)}`)
  console.log(`authgate acl.check, denied (throws)       ${f(agDeny)}`)
  console.log(`casbin await enforce, allowed             ${f(csAllow)}`)
  console.log(`casbin await enforce, denied              ${f(csDeny)}`)
  console.log(`casbin enforceSync, allowed               ${f(csSyncAllow)}`)
  console.log('')
  console.log(`ratio casbin enforce / authgate check, allowed:  ${(csAllow / agAllow).toFixed(1)}x`)
  console.log(`ratio casbin enforce / authgate check, denied:   ${(csDeny / agDeny).toFixed(1)}x`)
  console.log(`ratio casbin enforceSync / authgate check:       ${(csSyncAllow / agAllow).toFixed(1)}x`)
  const target = agAllow <= 500 && csAllow / agAllow >= 20
  console.log(`target (<= 500 ns/call and >= 20x vs enforce): ${target ? 'met' : 'MISSED'}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
