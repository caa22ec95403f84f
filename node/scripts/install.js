'use strict'
// npm's `install` (and `prepack`) step: makes sure the native addon for this platform is in
// the package, where index.js loads it (`authgate.<platform>.node`).
//
// - In a source checkout (the authgate repository, whose Rust sources are beside this
//   package): builds the addon with `cargo build` and copies it into the package, as
//   `pip install ./python` builds the Python module. Only cargo is needed. Cargo rebuilds only
//   what changed, and CARGO_TARGET_DIR / CARGO_BUILD_TARGET are honoured, so a checkout's
//   shared target dir is reused. The profile is AUTHGATE_NODE_PROFILE (default `release`;
//   the repository's tests use `dev`).
// - From a tarball made by `npm pack` (no Rust sources): the prebuilt addon is in the tarball;
//   nothing is built and no Rust toolchain is needed.

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const pkg = path.join(__dirname, '..')
const manifest = path.join(pkg, '..', 'bindings', 'node', 'Cargo.toml')

/** The name napi-rs' loader (index.js) looks for, e.g. `authgate.linux-x64-gnu.node`. */
function addonName() {
  const { platform, arch } = process
  let triple = `${platform}-${arch}`
  if (platform === 'linux') {
    const report = process.report && process.report.getReport ? process.report.getReport() : null
    const musl = report ? !report.header.glibcVersionRuntime : false
    const abi = musl ? 'musl' : 'gnu'
    triple += arch === 'arm' ? `-${abi}eabihf` : `-${abi}`
  } else if (platform === 'win32') {
    triple += '-msvc'
  }
  return `authgate.${triple}.node`
}

function fail(message) {
  console.error(`authgate: ${message}`)
  process.exit(1)
}

/** True in the authgate repository: this package's own Rust crate is beside it. */
function fromSource() {
  try {
    return /^name\s*=\s*"authgate-node"/m.test(fs.readFileSync(manifest, 'utf8'))
  } catch {
    return false
  }
}

/** Builds the crate with cargo; returns the path of the built library. */
function build() {
  const profile = process.env.AUTHGATE_NODE_PROFILE || 'release'
  const cargo = process.env.CARGO || 'cargo'
  const args = ['build', '--manifest-path', manifest, '--lib', '--profile', profile, '--message-format=json-render-diagnostics']
  console.error(`authgate: building the native addon: ${cargo} ${args.join(' ')}`)
  const r = spawnSync(cargo, args, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28, encoding: 'utf8' })
  if (r.error) {
    fail(`could not run ${cargo} (${r.error.code || r.error.message}): building from source needs Rust (https://rustup.rs); a package made by \`npm pack\` contains the prebuilt addon instead`)
  }
  if (r.status !== 0) fail(`${cargo} build failed (exit ${r.status})`)
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const msg = JSON.parse(line)
    if (msg.reason === 'compiler-artifact' && msg.target.name === 'authgate_node') {
      const lib = msg.filenames.find((f) => /\.(so|dylib|dll)$/.test(f))
      if (lib) return lib
    }
  }
  return fail('cargo did not report the authgate_node library')
}

function main() {
  const target = path.join(pkg, addonName())
  if (!fromSource()) {
    if (fs.existsSync(target)) return
    fail(`no prebuilt addon for this platform (${path.basename(target)}) in the package, and no Rust sources to build it from`)
  }
  const lib = build()
  // Copied beside and renamed over the target, so a process that has the old addon loaded
  // keeps its (unchanged) file.
  const tmp = `${target}.${process.pid}.tmp`
  fs.copyFileSync(lib, tmp)
  fs.renameSync(tmp, target)
  console.error(`authgate: installed ${path.basename(target)}`)
}

main()
