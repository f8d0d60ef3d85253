#!/usr/bin/env node
'use strict'
// `sigil-ssh-keygen`, git's gpg.ssh.program. `-Y sign` (and --help) run in sigil's bundle, as
// `sigil` does (bin/run.js), signing with any sigil key. Every other call git makes (-Y verify,
// -Y find-principals, -Y check-novalidate, -l …) goes unchanged to the system's ssh-keygen (or
// $SIGIL_SSH_KEYGEN), before any of sigil loads.
const {join} = require('node:path')

const argv = process.argv.slice(2)

/** True for the calls sigil answers itself. */
function ownCall(args) {
  if (args.length === 0 || args.includes('--help')) return true
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--') break
    if (args[i] === '-Y') return args[i + 1] === 'sign'
    if (/^-[^-]*Y/.test(args[i])) return args[i].slice(args[i].indexOf('Y') + 1) === 'sign'
  }
  return false
}

function delegate(args) {
  const {spawnSync} = require('node:child_process')
  const program = process.env.SIGIL_SSH_KEYGEN || 'ssh-keygen'
  const r = spawnSync(program, args, {stdio: 'inherit'})
  if (r.error) {
    process.stderr.write(`sigil-ssh-keygen: cannot run ${program}: ${r.error.code === 'ENOENT' ? 'not found (install openssh-client, or set SIGIL_SSH_KEYGEN)' : r.error.message}\n`)
    process.exit(255)
  }
  if (r.signal) process.kill(process.pid, r.signal)
  process.exit(r.status ?? 255)
}

if (!ownCall(argv)) {
  delegate(argv)
} else {
  // git shows this program's stderr: nothing may reach it but ssh-keygen's own lines and one
  // line per failure (an SDK's Node-version notice is a process warning).
  process.removeAllListeners('warning')
  const {loadBundle} = require('./run.js')
  const root = join(__dirname, '..')
  loadBundle()
    .sshKeygen(argv, {root, exitWhenDone: true, importModule: (url) => import(url)})
    .catch((err) => {
      process.stderr.write(`sigil-ssh-keygen: ${err instanceof Error ? err.message : String(err)}\n`)
      process.exitCode = 1
    })
}
