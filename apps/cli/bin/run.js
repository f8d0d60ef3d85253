#!/bin/sh
':' //; # `sigil`. This file is a POSIX shell script and an ES module (oclif's bin/run.js) at once:
':' //; # to the shell each of these lines runs `:` and then the rest, to JavaScript it is a string
':' //; # and a comment. sign, verify and --version start from bin/lean.cjs (see there). Node reads
':' //; # NODE_EXTRA_CA_CERTS before running any JavaScript (~40 ms for a system CA bundle): for
':' //; # sign, verify and --version the variable is handed over instead, and sigil reads the file
':' //; # on its first HTTPS request (loopback registries never make one).
':' //; [ -n "${SIGIL_NO_LEAN-}" ] && exec node "$0" "$@"
':' //; case "$1" in sign|verify|--version) case "${NODE_OPTIONS-}" in *openssl-ca*|*system-ca*|*bundled-ca*) ;; *) if [ -n "${NODE_EXTRA_CA_CERTS-}" ]; then SIGIL_DEFERRED_CA_CERTS=$NODE_EXTRA_CA_CERTS; export SIGIL_DEFERRED_CA_CERTS; unset NODE_EXTRA_CA_CERTS; fi ;; esac ;; esac
':' //; self=$0; while [ -h "$self" ]; do link=$(readlink "$self"); case $link in /*) self=$link ;; *) case $self in */*) self=${self%/*}/$link ;; *) self=$link ;; esac ;; esac; done
':' //; case $self in */*) bin=${self%/*} ;; *) bin=. ;; esac
':' //; case "$1" in sign|verify|--version) [ -f "$bin/lean.cjs" ] && exec node "$bin/lean.cjs" "$@" ;; esac
':' //; exec node "$0" "$@"

// The hot commands (sign, verify with a key file) start without loading oclif (bin/lean.cjs);
// everything else, and anything the lean path declines, runs through oclif as usual.
import {createRequire} from 'node:module'

const lean = createRequire(import.meta.url)('./lean.cjs')
const deferredCa = lean.takeDeferredCa()
// Set when the lean path has already declined this invocation (bin/lean.cjs).
const declined = process.env.SIGIL_LEAN_DECLINED === '1'
delete process.env.SIGIL_LEAN_DECLINED

const argv = process.argv.slice(2)
const tryLean = !process.env.SIGIL_NO_LEAN && !declined
let handled = false
if (argv.length === 1 && argv[0] === '--version' && tryLean) {
  lean.printVersion()
  handled = true
} else if ((argv[0] === 'sign' || argv[0] === 'verify') && tryLean) {
  handled = await lean.runLean(argv, deferredCa)
}
if (!handled && deferredCa !== undefined) {
  lean.restart(argv)
} else if (!handled) {
  // Plugins are plain ESM: oclif's "cannot be auto-transpiled" notice about linked ones is noise.
  process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
