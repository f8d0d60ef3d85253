#!/usr/bin/env node
// The hot commands (sign, verify with a key file) start without loading oclif, from one
// pre-bundled file; everything else, and anything the lean path is unsure about, runs through
// oclif as usual (see src/lean.ts).
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const argv = process.argv.slice(2)
let handled = false
if (argv.length === 1 && argv[0] === '--version' && !process.env.SIGIL_NO_LEAN) {
  // oclif's own format (its config.userAgent), without loading oclif for one line.
  const {readFileSync} = await import('node:fs')
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
  handled = true
} else if ((argv[0] === 'sign' || argv[0] === 'verify') && !process.env.SIGIL_NO_LEAN) {
  const bundled = new URL('../dist/lean.bundle.js', import.meta.url)
  const {runLean} = await import(existsSync(bundled) ? bundled.href : '../dist/lean.js')
  handled = await runLean(argv, fileURLToPath(new URL('..', import.meta.url)))
}
if (!handled) {
  // Plugins are plain ESM: oclif's "cannot be auto-transpiled" notice about linked ones is noise.
  process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
