'use strict'
// Per-call cost of `acl.check` and its non-throwing forms `acl.allowed` / `acl.denial`
// against node-casbin on an equivalent ACL model, in the same process and run. Build the
// release addon first:
//
//   cd node && npm run build && node bench/check.js [--others N]
//
// The authgate user may run GET and SET on keys matching cache:*; the casbin model is the
// classic ACL model with keyMatch on the object:
//   p, alice, cache:*, get      p, alice, cache:*, set
// Both answer "may alice GET cache:42?" (allowed) and "may alice GET other:42?" (denied).
// `--others N` adds N more users to both (each with its own key pattern, two casbin policies
// each), as the Java bench does with 100: casbin's matcher walks every policy, authgate looks
// the user up by name.
//
// A denial from `acl.check` is a thrown Error (code/reason/object; created without a stack
// trace), so its figure includes creating, throwing and catching it. `acl.allowed` returns a
// boolean, `acl.denial` null or a plain object. The casbin comparison that matters is
// `enforceSync` (no Promise); `await enforce` is shown too (wall time only). The synchronous
// cases run in interleaved rounds (every case once per round, in turn), so load changes hit
// them alike; each figure is the median round, in CPU time of this process (steady on a busy
// machine) and in wall time.

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

const ROUNDS = 9

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** CPU time (user + system) this process has used, in ns: unlike wall time it does not grow
 * while other programs hold the CPU. It includes V8's helper threads (garbage collection),
 * which are part of what a call costs. */
function cpuNs() {
  const u = process.cpuUsage()
  return (u.user + u.system) * 1000
}

/** Median CPU ns and wall ns per call of every case; `cases` maps a name to
 * [calls per round, fn(i)]. */
function interleaved(cases) {
  for (const [n, fn] of Object.values(cases)) for (let i = 0; i < Math.min(n, 20000); i++) fn(i)
  const cpu = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  const wall = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, [n, fn]] of Object.entries(cases)) {
      const c0 = cpuNs()
      const t0 = process.hrtime.bigint()
      for (let i = 0; i < n; i++) fn(i)
      wall[name].push(Number(process.hrtime.bigint() - t0) / n)
      cpu[name].push((cpuNs() - c0) / n)
    }
  }
  const med = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, median(v)]))
  return { cpu: med(cpu), wall: med(wall) }
}

/** Median ns per call of an async function, awaited call by call (how `enforce` is used). */
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
  const at = process.argv.indexOf('--others')
  const others = at > 0 ? Number(process.argv[at + 1]) : 0
  const acl = new Acl()
  acl.setuser('alice', 'on', '>secret', '~cache:*', '+get', '+set')
  let policy = 'p, alice, cache:*, get\np, alice, cache:*, set\n'
  for (let u = 0; u < others; u++) {
    acl.setuser(`user${u}`, 'on', `>pw${u}`, `~u${u}:*`, '+get', '+set')
    policy += `p, user${u}, u${u}:*, get\np, user${u}, u${u}:*, set\n`
  }
  const enforcer = await newEnforcer(newModelFromString(MODEL), new StringAdapter(policy))
  enforcer.enableLog(false)

  const keys = Array.from({ length: 1024 }, (_, i) => `cache:${i}`)
  const outside = Array.from({ length: 1024 }, (_, i) => `other:${i}`)

  // Every form must agree with casbin before anything is timed.
  acl.check('alice', 'GET', keys[1])
  if (!(await enforcer.enforce('alice', keys[1], 'get'))) throw new Error('casbin denied an allowed request')
  if (enforcer.enforceSync('alice', outside[1], 'get')) throw new Error('casbin allowed a denied request')
  let denied = false
  try {
    acl.check('alice', 'GET', outside[1])
  } catch (e) {
    denied = e.code === 'NOPERM'
  }
  if (!denied || acl.allowed('alice', 'GET', outside[1]) || acl.denial('alice', 'GET', outside[1]).reason !== 'key') {
    throw new Error('authgate allowed a denied request')
  }
  if (!acl.allowed('alice', 'GET', keys[1]) || acl.denial('alice', 'GET', keys[1]) !== null) {
    throw new Error('authgate denied an allowed request')
  }

  const N = 200000
  const NC = 20000
  const bufs = keys.map((k) => Buffer.from(k))
  const user = Buffer.from('alice')
  const cmd = Buffer.from('GET')
  let sink = 0
  const { cpu: t, wall } = interleaved({
    'authgate check, allowed (strings)': [N, (i) => acl.check('alice', 'GET', keys[i & 1023])],
    'authgate check, allowed (Buffers)': [N, (i) => acl.check(user, cmd, bufs[i & 1023])],
    'authgate check, denied (throws)': [N / 4, (i) => {
      try {
        acl.check('alice', 'GET', outside[i & 1023])
      } catch (e) {
        sink += e.message.length
      }
    }],
    'authgate allowed(), allowed': [N, (i) => { sink += acl.allowed('alice', 'GET', keys[i & 1023]) }],
    'authgate allowed(), denied': [N, (i) => { sink += acl.allowed('alice', 'GET', outside[i & 1023]) }],
    'authgate denial(), allowed': [N, (i) => { sink += acl.denial('alice', 'GET', keys[i & 1023]) === null }],
    'authgate denial(), denied': [N / 2, (i) => { sink += acl.denial('alice', 'GET', outside[i & 1023]).reason.length }],
    'casbin enforceSync, allowed': [NC, (i) => { sink += enforcer.enforceSync('alice', keys[i & 1023], 'get') }],
    'casbin enforceSync, denied': [NC, (i) => { sink += enforcer.enforceSync('alice', outside[i & 1023], 'get') }],
    'JS alone: throw/catch new Error': [N / 4, () => {
      try {
        throw new Error('NOPERM')
      } catch (e) {
        sink += e.message.length
      }
    }],
  })
  const csAllow = await timeAsync(NC, (i) => enforcer.enforce('alice', keys[i & 1023], 'get'))
  const csDeny = await timeAsync(NC, (i) => enforcer.enforce('alice', outside[i & 1023], 'get'))

  const f = (x) => x.toFixed(0).padStart(9)
  console.log(`node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cpus, load average ${os.loadavg()[0].toFixed(2)}`)
  console.log(`alice + ${others} other users; median of ${ROUNDS} interleaved rounds; authgate ${N} calls/round, casbin ${NC}`)
  console.log('')
  console.log(`${''.padEnd(40)}  CPU ns  wall ns`)
  for (const [name, ns] of Object.entries(t)) console.log(`${name.padEnd(40)} ${f(ns)} ${f(wall[name])}`)
  console.log(`${'casbin await enforce, allowed'.padEnd(40)} ${''.padStart(9)} ${f(csAllow)}`)
  console.log(`${'casbin await enforce, denied'.padEnd(40)} ${''.padStart(9)} ${f(csDeny)}`)
  console.log('ratios below: CPU time')
  console.log('')
  const syncAllow = t['casbin enforceSync, allowed']
  const syncDeny = t['casbin enforceSync, denied']
  for (const [form, a, d] of [
    ['check', 'authgate check, allowed (strings)', 'authgate check, denied (throws)'],
    ['allowed()', 'authgate allowed(), allowed', 'authgate allowed(), denied'],
    ['denial()', 'authgate denial(), allowed', 'authgate denial(), denied'],
  ]) {
    console.log(`${form.padEnd(10)} enforceSync/authgate: allowed ${(syncAllow / t[a]).toFixed(1)}x, denied ${(syncDeny / t[d]).toFixed(1)}x; ` +
      `denied/allowed ${(t[d] / t[a]).toFixed(2)}`)
  }
  console.log(`sink ${sink > 0}`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
