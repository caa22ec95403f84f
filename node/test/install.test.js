'use strict'
// The package installs like a Node package, each time into a fresh project directory:
// - `npm install <this folder>` builds the addon from the Rust sources with cargo (the
//   package's install script) and `require('authgate')` works;
// - `npm pack` makes a tarball with the prebuilt addon, and installing that tarball works
//   without a Rust toolchain: a `cargo` that fails and records being called comes first on
//   PATH, and it is never called. README's example (examples/readme.js) runs against it.
// The builds use the dev profile unless AUTHGATE_NODE_PROFILE says otherwise, and the
// caller's CARGO_TARGET_DIR / CARGO_BUILD_TARGET (the Makefile's), so they reuse its target dir.

const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const pkgDir = path.join(__dirname, '..')
const { version } = require('../package.json')
const TIMEOUT = 15 * 60 * 1000

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: TIMEOUT, maxBuffer: 1 << 26, ...opts })
  assert.equal(r.error, undefined, `${cmd} ${args.join(' ')}: ${r.error}`)
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`)
  return r
}

const baseEnv = { ...process.env, AUTHGATE_NODE_PROFILE: process.env.AUTHGATE_NODE_PROFILE || 'dev' }
// npm sets these for scripts it runs; a nested npm must not take them for its own settings.
for (const k of Object.keys(baseEnv)) if (k.startsWith('npm_')) delete baseEnv[k]

/** A fresh project directory (`npm init -y`). */
function freshProject(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-install-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  run('npm', ['init', '-y'], { cwd: dir, env: baseEnv })
  return dir
}

/** Runs a small program using the installed package in `dir`; returns its output. */
function useInstalled(dir, env) {
  const program = `
    const { Acl, Server } = require('authgate')
    const acl = new Acl()
    acl.setuser('alice', 'on', '>pw', '~cache:*', '+get')
    acl.check('alice', 'GET', 'cache:1')
    try { acl.check('alice', 'GET', 'other') } catch (e) { console.log(e.code, e.reason, e.object) }
    console.log(typeof Server, require.resolve('authgate'))`
  return run(process.execPath, ['-e', program], { cwd: dir, env }).stdout
}

/** The platform addon of a package directory (the name napi-rs' loader looks for). */
function addonIn(dir) {
  const names = fs.readdirSync(dir).filter((f) => /^authgate\..+\.node$/.test(f))
  assert.equal(names.length, 1, `one addon in ${dir}: ${names}`)
  return path.join(dir, names[0])
}

test('npm install of the source folder builds the addon with cargo', { timeout: TIMEOUT }, (t) => {
  const project = freshProject(t)
  const existing = fs.readdirSync(pkgDir).find((f) => /^authgate\..+\.node$/.test(f))
  const before = existing ? fs.statSync(path.join(pkgDir, existing)).ino : null
  const r = run('npm', ['install', '--foreground-scripts', '--no-audit', '--no-fund', pkgDir], { cwd: project, env: baseEnv })
  const log = r.stdout + r.stderr
  assert.match(log, /authgate: building the native addon: \S*cargo build --manifest-path /)
  assert.match(log, /authgate: installed authgate\..+\.node/)
  assert.notEqual(fs.statSync(addonIn(pkgDir)).ino, before, 'the install script wrote a new addon')
  const [denied, loaded] = useInstalled(project, baseEnv).trim().split('\n')
  assert.equal(denied, 'NOPERM key other')
  assert.equal(loaded, `function ${path.join(fs.realpathSync(pkgDir), 'index.js')}`, 'npm linked the source folder')
})

test('npm pack gives a tarball with the prebuilt addon that installs without Rust', { timeout: TIMEOUT }, (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'authgate-pack-'))
  t.after(() => fs.rmSync(out, { recursive: true, force: true }))
  const packed = run('npm', ['pack', '--json', '--pack-destination', out], { cwd: pkgDir, env: baseEnv })
  const [info] = JSON.parse(packed.stdout)
  const files = info.files.map((f) => f.path).sort()
  const addon = path.basename(addonIn(pkgDir))
  assert.deepEqual(files, ['README.md', addon, 'index.d.ts', 'index.js', 'package.json', 'scripts/install.js'].sort())
  const tarball = path.join(out, info.filename)
  assert.equal(info.filename, `authgate-${version}.tgz`)

  // No Rust: the first cargo on PATH fails and leaves a mark if anything runs it.
  const bin = path.join(out, 'bin')
  const mark = path.join(out, 'cargo-was-called')
  fs.mkdirSync(bin)
  fs.writeFileSync(path.join(bin, 'cargo'), `#!/bin/sh\ntouch '${mark}'\necho 'no cargo here' >&2\nexit 1\n`, { mode: 0o755 })
  const env = { ...baseEnv, PATH: `${bin}${path.delimiter}${process.env.PATH}` }
  delete env.CARGO
  assert.equal(spawnSync('cargo', ['--version'], { env }).status, 1, 'the failing cargo is the one found')
  fs.rmSync(mark, { force: true })

  const project = freshProject(t)
  const r = run('npm', ['install', '--foreground-scripts', '--no-audit', '--no-fund', tarball], { cwd: project, env })
  assert.doesNotMatch(r.stdout + r.stderr, /building the native addon/)
  assert.equal(fs.existsSync(mark), false, 'cargo was not called')
  const installed = path.join(project, 'node_modules', 'authgate')
  assert.equal(fs.lstatSync(installed).isSymbolicLink(), false, 'a copy, not a link to the checkout')
  assert.equal(path.basename(addonIn(installed)), addon)
  const [denied, loaded] = useInstalled(project, env).trim().split('\n')
  assert.equal(denied, 'NOPERM key other')
  assert.equal(loaded, `function ${path.join(fs.realpathSync(installed), 'index.js')}`)

  // README's program, in the project (node-redis from this package's dev dependencies).
  fs.copyFileSync(path.join(pkgDir, 'examples', 'readme.js'), path.join(project, 'app.js'))
  const app = run(process.execPath, ['app.js'], { cwd: project, env: { ...env, NODE_PATH: path.join(pkgDir, 'node_modules') } })
  assert.deepEqual(app.stdout.trim().split('\n'), [
    'true',
    "NOPERM command del NOPERM this user has no permissions to run the 'del' command",
    'false command',
    'OK',
    "NOPERM this user has no permissions to run the 'set' command",
  ])

  // README's certificate program, on the fixture's certificate; the subject as openssl prints it.
  fs.copyFileSync(path.join(pkgDir, 'examples', 'readme-cert.js'), path.join(project, 'cert.js'))
  const pem = path.join(pkgDir, '..', 'tests', 'fixtures', 'certs', 'multi_ou.pem')
  const openssl = run('openssl', ['x509', '-in', pem, '-noout', '-subject', '-nameopt', 'RFC2253'], {})
  const cert = run(process.execPath, ['cert.js', pem], { cwd: project, env })
  assert.deepEqual(cert.stdout.trim().split('\n'), [
    openssl.stdout.trim().replace(/^subject=/, ''),
    'alice spiffe://example.org/ns/default/sa/alice',
    'tls_auth_clients_user alice TLS: Auto-authenticated client as alice',
    'ops',
  ])
})
