/**
 * A real docker credential helper for tests: an executable `docker-credential-<name>` (a small
 * node script) speaking the get/store/erase/list protocol, keeping its secrets in a JSON file.
 */
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** A helper installed by {@link installCredentialHelper}. */
export interface TestCredentialHelper {
  /** The directory holding the executable: prepend it to PATH. */
  readonly binDir: string
  /** `docker-credential-<name>` */
  readonly program: string
  /** Put credentials in its store (Username `<token>` = identity token). */
  set(serverUrl: string, username: string, secret: string): void
  /** What it holds now. */
  entries(): Record<string, {Username: string; Secret: string}>
  /** Each call so far as `<action> <server URL>` (never the secret). */
  calls(): string[]
  /** `PATH` with `binDir` first, for child processes. */
  path(base?: string): string
}

const SCRIPT = String.raw`#!/usr/bin/env node
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const dir = __dirname
const db = path.join(dir, 'store.json')
const action = process.argv[2]
const read = () => (fs.existsSync(db) ? JSON.parse(fs.readFileSync(db, 'utf8')) : {})
let input = ''
process.stdin.on('data', (d) => (input += d))
process.stdin.on('end', () => {
  const mode = fs.existsSync(path.join(dir, 'mode')) ? fs.readFileSync(path.join(dir, 'mode'), 'utf8').trim() : 'ok'
  const server = action === 'store' ? JSON.parse(input).ServerURL : input.trim()
  fs.appendFileSync(path.join(dir, 'calls.log'), action + ' ' + server + '\n')
  if (mode === 'garbage') { process.stdout.write('Secret=' + (read()[server] || {}).Secret + ' <- not JSON'); return }
  if (mode === 'fail') { process.stdout.write('keyring is locked'); process.exitCode = 1; return }
  const all = read()
  if (action === 'get') {
    const e = all[server]
    if (!e) { process.stdout.write('credentials not found in native keychain\n'); process.exitCode = 1; return }
    process.stdout.write(JSON.stringify({ServerURL: server, Username: e.Username, Secret: e.Secret}))
  } else if (action === 'store') {
    const e = JSON.parse(input)
    all[e.ServerURL] = {Username: e.Username, Secret: e.Secret}
    fs.writeFileSync(db, JSON.stringify(all))
  } else if (action === 'erase') {
    if (!all[server]) { process.stdout.write('credentials not found in native keychain\n'); process.exitCode = 1; return }
    delete all[server]
    fs.writeFileSync(db, JSON.stringify(all))
  } else if (action === 'list') {
    process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.Username]))))
  } else { process.stdout.write('unknown action'); process.exitCode = 1 }
})
`

/**
 * Write `docker-credential-<name>` into `dir/<name>-bin/` (created). Its behaviour can be
 * switched with `setMode`: `ok`, `garbage` (prints non-JSON that contains the secret), `fail`.
 */
export function installCredentialHelper(dir: string, name: string): TestCredentialHelper & {setMode(mode: 'ok' | 'garbage' | 'fail'): void} {
  const binDir = join(dir, `${name}-bin`)
  mkdirSync(binDir, {recursive: true})
  const program = `docker-credential-${name}`
  writeFileSync(join(binDir, program), SCRIPT)
  chmodSync(join(binDir, program), 0o755)
  const db = join(binDir, 'store.json')
  const entries = (): Record<string, {Username: string; Secret: string}> =>
    existsSync(db) ? (JSON.parse(readFileSync(db, 'utf8')) as Record<string, {Username: string; Secret: string}>) : {}
  return {
    binDir,
    program,
    set: (serverUrl, username, secret) => writeFileSync(db, JSON.stringify({...entries(), [serverUrl]: {Username: username, Secret: secret}})),
    entries,
    calls: () => (existsSync(join(binDir, 'calls.log')) ? readFileSync(join(binDir, 'calls.log'), 'utf8').split('\n').filter(Boolean) : []),
    path: (base = process.env['PATH'] ?? '') => `${binDir}:${base}`,
    setMode: (mode) => writeFileSync(join(binDir, 'mode'), mode),
  }
}
