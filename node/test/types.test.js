'use strict'
// index.d.ts is complete and correct: test/types-example.ts uses the whole API (and marks
// misuse with @ts-expect-error) and must compile with `tsc --strict --noEmit`.

const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..')

function tsc(...files) {
  const bin = require.resolve('typescript/bin/tsc', { paths: [root] })
  const args = [
    bin,
    '--strict',
    '--noEmit',
    '--target',
    'es2022',
    '--module',
    'commonjs',
    '--moduleResolution',
    'node10',
    '--types',
    'node',
    ...files,
  ]
  return spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' })
}

test('the typed example compiles with tsc --strict', { timeout: 120000 }, () => {
  const r = tsc('test/types-example.ts')
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`)
})

test('index.d.ts declares every runtime export', () => {
  const fs = require('node:fs')
  const dts = fs.readFileSync(path.join(root, 'index.d.ts'), 'utf8')
  const runtime = Object.keys(require('..')).filter((k) => k !== 'ErrorCode')
  for (const name of runtime) {
    assert.match(dts, new RegExp(`export (declare )?(class|function|const) ${name}\\b`), name)
  }
  for (const m of ['setuser', 'deluser', 'check', 'dryrun']) {
    assert.match(dts, new RegExp(`^  ${m}\\(`, 'm'), `Acl.${m} is declared`)
    assert.equal(typeof require('..').Acl.prototype[m], 'function')
  }
  // Every core code (the cross-language list) is in the ErrorCode type.
  const vocabulary = JSON.parse(fs.readFileSync(path.join(root, '..', 'tests', 'fixtures', 'vocabulary.json'), 'utf8'))
  const union = dts.match(/export type ErrorCode = (.*)/)[1]
  for (const code of vocabulary.error_codes) assert.ok(union.includes(`'${code}'`), code)
})
